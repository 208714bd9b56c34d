// Extension: MASQUERADE (target, IPv4 IPv6)
// Synopsis: -j MASQUERADE [--to-ports PORT[-PORT]] [--random] [--random-fully]
// Semantics: SNAT to the primary address of the outgoing interface, chosen
//   per packet; the binding is forgotten when the interface goes down.
//   --to-ports limits the source ports and needs -p tcp, udp, sctp, dccp
//   (or icmp) before it.  Kernel (xt_MASQUERADE): nat table, POSTROUTING
//   only.  A "/BASE" after the range is accepted and saved as "/0" (the
//   structure has no room for it).
// Example: -o eth0 -p tcp -j MASQUERADE --to-ports 1024-65535 --random
// Evaluation: yes with --host (the output device's address toward the next hop, as inet_select_addr; a device without one drops the packet); without a host model unknown
#include "engine/nat.h"
#include "matchers/nat_range.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"to-ports", 1, false},
    {"random", 0, false},
    {"random-fully", 0, false},
};

class MasqueradeTarget : public NatTarget {
 public:
  explicit MasqueradeTarget(const ExtensionInfo* info)
      : NatTarget(info, /*range_required=*/false) {}

  // The source becomes the output interface's address.
  TargetEffect DescribeEffect(Family) const override { return NatEffect(Field::kSrc, false); }
  TargetVerdict Apply(Packet& pkt, const PacketView&, EvalContext& ctx) const override {
    return NatMasquerade(range_, pkt, ctx);
  }

 private:
  Status ParseRange(std::string_view text, const ParseContext& ctx) override {
    Status s = ParsePorts(text, ctx);
    range_.base_port = 0;  // nf_nat_ipv4_multi_range_compat has no base port
    return s;
  }
  std::string FormatRange(Family f) const override { return FormatNatRange(range_, f, true); }
};

}  // namespace

extern const ExtensionInfo kMasqueradeTarget = {
    .name = "MASQUERADE",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kNat),
    .hooks = HookBit(Hook::kPostRouting),
    .enables_conntrack = true,
    .create = Create<MasqueradeTarget>,
};

}  // namespace iptsim
