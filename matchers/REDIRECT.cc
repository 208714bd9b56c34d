// Extension: REDIRECT (target, IPv4 IPv6)
// Synopsis: -j REDIRECT [--to-ports PORT[-PORT]] [--random]
// Semantics: DNAT to the primary address of the incoming interface
//   (127.0.0.1 / ::1 for locally generated packets), keeping the port
//   unless --to-ports gives a range; --to-ports needs -p tcp, udp, sctp,
//   dccp (or icmp) before it.  Shifted port maps ("/BASE") are refused.
//   Kernel (xt_REDIRECT): nat table, PREROUTING and OUTPUT only.
// Example: -p tcp --dport 2222 -j REDIRECT --to-ports 22
// Evaluation: partial: unknown in PREROUTING without a host model (the input interface's primary address); OUTPUT redirects to 127.0.0.1 / ::1
#include "engine/nat.h"
#include "matchers/nat_range.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"to-ports", 1, false},
    {"random", 0, false},
};

class RedirectTarget : public Target {
 public:
  using Target::Target;

  const NatRange& range() const { return range_; }
  TargetVerdict Apply(Packet& pkt, const PacketView& view, EvalContext& ctx) const override {
    (void)pkt;
    (void)view;
    return NatRedirect(range_, pkt, ctx);
  }

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext& ctx) override {
    if (seen_ & (1u << option))
      return Status::Error("'--" + std::string(kOptions[option].name) + "' may be given only once");
    seen_ |= 1u << option;
    if (option == 0) {
      std::string why;
      if (!ParseNatPorts(args[0].text, ctx.ip, &range_, &why)) return Status::Error(why, 0);
      if (range_.flags & kNatProtoOffset)
        return Status::Error(
            "shifted port maps ('/BASE' after the range) are not supported by "
            "REDIRECT",
            0);
      return {};
    }
    range_.flags |= kNatProtoRandom;
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

extern const ExtensionInfo kRedirectTarget = {
    .name = "REDIRECT",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kNat),
    .hooks = HookBit(Hook::kPreRouting) | HookBit(Hook::kLocalOut),
    .create = Create<RedirectTarget>,
};

}  // namespace iptsim
