// Extension: NETMAP (target, IPv4 IPv6)
// Synopsis: -j NETMAP --to ADDR[/LEN|/MASK]
// Semantics: 1:1 mapping of a whole network: the network bits of the
//   address (destination in PREROUTING/OUTPUT, source in POSTROUTING/INPUT)
//   are replaced by those of ADDR, the host bits are kept.  ADDR is read
//   like getaddrinfo ("1.2.3" is 1.2.0.3); LEN is a prefix length (base 0)
//   or, failing that, a mask; a mask that is not contiguous counts as all
//   ones.  Saved as the masked network and its prefix length.  Kernel
//   (xt_NETMAP): nat table, PREROUTING, INPUT, OUTPUT and POSTROUTING.
// Example: -d 10.1.0.0/16 -j NETMAP --to 192.168.0.0/16
// Evaluation: yes
#include "engine/nat.h"
#include "matchers/nat_range.h"
#include "matchers/nat_values.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"to", 1, false}};

class NetmapTarget : public NatTarget {
 public:
  explicit NetmapTarget(const ExtensionInfo* info) : NatTarget(info, /*range_required=*/true) {}

  // The mapped address is no range of the fields; which address is mapped
  // depends on the hook: known from a builtin chain, unmodelled in a user
  // chain (it may be reached from both kinds of hook).
  TargetEffect DescribeEffect(Family) const override {
    if (!mapped_known_) return {};
    return NatEffect(mapped_, false);
  }
  // min_addr is the network, max_addr the network with all host bits set.
  TargetVerdict Apply(Packet&, const PacketView& view, EvalContext& ctx) const override {
    return NatNetmap(range_, view, ctx);
  }

 private:
  Status ParseRange(std::string_view text, const ParseContext& ctx) override {
    IpAddr addr, mask;
    int plen;
    if (Status s = ParseXtHostMask(ctx.family, text, &addr, &mask, &plen); !s.ok())
      return Status::Error(s.message(), 0);
    range_.flags |= kNatMapIps;
    // HookManip: PREROUTING and OUTPUT map the destination, INPUT and
    // POSTROUTING the source.
    mapped_known_ = true;
    if (ctx.chain == "PREROUTING" || ctx.chain == "OUTPUT") mapped_ = Field::kDst;
    else if (ctx.chain == "INPUT" || ctx.chain == "POSTROUTING") mapped_ = Field::kSrc;
    else mapped_known_ = false;
    for (int i = 0; i < 16; ++i) {
      range_.min_addr.b[i] = addr.b[i] & mask.b[i];
      range_.max_addr.b[i] = static_cast<uint8_t>(range_.min_addr.b[i] | ~mask.b[i]);
    }
    if (ctx.family == Family::kIPv4)
      for (int i = 4; i < 16; ++i) range_.max_addr.b[i] = 0;
    return {};
  }
  // The network and its prefix length (the mask when not contiguous).
  std::string FormatRange(Family f) const override {
    IpAddr mask;
    int n = AddrLen(f);
    for (int i = 0; i < n; ++i)
      mask.b[i] = static_cast<uint8_t>(~(range_.min_addr.b[i] ^ range_.max_addr.b[i]));
    int bits = MaskPrefixLen(f, mask);
    return FormatIpAddr(f, range_.min_addr) + "/" +
           (bits >= 0 ? std::to_string(bits) : FormatIpAddr(f, mask));
  }

  Field mapped_ = Field::kDst;  // the address NETMAP rewrites
  bool mapped_known_ = false;   // false in a user chain
};

}  // namespace

extern const ExtensionInfo kNetmapTarget = {
    .name = "NETMAP",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kNat),
    .hooks = HookBit(Hook::kPreRouting) | HookBit(Hook::kLocalIn) | HookBit(Hook::kLocalOut) |
             HookBit(Hook::kPostRouting),
    .enables_conntrack = true,
    .create = Create<NetmapTarget>,
};

}  // namespace iptsim
