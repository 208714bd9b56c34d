// Extension: ipvs (match, IPv4 IPv6)
// Synopsis: -m ipvs [[!] --ipvs] [[!] --vproto PROTO] [[!] --vaddr ADDR[/MASK]]
//   [[!] --vport PORT] [--vdir ORIGINAL|REPLY] [[!] --vmethod GATE|IPIP|MASQ]
//   [[!] --vportctl PORT]
// Semantics: matches packets of IPVS (load balancer) connections: --ipvs
//   alone tests that the packet belongs to one; the other options test the
//   virtual service's protocol, address (of the rule's family), port, the
//   packet's direction, the forwarding method and the port of the controlling
//   connection, and imply --ipvs.  At least one option is required; "! --ipvs"
//   cannot be combined with the others.  No table or hook restriction.  Saved
//   with --vproto as a number, ports as numbers, --ipvs only when alone.
// Example: -m ipvs --vaddr 192.0.2.10 --vport 80 --vmethod MASQ
// Evaluation: yes (iptsim models no IPVS: no packet belongs to an IPVS connection, so only "! --ipvs" matches)
#include "matchers/ct_common.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

enum Opt { kIpvs, kVproto, kVaddr, kVport, kVdir, kVmethod, kVportctl, kN };

constexpr OptionSpec kOptions[] = {
    {"ipvs", 0, true},  {"vproto", 1, true},  {"vaddr", 1, true},    {"vport", 1, true},
    {"vdir", 1, false}, {"vmethod", 1, true}, {"vportctl", 1, true},
};

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if ((a[i] >= 'a' && a[i] <= 'z' ? a[i] - 32 : a[i]) != b[i]) return false;
  return true;
}

class IpvsMatch : public Match {
 public:
  using Match::Match;

  // IP_VS_CONN_F_* forwarding methods.
  enum Method : uint8_t { kMasq = 0, kTunnel = 2, kDroute = 3 };

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext& ctx) override {
    Status s = OnlyOnce(&given[option], kOptions[option].name);
    if (!s.ok()) return s;
    inverted[option] = invert;
    std::string_view text = args.empty() ? std::string_view() : args[0].text;
    switch (option) {
      case kVproto:
        if (!ParseProtocol(text, &l4proto))
          return Status::Error("unknown protocol '" + std::string(text) + "'", 0);
        return {};
      case kVaddr:
        if (Status st = ParseHostMask(ctx.family, text, &vaddr); !st.ok())
          return Status::Error(st.message(), 0);
        return {};
      case kVport:
      case kVportctl:
        if (!ParseServicePort(text, option == kVport ? &vport : &vportctl))
          return Status::Error("invalid port/service '" + std::string(text) + "'", 0);
        return {};
      case kVdir:
        if (EqualsNoCase(text, "ORIGINAL")) reply_dir = false;
        else if (EqualsNoCase(text, "REPLY")) reply_dir = true;
        else
          return Status::Error("unknown direction '" + std::string(text) +
                                   "' (must be ORIGINAL or REPLY)",
                               0);
        return {};
      case kVmethod:
        if (EqualsNoCase(text, "GATE")) method = kDroute;
        else if (EqualsNoCase(text, "IPIP")) method = kTunnel;
        else if (EqualsNoCase(text, "MASQ")) method = kMasq;
        else
          return Status::Error("unknown forwarding method '" + std::string(text) +
                                   "' (must be GATE, IPIP or MASQ)",
                               0);
        return {};
    }
    return {};
  }

  Status Finish(const ParseContext&) override {
    bool others = false, any = given[kIpvs];
    for (int o = kVproto; o < kN; ++o) {
      others |= given[o];
      any |= given[o];
    }
    if (!any) return Status::Error("at least one option is required");
    if (others && given[kIpvs] && inverted[kIpvs])
      return Status::Error("'! --ipvs' cannot be combined with other options (they imply --ipvs)");
    return {};
  }

  // xt_ipvs.c ipvs_mt: iptsim models no IPVS, so no packet has
  // skb->ipvs_property.  --ipvs alone: the property XOR its '!' (so
  // "! --ipvs" always matches); any other option needs an IPVS connection:
  // no match.
  Tri Evaluate(const PacketView&, EvalContext&) const override {
    bool others = false;
    for (int o = kVproto; o < kN; ++o) others |= given[o];
    if (!others) return ToTri(inverted[kIpvs]);
    return Tri::kFalse;
  }

  void Save(std::string& out, const SaveContext& ctx) const override {
    bool others = false;
    for (int o = kVproto; o < kN; ++o) others |= given[o];
    if (!others) SaveOpt(out, "ipvs", inverted[kIpvs]);
    if (given[kVproto]) SaveOpt(out, "vproto", std::to_string(l4proto), inverted[kVproto]);
    if (given[kVaddr]) SaveOpt(out, "vaddr", FormatHostMask(ctx.family, vaddr), inverted[kVaddr]);
    if (given[kVport]) SaveOpt(out, "vport", std::to_string(vport), inverted[kVport]);
    if (given[kVdir]) SaveOpt(out, "vdir", std::string_view(reply_dir ? "REPLY" : "ORIGINAL"));
    if (given[kVmethod])
      SaveOpt(out, "vmethod",
              std::string_view(method == kDroute ? "GATE" : method == kTunnel ? "IPIP" : "MASQ"),
              inverted[kVmethod]);
    if (given[kVportctl])
      SaveOpt(out, "vportctl", std::to_string(vportctl), inverted[kVportctl]);
  }

  bool given[kN] = {};
  bool inverted[kN] = {};
  uint8_t l4proto = 0;
  IpPrefix vaddr;  // address not masked
  uint16_t vport = 0, vportctl = 0;
  bool reply_dir = false;
  Method method = kMasq;
};

}  // namespace

extern const ExtensionInfo kIpvsMatch = {
    .name = "ipvs",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<IpvsMatch>,
};

}  // namespace iptsim
