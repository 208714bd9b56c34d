// Extension: REDIRECT (target, IPv4 IPv6)
// Synopsis: -j REDIRECT [--to-ports PORT[-PORT]] [--random]
// Semantics: DNAT to the primary address of the incoming interface
//   (127.0.0.1 / ::1 for locally generated packets), keeping the port
//   unless --to-ports gives a range; --to-ports needs -p tcp, udp, sctp,
//   dccp (or icmp) before it.  Shifted port maps ("/BASE") are refused.
//   Kernel (xt_REDIRECT): nat table, PREROUTING and OUTPUT only.
// Example: -p tcp --dport 2222 -j REDIRECT --to-ports 22
// Evaluation: yes (OUTPUT: 127.0.0.1 / ::1; PREROUTING: the input device's first address from --host, a device without one drops the packet; without a host model unknown)
#include "engine/nat.h"
#include "matchers/nat_range.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"to-ports", 1, false},
    {"random", 0, false},
};

class RedirectTarget : public NatTarget {
 public:
  explicit RedirectTarget(const ExtensionInfo* info) : NatTarget(info, /*range_required=*/false) {}

  // The destination becomes an address of the host (127.0.0.1 / ::1 in
  // OUTPUT, the input interface's primary address otherwise).
  TargetEffect DescribeEffect(Family) const override { return NatEffect(Field::kDst, false); }
  TargetVerdict Apply(Packet& pkt, const PacketView&, EvalContext& ctx) const override {
    return NatRedirect(range_, pkt, ctx);
  }

 private:
  Status ParseRange(std::string_view text, const ParseContext& ctx) override {
    Status s = ParsePorts(text, ctx);
    if (!s.ok()) return s;
    if (range_.flags & kNatProtoOffset)
      return Status::Error(
          "shifted port maps ('/BASE' after the range) are not supported by "
          "REDIRECT",
          0);
    return {};
  }
  std::string FormatRange(Family f) const override { return FormatNatRange(range_, f, true); }
};

}  // namespace

extern const ExtensionInfo kRedirectTarget = {
    .name = "REDIRECT",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kNat),
    .hooks = HookBit(Hook::kPreRouting) | HookBit(Hook::kLocalOut),
    .enables_conntrack = true,
    .create = Create<RedirectTarget>,
};

}  // namespace iptsim
