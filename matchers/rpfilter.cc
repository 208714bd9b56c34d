// Extension: rpfilter (match, IPv4 IPv6)
// Synopsis: -m rpfilter [--loose] [--validmark] [--accept-local] [--invert]
// Semantics: reverse path filter: matches when a route back to the source
//   address leaves through the interface the packet came in on (--loose:
//   through any interface), looked up with the packet's mark if
//   --validmark; --accept-local also accepts local source addresses;
//   --invert matches the packets that fail.  The kernel allows it only in
//   the raw and mangle tables and only in PREROUTING.
// Example: -t raw -A PREROUTING -m rpfilter --invert -j DROP
// Evaluation: full with --host (the reverse-path FIB lookup in the host model; --validmark is moot: no policy routing); without it, decided for packets from lo and from an unspecified source (the kernel's shortcuts), otherwise unknown
#include "engine/run_settings.h"
#include "engine/routing.h"
#include "matchers/misc_util.h"
#include "matchers/parse_util.h"
#include "matchers/eval_result.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"loose", 0, false}, {"validmark", 0, false}, {"accept-local", 0, false}, {"invert", 0, false}};

class RpfilterMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool, std::span<const Arg>, const ParseContext&) override {
    return given_.Once(option, kOptions);
  }
  Status Check(const CheckContext& ctx) const override {
    if (ctx.table != TableId::kRaw && ctx.table != TableId::kMangle)
      return Status::Error("only valid in the raw and mangle tables, not in '" +
                           std::string(TableName(ctx.table)) + "'");
    return {};
  }
  // ipt_rpfilter.c / ip6t_rpfilter.c rpfilter_mt: true ^ invert for a packet
  // that came in on the loopback device (rpfilter_is_loopback: iptsim takes
  // the device named "lo"), for an IPv4 source in 0.0.0.0/8 sent to
  // 255.255.255.255 or 224.0.0.0/24, and for the IPv6 source ::; otherwise
  // the answer is a FIB lookup of the source: in the host model (--host),
  // unknown without one.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    bool invert = given_.Has(3);
    const uint8_t* h = v.data();
    if (v.pkt->in == std::string_view("lo")) return ToTri(!invert);
    if (v.pkt->family == Family::kIPv4) {
      if (h[12] == 0) {
        bool lbcast = h[16] == 255 && h[17] == 255 && h[18] == 255 && h[19] == 255;
        bool local_mc = h[16] == 224 && h[17] == 0 && h[18] == 0;
        if (lbcast || local_mc) return ToTri(!invert);
      }
    } else {
      bool any = true;
      for (int i = 8; i < 24; ++i) any = any && h[i] == 0;
      if (any) return ToTri(!invert);
    }
    if (const HostModel* host = HostOf(ctx))
      return ToTri(RpfilterLookup(*host, *v.pkt, loose(), accept_local(), validmark()) != invert);
    const std::string src = FormatIpAddr(v.pkt->family, v.src());
    std::string question =
        loose() ? "whether the host has a route back to " + src
                : "whether the host's route back to " + src + " leaves through " +
                      std::string(v.pkt->in.view());
    if (accept_local()) question += " (or " + src + " is a local address)";
    return UndecidedTest(ctx, *this, question, invert, /*host_decides=*/true);
  }
  void Save(std::string& out, const SaveContext&) const override {
    for (int i = 0; i < 4; ++i)
      if (given_.Has(i)) SaveOpt(out, kOptions[i].name);
  }

  bool loose() const { return given_.Has(0); }
  bool validmark() const { return given_.Has(1); }
  bool accept_local() const { return given_.Has(2); }
  bool invert() const { return given_.Has(3); }

 private:
  GivenOptions given_;
};

}  // namespace

extern const ExtensionInfo kRpfilterMatch = {
    .name = "rpfilter",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .hooks = HookBit(Hook::kPreRouting),
    .create = Create<RpfilterMatch>,
    .may_be_undecided = true,
};

}  // namespace iptsim
