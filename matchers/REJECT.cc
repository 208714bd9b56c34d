// Extension: REJECT (target, IPv4 IPv6)
// Synopsis: -j REJECT [--reject-with TYPE]
//   IPv4 TYPE: icmp-net-unreachable, icmp-host-unreachable,
//     icmp-proto-unreachable, icmp-port-unreachable (default),
//     icmp-net-prohibited, icmp-host-prohibited, icmp-admin-prohibited,
//     tcp-reset (aliases net-unreach, host-unreach, proto-unreach,
//     port-unreach, net-prohib, host-prohib, admin-prohib, tcp-rst)
//   IPv6 TYPE: icmp6-no-route, icmp6-adm-prohibited, icmp6-addr-unreachable,
//     icmp6-port-unreachable (default), icmp6-policy-fail,
//     icmp6-reject-route, tcp-reset (aliases without the "icmp6-" prefix,
//     addr-unreach, port-unreach)
// Semantics: drops the packet and answers with the ICMP/ICMPv6 error or a
//   TCP RST.  TYPE may be abbreviated, any case: the first name or alias
//   (in the order above) it is a prefix of wins.  Saved with the full
//   name, the default included.  Kernel (ipt_REJECT/ip6t_REJECT): filter
//   table, INPUT, FORWARD and OUTPUT only; tcp-reset needs '-p tcp' (not
//   inverted).
// Example: -p tcp -j REJECT --reject-with tcp-reset
// Evaluation: yes (verdict DROP; the ICMP error or TCP reset is generated and sent through OUTPUT
//   as the kernel does, engine/reject_reply.h; its IPv4 ID / IPv6 flow label, random in the
//   kernel, are 0; an ICMP error about a forwarded packet needs --host for its source address)
#include <array>

#include "engine/run_settings.h"
#include "engine/host.h"
#include "engine/reject_reply.h"

#include "matchers/nat_values.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"reject-with", 1, false}};

struct RejectType {
  std::string_view name, alias;
  uint8_t with;  // enum ipt_reject_with / ip6t_reject_with
};

// Table order matters: abbreviations take the first entry they fit.
constexpr std::array<RejectType, 8> kTypes4 = {{
    {"icmp-net-unreachable", "net-unreach", 0},
    {"icmp-host-unreachable", "host-unreach", 1},
    {"icmp-proto-unreachable", "proto-unreach", 2},
    {"icmp-port-unreachable", "port-unreach", 3},
    {"icmp-net-prohibited", "net-prohib", 5},
    {"icmp-host-prohibited", "host-prohib", 6},
    {"tcp-reset", "tcp-rst", 7},
    {"icmp-admin-prohibited", "admin-prohib", 8},
}};
constexpr uint8_t kTcpReset4 = 7, kPortUnreach4 = 3;

constexpr std::array<RejectType, 7> kTypes6 = {{
    {"icmp6-no-route", "no-route", 0},
    {"icmp6-adm-prohibited", "adm-prohibited", 1},
    {"icmp6-addr-unreachable", "addr-unreach", 3},
    {"icmp6-port-unreachable", "port-unreach", 4},
    {"tcp-reset", "tcp-reset", 6},
    {"icmp6-policy-fail", "policy-fail", 7},
    {"icmp6-reject-route", "reject-route", 8},
}};
constexpr uint8_t kTcpReset6 = 6, kPortUnreach6 = 4;

// strncasecmp(name, arg, strlen(arg)) == 0: arg is a prefix of name.
bool IsPrefixNoCase(std::string_view arg, std::string_view name) {
  if (arg.size() > name.size()) return false;
  for (size_t i = 0; i < arg.size(); ++i)
    if (tolower(static_cast<unsigned char>(arg[i])) != tolower(static_cast<unsigned char>(name[i])))
      return false;
  return true;
}

class RejectTarget : public Target {
 public:
  explicit RejectTarget(const ExtensionInfo* info)
      : Target(info), v6_(info->families == kFamV6), with_(v6_ ? kPortUnreach6 : kPortUnreach4) {}

