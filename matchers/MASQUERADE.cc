// Extension: MASQUERADE (target, IPv4 IPv6)
// Synopsis: -j MASQUERADE [--to-ports PORT[-PORT]] [--random] [--random-fully]
// Semantics: SNAT to the primary address of the outgoing interface, chosen
//   per packet; the binding is forgotten when the interface goes down.
//   --to-ports limits the source ports and needs -p tcp, udp, sctp, dccp
//   (or icmp) before it.  Kernel (xt_MASQUERADE): nat table, POSTROUTING
//   only.  A "/BASE" after the range is accepted and saved as "/0" (the
//   structure has no room for it).
// Example: -o eth0 -p tcp -j MASQUERADE --to-ports 1024-65535 --random
// Evaluation: partial: unknown without a host model (the output interface's address)
#include "engine/nat.h"
#include "matchers/nat_range.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"to-ports", 1, false},
    {"random", 0, false},
    {"random-fully", 0, false},
};

class MasqueradeTarget : public Target {
 public:
  using Target::Target;

  const NatRange& range() const { return range_; }
  TargetVerdict Apply(Packet& pkt, const PacketView& view, EvalContext& ctx) const override {
    (void)pkt;
    (void)view;
    return NatMasquerade(range_, pkt, ctx);
  }

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext& ctx) override {
    if (seen_ & (1u << option))
      return Status::Error("'--" + std::string(kOptions[option].name) + "' may be given only once");
    seen_ |= 1u << option;
    switch (option) {
      case 0: {
        std::string why;
        if (!ParseNatPorts(args[0].text, ctx.ip, &range_, &why)) return Status::Error(why, 0);
        range_.base_port = 0;
        return {};
      }
      case 1:
        range_.flags |= kNatProtoRandom;
        return {};
      case 2:
        range_.flags |= kNatProtoRandomFully;
        return {};
    }
    return {};
  }
  void Save(std::string& out, const SaveContext& ctx) const override {
    std::string r = FormatNatRange(range_, ctx.family, true);
    if (!r.empty()) SaveOpt(out, "to-ports", r);
    SaveNatFlags(out, range_.flags);
  }

 private:
  NatRange range_;
  uint32_t seen_ = 0;
};

}  // namespace

extern const ExtensionInfo kMasqueradeTarget = {
    .name = "MASQUERADE",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kNat),
    .hooks = HookBit(Hook::kPostRouting),
    .create = Create<MasqueradeTarget>,
};

}  // namespace iptsim
