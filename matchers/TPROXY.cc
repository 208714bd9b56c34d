// Extension: TPROXY (target, IPv4 IPv6)
// Synopsis: -p tcp|udp -j TPROXY --on-port PORT [--on-ip ADDR]
//   [--tproxy-mark VALUE[/MASK]]
// Semantics: transparent proxying: assigns the packet to a local socket
//   listening on ADDR:PORT (ADDR 0.0.0.0 / :: means the address of the
//   incoming interface) without changing the packet, and sets
//   skb->mark = (mark & ~MASK) ^ VALUE so policy routing can deliver it
//   locally; the packet is then accepted (NF_DROP if no socket).  PORT is
//   read as a getaddrinfo service (decimal, taken modulo 65536, or a
//   name).  Saved with all three options.  Kernel (xt_TPROXY): mangle
//   table, PREROUTING only, and the rule must match '-p tcp' or '-p udp'
//   (not inverted).
// Example: -p tcp --dport 80 -j TPROXY --on-port 3129 --tproxy-mark 0x1/0x1
// Evaluation: partial: always unknown (accept and mark with a matching local socket, else drop: needs the host's sockets)
#include "matchers/nat_values.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"on-port", 1, false},
    {"on-ip", 1, false},
    {"tproxy-mark", 1, false},
};

class TproxyTarget : public Target {
 public:
  using Target::Target;

  uint16_t port() const { return port_; }
  const IpAddr& addr() const { return addr_; }
  uint32_t mark() const { return mark_; }
  uint32_t mask() const { return mask_; }

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext& ctx) override {
    if (seen_ & (1u << option))
      return Status::Error("'--" + std::string(kOptions[option].name) + "' may be given only once");
    seen_ |= 1u << option;
    switch (option) {
      case 0:
        if (!ParseXtServicePort(args[0].text, &port_))
          return Status::Error("invalid port '" + std::string(args[0].text) +
                                   "' (expected a number or a service name)",
                               0);
        return {};
      case 1:
        if (Status s = ParseXtHost(ctx.family, args[0].text, &addr_); !s.ok())
          return Status::Error(s.message(), 0);
        return {};
      case 2:
        if (Status s = ParseXtMarkMask(args[0].text, &mark_, &mask_); !s.ok())
          return Status::Error(s.message(), 0);
        return {};
    }
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!(seen_ & 1u)) return Status::Error("'--on-port' is required");
    return {};
  }
  Status Check(const CheckContext& ctx) const override {
    // tproxy_tg4_check / tproxy_tg6_check.
    const IpHeaderMatch& ip = ctx.rule->ip;
    if ((ip.proto == 6 || ip.proto == 17) && !ip.inv_proto) return {};
    return Status::Error(
        "needs '-p tcp' or '-p udp' (the kernel refuses TPROXY otherwise; this "
        "rule has " +
        RuleProtoText(ip) + ")");
  }
  // xt_TPROXY.c tproxy_tg4/tg6: looks for an established socket of the
  // packet's connection, then for a listener on --on-ip/--on-port; with
  // one the packet gets the mark and is accepted (delivered to it),
  // without one it is dropped.  The host's sockets are not an input.
  TargetVerdict Apply(Packet&, const PacketView&, EvalContext& ctx) const override {
    ctx.unknown_reason = "-j TPROXY delivers the packet to a local socket (accepted, marked) "
                         "or drops it when there is none; the host's sockets are not an input";
    return TargetVerdict::kUnknown;
  }

  void Save(std::string& out, const SaveContext& ctx) const override {
    SaveOpt(out, "on-port", std::to_string(port_));
    SaveOpt(out, "on-ip", FormatIpAddr(ctx.family, addr_));
    SaveOpt(out, "tproxy-mark", Hex(mark_) + "/" + Hex(mask_));
  }

 private:
  uint16_t port_ = 0;
  IpAddr addr_;
  uint32_t mark_ = 0, mask_ = 0;
  uint32_t seen_ = 0;
};

}  // namespace

extern const ExtensionInfo kTproxyTarget = {
    .name = "TPROXY",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kMangle),
    .hooks = HookBit(Hook::kPreRouting),
    .create = Create<TproxyTarget>,
};

}  // namespace iptsim