  // The kernel's enum ipt_reject_with (IPv4) or ip6t_reject_with (IPv6).
  uint8_t reject_with() const { return with_; }
  bool is_tcp_reset() const { return with_ == (v6_ ? kTcpReset6 : kTcpReset4); }

  Status Parse(int, bool, std::span<const Arg> args, const ParseContext&) override {
    if (given_) return Status::Error("'--reject-with' may be given only once");
    given_ = true;
    std::string_view arg = args[0].text;
    auto find = [&](auto& table) -> bool {
      for (const RejectType& t : table)
        if (IsPrefixNoCase(arg, t.name) || IsPrefixNoCase(arg, t.alias)) {
          with_ = t.with;
          return true;
        }
      return false;
    };
    if (v6_ ? find(kTypes6) : find(kTypes4)) return {};
    if (!v6_ && (IsPrefixNoCase(arg, "echo-reply") || IsPrefixNoCase(arg, "echoreply")))
      return Status::Error("'--reject-with echo-reply' is no longer supported", 0);
    std::string msg = "unknown reject type '" + std::string(arg) + "' (valid: ";
    bool first = true;
    auto list = [&](auto& table) {
      for (const RejectType& t : table) {
        msg += (first ? "" : ", ") + std::string(t.name);
        first = false;
      }
    };
    if (v6_)
      list(kTypes6);
    else
      list(kTypes4);
    return Status::Error(msg + ")", 0);
  }
  Status Check(const CheckContext& ctx) const override {
    // reject_tg_check / reject_tg6_check.
    const IpHeaderMatch& ip = ctx.rule->ip;
    if (is_tcp_reset() && (ip.proto != 6 || ip.inv_proto))
      return Status::Error(
          "'--reject-with tcp-reset' needs '-p tcp' (the kernel refuses it "
          "otherwise; this rule has " +
          RuleProtoText(ip) + ")");
    return {};
  }
  // The reply is the kernel's own packet; the original is dropped.
  TargetEffect DescribeEffect(Family) const override {
    return describe::Verdict(TargetVerdict::kDrop);
  }
  // ipt_REJECT.c reject_tg / ip6t_REJECT.c reject_tg6: the reply (ICMP error
  // or TCP RST, nf_send_unreach / nf_send_reset) is sent as a new locally
  // generated packet, the original gets NF_DROP.  The simulator sends the
  // reply once the original's walk has ended (nothing of the original comes
  // after its REJECT line, so the order of the lines is the kernel's).
  TargetVerdict Apply(Packet& pkt, const PacketView& view, EvalContext& ctx) const override {
    if (ctx.replies) {
      // The address the host sends from towards the original's source.
      std::optional<IpAddr> route_src;
      if (const HostModel* host = HostOf(ctx)) {
        Family f = v6_ ? Family::kIPv6 : Family::kIPv4;
        if (const HostRoute* r = host->Lookup(f, view.src()))
          route_src = host->PreferredSource(*r, view.src());
      }
      ctx.replies->push_back(BuildRejectReply(pkt, view, v6_, with_, ctx.hook, route_src));
    }
    return TargetVerdict::kDrop;
  }
  void Save(std::string& out, const SaveContext&) const override {
    auto name = [&](auto& table) -> std::string_view {
      for (const RejectType& t : table)
        if (t.with == with_) return t.name;
      return "";
    };
    SaveOpt(out, "reject-with", v6_ ? name(kTypes6) : name(kTypes4));
  }

 private:
  bool v6_;
  uint8_t with_;
  bool given_ = false;
};

constexpr uint32_t kRejectHooks =
    HookBit(Hook::kLocalIn) | HookBit(Hook::kForward) | HookBit(Hook::kLocalOut);

}  // namespace

extern const ExtensionInfo kRejectTarget4 = {
    .name = "REJECT",
    .kind = ExtKind::kTarget,
    .families = kFamV4,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kFilter),
    .hooks = kRejectHooks,
    .create = Create<RejectTarget>,
};

extern const ExtensionInfo kRejectTarget6 = {
    .name = "REJECT",
    .kind = ExtKind::kTarget,
    .families = kFamV6,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kFilter),
    .hooks = kRejectHooks,
    .create = Create<RejectTarget>,
};

}  // namespace iptsim
