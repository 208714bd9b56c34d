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
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"to", 1, false}};

class NetmapTarget : public Target {
 public:
  using Target::Target;

  // min_addr is the network, max_addr the network with all host bits set.
  const NatRange& range() const { return range_; }
  TargetVerdict Apply(Packet& pkt, const PacketView& view, EvalContext& ctx) const override {
    (void)pkt;
    (void)view;
    return NatNetmap(range_, view, ctx);
  }

  Status Parse(int, bool, std::span<const Arg> args, const ParseContext& ctx) override {
    if (given_) return Status::Error("'--to' may be given only once");
    given_ = true;
    IpAddr addr, mask;
    int plen;
    std::string why;
    if (!ParseXtHostMask(ctx.family, args[0].text, &addr, &mask, &plen, &why))
      return Status::Error(why, 0);
    range_.flags |= kNatMapIps;
    for (int i = 0; i < 16; ++i) {
      range_.min_addr.b[i] = addr.b[i] & mask.b[i];
      range_.max_addr.b[i] = static_cast<uint8_t>(range_.min_addr.b[i] | ~mask.b[i]);
    }
    if (ctx.family == Family::kIPv4)
      for (int i = 4; i < 16; ++i) range_.max_addr.b[i] = 0;
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_) return Status::Error("'--to' is required");
    return {};
  }
  void Save(std::string& out, const SaveContext& ctx) const override {
    IpAddr mask;
    int n = AddrLen(ctx.family);
    for (int i = 0; i < n; ++i)
      mask.b[i] = static_cast<uint8_t>(~(range_.min_addr.b[i] ^ range_.max_addr.b[i]));
    int bits = MaskPrefixLen(ctx.family, mask);
    SaveOpt(out, "to",
            FormatIpAddr(ctx.family, range_.min_addr) + "/" +
                (bits >= 0 ? std::to_string(bits) : FormatIpAddr(ctx.family, mask)));
  }

 private:
  NatRange range_;
  bool given_ = false;
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
    .create = Create<NetmapTarget>,
};

}  // namespace iptsim
