// Extension: SNAT (target, IPv4 IPv6)
// Synopsis: -j SNAT --to-source [ADDR[-ADDR]][:PORT[-PORT]]
//   [--random] [--random-fully] [--persistent]
//   (IPv6: [ADDR[-ADDR]]:PORT... in brackets)
// Semantics: rewrites the source of a new connection to an address of the
//   range (and a port of the port range); replies are translated back.
//   --random / --random-fully randomise the source port, --persistent keeps
//   one address per client.  A port needs -p tcp, udp, sctp, dccp (or icmp)
//   before the option.  Kernel (xt_nat): nat table, POSTROUTING and INPUT
//   only.  The SNAT revisions iptables uses (0 for IPv4, 1 for IPv6) have
//   no room for a "/BASE" port: it is accepted and saved as "/0".
// Example: -s 192.168.0.0/16 -o eth1 -j SNAT --to-source 203.0.113.5
// Evaluation: yes (binds the connection's first packet; a clashing source port starts the kernel's search at a random offset: the run's generator, --seed)
#include "engine/nat.h"
#include "matchers/nat_range.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"to-source", 1, false},
    {"random", 0, false},
    {"random-fully", 0, false},
    {"persistent", 0, false},
};

class SnatTarget : public NatTarget {
 public:
  explicit SnatTarget(const ExtensionInfo* info) : NatTarget(info, /*range_required=*/true) {}

  TargetEffect DescribeEffect(Family) const override { return NatEffect(Field::kSrc, true); }
  TargetVerdict Apply(Packet&, const PacketView&, EvalContext& ctx) const override {
    return NatSetup(range_, NatManip::kSrc, ctx);
  }

 private:
  Status ParseRange(std::string_view text, const ParseContext& ctx) override {
    Status s = ParseAddrsAndPorts(text, ctx);
    range_.base_port = 0;  // nf_nat_ipv4_range / nf_nat_range have no base port
    return s;
  }
  std::string FormatRange(Family f) const override { return FormatNatRange(range_, f, false); }
};

}  // namespace

extern const ExtensionInfo kSnatTarget = {
    .name = "SNAT",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kNat),
    .hooks = HookBit(Hook::kPostRouting) | HookBit(Hook::kLocalIn),
    .enables_conntrack = true,
    .create = Create<SnatTarget>,
};

}  // namespace iptsim
