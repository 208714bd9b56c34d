// Extension: physdev (match, IPv4 IPv6)
// Synopsis: -m physdev [[!] --physdev-in PORT[+]] [[!] --physdev-out PORT[+]]
//   [[!] --physdev-is-in] [[!] --physdev-is-out] [[!] --physdev-is-bridged]
// Semantics: for packets crossing a Linux bridge (with br_netfilter): the
//   bridge port the packet came in on / will leave by ("+" is a prefix
//   wildcard), whether it has such ports, and whether it is bridged rather
//   than routed.  Packets that did not cross a bridge only match inverted
//   tests.  At least one option is required.  The kernel refuses
//   --physdev-out and --physdev-is-out without a plain --physdev-is-bridged
//   in rules reachable from OUTPUT (the output port is not known there).
//   Saved in the order is-in, in, is-out, out, is-bridged.
// Example: -m physdev --physdev-in eth0 --physdev-is-bridged
// Evaluation: yes
#include "matchers/misc_util.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"physdev-in", 1, true},     {"physdev-out", 1, true},        {"physdev-is-in", 0, true},
    {"physdev-is-out", 0, true}, {"physdev-is-bridged", 0, true},
};
enum { kIn, kOut, kIsIn, kIsOut, kIsBridged };
constexpr size_t kMaxIfaceLen = 15;  // IFNAMSIZ - 1

class PhysdevMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    if (Status s = given_.Once(option, kOptions); !s.ok()) return s;
    if (invert) invert_.Set(option);
    if (option == kIn || option == kOut) {
      std::string_view n = args[0].text;
      if (n.size() > kMaxIfaceLen)
        return Status::Error("interface name '" + std::string(n) + "' is too long (" +
                                 std::to_string(n.size()) + " characters; at most 15)",
                             0);
      (option == kIn ? in_ : out_) = std::string(n);
    }
    return {};
  }

  Status Finish(const ParseContext&) override {
    if (!given_.Any()) return Status::Error("at least one --physdev option is required");
    return {};
  }

  Status Check(const CheckContext& ctx) const override {
    bool out = given_.Has(kOut) || given_.Has(kIsOut);
    bool bridged = given_.Has(kIsBridged) && !invert_.Has(kIsBridged);
    if (out && !bridged && (ctx.hook_mask & HookBit(Hook::kLocalOut)))
      return Status::Error("--physdev-out and --physdev-is-out need --physdev-is-bridged in "
                           "rules reachable from OUTPUT");
    return {};
  }

  // xt_physdev.c physdev_mt.  The packet crossed a bridge (br_netfilter's
  // nf_bridge_info exists) when it has a bridge port (--physdev-in/-out of
  // the packet).
  Tri Evaluate(const PacketView& v, EvalContext&) const override {
    const Packet& p = *v.pkt;
    auto given = [&](int o) { return given_.Has(o); };
    auto inv = [&](int o) { return invert_.Has(o); };
    if (p.phys_in.empty() && p.phys_out.empty()) {
      // Not bridged: a match only when every given option is inverted.
      for (int o : {kIsBridged, kIsIn, kIsOut, kIn, kOut})
        if (given(o) && !inv(o)) return Tri::kFalse;
      return Tri::kTrue;
    }
    bool has_out = !p.phys_out.empty(), has_in = !p.phys_in.empty();
    if (given(kIsBridged) && (has_out != !inv(kIsBridged))) return Tri::kFalse;
    if ((given(kIsIn) && (!has_in != inv(kIsIn))) || (given(kIsOut) && (!has_out != inv(kIsOut))))
      return Tri::kFalse;
    // The names as ifname_compare_aligned with iptables' mask: "NAME+" is a
    // prefix, otherwise the whole name (a missing port is the empty name).
    auto same = [](std::string_view dev, const std::string& pat) {
      if (!pat.empty() && pat.back() == '+')
        return dev.substr(0, pat.size() - 1) == std::string_view(pat).substr(0, pat.size() - 1);
      return dev == pat;
    };
    if (given(kIn) && same(p.phys_in.view(), in_) == inv(kIn)) return Tri::kFalse;
    if (!given(kOut)) return Tri::kTrue;
    return ToTri(same(p.phys_out.view(), out_) != inv(kOut));
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (given_.Has(kIsIn)) SaveOpt(out, "physdev-is-in", invert_.Has(kIsIn));
    if (given_.Has(kIn)) SaveOpt(out, "physdev-in", in_, invert_.Has(kIn));
    if (given_.Has(kIsOut)) SaveOpt(out, "physdev-is-out", invert_.Has(kIsOut));
    if (given_.Has(kOut)) SaveOpt(out, "physdev-out", out_, invert_.Has(kOut));
    if (given_.Has(kIsBridged)) SaveOpt(out, "physdev-is-bridged", invert_.Has(kIsBridged));
  }

  // Which tests are present / inverted, indexed kIn..kIsBridged.
  bool has(int test) const { return given_.Has(test); }
  bool inverted(int test) const { return invert_.Has(test); }
  const std::string& in() const { return in_; }
  const std::string& out() const { return out_; }

 private:
  GivenOptions given_, invert_;
  std::string in_, out_;
};

}  // namespace

extern const ExtensionInfo kPhysdevMatch = {
    .name = "physdev",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<PhysdevMatch>,
};

}  // namespace iptsim
