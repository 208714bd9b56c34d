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
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"to-source", 1, false},
    {"random", 0, false},
    {"random-fully", 0, false},
    {"persistent", 0, false},
};

class SnatTarget : public Target {
 public:
  using Target::Target;

  const NatRange& range() const { return range_; }
  TargetVerdict Apply(Packet& pkt, const PacketView& view, EvalContext& ctx) const override {
    (void)pkt;
    (void)view;
    return NatSetup(range_, NatManip::kSrc, ctx);
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
        range_.base_port = 0;  // nf_nat_ipv4_range / nf_nat_range have no base port
        return {};
      }
      case 1:
        range_.flags |= kNatProtoRandom;
        return {};
      case 2:
        range_.flags |= kNatProtoRandomFully;
        return {};
      case 3:
        range_.flags |= kNatPersistent;
        return {};
    }
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!(seen_ & 1u)) return Status::Error("'--to-source' is required");
    return {};
  }
  void Save(std::string& out, const SaveContext& ctx) const override {
    std::string r = FormatNatRange(range_, ctx.family, false);
    if (!r.empty()) SaveOpt(out, "to-source", r);
    SaveNatFlags(out, range_.flags);
  }

 private:
  NatRange range_;
  uint32_t seen_ = 0;
};

}  // namespace

extern const ExtensionInfo kSnatTarget = {
    .name = "SNAT",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kNat),
    .hooks = HookBit(Hook::kPostRouting) | HookBit(Hook::kLocalIn),
    .create = Create<SnatTarget>,
};

}  // namespace iptsim
