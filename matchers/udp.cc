// Extension: udp (match, IPv4 IPv6)
// Synopsis: -p udp [-m udp] [[!] --sport|--source-port PORT[:PORT]]
//   [[!] --dport|--destination-port PORT[:PORT]]
// Semantics: source/destination port ranges (inclusive).  Needs -p udp.
//   A reversed range (A:B with A > B) loads, as in iptables 1.8.9, and never
//   matches (always with '!').
// Example: -p udp -m udp --dport 53
// Evaluation: yes
#include "base/bytes.h"
#include "matchers/describe_util.h"
#include "matchers/parse_util.h"
#include "matchers/port_range.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"source-port", 1, true},
    {"sport", 1, true},
    {"destination-port", 1, true},
    {"dport", 1, true},
};

class UdpMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    if (option <= 1) return sport_.Parse(args, "udp", invert, "source-port", RangeOrder::kAnyOrder);
    return dport_.Parse(args, "udp", invert, "destination-port", RangeOrder::kAnyOrder);
  }

  // xt_tcpudp's udp_mt.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    if (v.fragoff != 0) return Tri::kFalse;
    if (v.transport_size() < 8) {
      ctx.hotdrop = true;
      return Tri::kFalse;
    }
    const uint8_t* uh = v.transport();
    return ToTri(sport_.Contains(GetBe16(uh)) && dport_.Contains(GetBe16(uh + 2)));
  }

  Pred Describe(Family) const override {
    return describe::AllOf({describe::ProtoIs(17), describe::NotLaterFragment(),
                      sport_.Describe(Field::kSport), dport_.Describe(Field::kDport)});
  }

  void Save(std::string& out, const SaveContext&) const override {
    sport_.Save(out, "sport");
    dport_.Save(out, "dport");
  }

 private:
  PortRange sport_, dport_;
};

}  // namespace

extern const ExtensionInfo kUdpMatch = {
    .name = "udp",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .proto = 17,
    .create = Create<UdpMatch>,
};

}  // namespace iptsim
