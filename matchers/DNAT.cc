// Extension: DNAT (target, IPv4 IPv6)
// Synopsis: -j DNAT --to-destination [ADDR[-ADDR]][:PORT[-PORT[/BASE]]]
//   [--random] [--persistent]   (IPv6: [ADDR[-ADDR]]:PORT... in brackets)
// Semantics: rewrites the destination of a new connection to an address
//   of the range (and a port of the port range; /BASE shifts the port map:
//   BASE maps to the first port) and marks it so replies are translated
//   back.  --random picks ports at random, --persistent keeps one address
//   per client.  A port needs -p tcp, udp, sctp, dccp (or icmp) before the
//   option.  Kernel (xt_nat): nat table, PREROUTING and OUTPUT only.
//   "--to" is the unique abbreviation of --to-destination.
// Example: -p tcp --dport 8080 -j DNAT --to-destination 192.168.1.20:80
// Evaluation: yes (binds the connection's first packet; later packets of both directions are rewritten from the binding; random choices come from the run's generator, --seed)
#include "engine/nat.h"
#include "matchers/nat_range.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"to-destination", 1, false},
    {"random", 0, false},
    {"persistent", 0, false},
};

class DnatTarget : public NatTarget {
 public:
  explicit DnatTarget(const ExtensionInfo* info) : NatTarget(info, /*range_required=*/true) {}

  TargetEffect DescribeEffect(Family) const override { return NatEffect(Field::kDst, true); }
  TargetVerdict Apply(Packet&, const PacketView&, EvalContext& ctx) const override {
    return NatSetup(range_, NatManip::kDst, ctx);
  }

 private:
  Status ParseRange(std::string_view text, const ParseContext& ctx) override {
    return ParseAddrsAndPorts(text, ctx);
  }
  std::string FormatRange(Family f) const override { return FormatNatRange(range_, f, false); }
};

}  // namespace

extern const ExtensionInfo kDnatTarget = {
    .name = "DNAT",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kNat),
    .hooks = HookBit(Hook::kPreRouting) | HookBit(Hook::kLocalOut),
    .enables_conntrack = true,
    .create = Create<DnatTarget>,
};

}  // namespace iptsim
