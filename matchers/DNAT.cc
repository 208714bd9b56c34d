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
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"to-destination", 1, false},
    {"random", 0, false},
    {"persistent", 0, false},
};

class DnatTarget : public Target {
 public:
  using Target::Target;

  const NatRange& range() const { return range_; }
  TargetVerdict Apply(Packet& pkt, const PacketView& view, EvalContext& ctx) const override {
    (void)pkt;
    (void)view;
    return NatSetup(range_, NatManip::kDst, ctx);
  }

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext& ctx) override {
    if (seen_ & (1u << option))
      return Status::Error("'--" + std::string(kOptions[option].name) + "' may be given only once");
    seen_ |= 1u << option;
    switch (option) {
      case 0: {
        std::string why;
        if (!ParseNatTo(args[0].text, ctx.family, ctx.ip, &range_, &why))
          return Status::Error(why, 0);
        return {};
      }
      case 1:
        range_.flags |= kNatProtoRandom;
        return {};
      case 2:
        range_.flags |= kNatPersistent;
        return {};
    }
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!(seen_ & 1u)) return Status::Error("'--to-destination' is required");
    return {};
  }
  void Save(std::string& out, const SaveContext& ctx) const override {
    std::string r = FormatNatRange(range_, ctx.family, false);
    if (!r.empty()) SaveOpt(out, "to-destination", r);
    SaveNatFlags(out, range_.flags);
  }

 private:
  NatRange range_;
  uint32_t seen_ = 0;
};

}  // namespace

extern const ExtensionInfo kDnatTarget = {
    .name = "DNAT",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kNat),
    .hooks = HookBit(Hook::kPreRouting) | HookBit(Hook::kLocalOut),
    .create = Create<DnatTarget>,
};

}  // namespace iptsim
