// Extension: CT (target, IPv4 IPv6)
// Synopsis: -j CT [--notrack] [--helper NAME] [--timeout POLICY]
//   [--ctevents EVENTS] [--expevents new]
//   [--zone-orig|--zone-reply|--zone ID|mark]
// Semantics: attaches a conntrack template to packets that have no conntrack
//   entry yet, then continues with the next rule: --notrack marks them
//   untracked (everything else is then ignored); --helper assigns a conntrack
//   helper; --timeout a timeout policy; --ctevents/--expevents restrict the
//   events delivered to ctnetlink (new, related, destroy, reply, assured,
//   protoinfo, helper, mark, natseqinfo, secmark / new); --zone puts the
//   connection in zone ID (0..65535) or the zone taken from the packet mark,
//   --zone-orig/--zone-reply in one direction only.  Only in the raw table
//   (xt_CT .table = "raw").  The kernel looks --helper and --timeout up by the
//   rule's protocol, so they need a non-inverted -p; the helper must exist for
//   that protocol and family (the mainline helpers: ftp, irc, sip, tftp,
//   amanda, sane, pptp, RAS, Q.931, H.245, netbios-ns, snmp, snmp_trap with
//   their protocols; irc, pptp, netbios-ns, snmp, snmp_trap are IPv4 only).
//   Timeout policies are objects created outside the ruleset (nfct), so iptsim
//   accepts any POLICY name.  Zone 0 without "mark" is not saved.
// Example: -p tcp --dport 21 -j CT --helper ftp
// Evaluation: yes (--helper only names the entry's helper: no expectations are created; --timeout, --ctevents, --expevents change nothing the trace shows)
#include "matchers/ct_common.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

enum Opt { kNotrack, kHelper, kCtEvents, kExpEvents, kZoneOrig, kZoneReply, kZone, kTimeout, kN };

constexpr OptionSpec kOptions[] = {
    {"notrack", 0, false},  {"helper", 1, false},     {"ctevents", 1, false},
    {"expevents", 1, false}, {"zone-orig", 1, false}, {"zone-reply", 1, false},
    {"zone", 1, false},      {"timeout", 1, false},
};

// Kernel flag values (xt_CT.h).
constexpr uint16_t kFlagNotrack = 1, kFlagZoneOrig = 4, kFlagZoneReply = 8, kFlagZoneMark = 16;

// Event names in iptables' table order, with their IPCT_* / IPEXP_* bits.
constexpr NamedBit kCtEventNames[] = {
    {"new", 1u << 0},       {"related", 1u << 1},    {"destroy", 1u << 2}, {"reply", 1u << 3},
    {"assured", 1u << 4},   {"protoinfo", 1u << 5},  {"helper", 1u << 6},  {"mark", 1u << 7},
    {"natseqinfo", 1u << 8}, {"secmark", 1u << 9},
};
constexpr NamedBit kExpEventNames[] = {{"new", 1u << 0}};

struct KnownHelper {
  std::string_view name;
  uint8_t proto;
  uint8_t families;
};
constexpr KnownHelper kHelpers[] = {
    {"ftp", 6, kFamBoth},       {"irc", 6, kFamV4},         {"sip", 17, kFamBoth},
    {"sip", 6, kFamBoth},       {"tftp", 17, kFamBoth},     {"amanda", 17, kFamBoth},
    {"sane", 6, kFamBoth},      {"pptp", 6, kFamV4},        {"RAS", 17, kFamBoth},
    {"Q.931", 6, kFamBoth},     {"H.245", 17, kFamBoth},    {"netbios-ns", 17, kFamV4},
    {"snmp", 17, kFamV4},       {"snmp_trap", 17, kFamV4},
};

constexpr size_t kMaxHelper = 15;   // char helper[16]
constexpr size_t kMaxTimeout = 31;  // char timeout[32]

// Event lists: exact lower-case names, comma-separated, no empty items.
bool ParseEvents(std::string_view text, std::span<const NamedBit> names, uint32_t* mask,
                 std::string* bad) {
  uint32_t m = 0;
  while (true) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    bool found = false;
    for (const NamedBit& n : names)
      if (n.name == item) {
        m |= n.bit;
        found = true;
        break;
      }
    if (!found) {
      *bad = std::string(item);
      return false;
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  *mask = m;
  return true;
}

std::string ProtoText(uint8_t p) {
  std::string_view n = ProtoName(p);
  return n.empty() ? std::to_string(p) : std::string(n);
}

class CtTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    Status s = OnlyOnce(&given_[option], kOptions[option].name);
    if (!s.ok()) return s;
    std::string_view text = args.empty() ? std::string_view() : args[0].text;
    std::string bad;
    switch (option) {
      case kNotrack:
        flags |= kFlagNotrack;
        return {};
      case kHelper:
        helper = std::string(text.substr(0, kMaxHelper));
        return {};
      case kTimeout:
        timeout = std::string(text.substr(0, kMaxTimeout));
        return {};
      case kCtEvents:
        if (!ParseEvents(text, kCtEventNames, &ct_events, &bad))
          return Status::Error(bad.empty() ? EmptyItem("event", text) : "unknown event '" + bad +
                                   "' (events are new, related, destroy, reply, assured, "
                                   "protoinfo, helper, mark, natseqinfo, secmark)",
                               0);
        return {};
      case kExpEvents:
        if (!ParseEvents(text, kExpEventNames, &exp_events, &bad))
          return Status::Error(bad.empty() ? EmptyItem("event", text)
                                           : "unknown expectation event '" + bad +
                                                 "' (the only one is new)",
                               0);
        return {};
      case kZoneOrig:
      case kZoneReply:
      case kZone: {
        // As iptables: the direction flags accumulate, the id is replaced,
        // and "mark" stays once given.
        if (option == kZoneOrig) flags |= kFlagZoneOrig;
        if (option == kZoneReply) flags |= kFlagZoneReply;
        zone = 0;
        if (text.size() == 4 && (text[0] | 0x20) == 'm' && (text[1] | 0x20) == 'a' &&
            (text[2] | 0x20) == 'r' && (text[3] | 0x20) == 'k') {
          flags |= kFlagZoneMark;
          return {};
        }
        return ParseUIntArgT(args, 0, 0, 65535, "zone ID", &zone);
      }
    }
    return {};
  }

  Status Check(const CheckContext& ctx) const override {
    if (flags & kFlagNotrack) return {};
    uint8_t proto = ctx.rule && !ctx.rule->ip.inv_proto ? ctx.rule->ip.proto : 0;
    if (!helper.empty()) {
      if (proto == 0)
        return Status::Error("--helper needs a protocol: the kernel looks helpers up by the "
                             "rule's -p (not inverted), e.g. '-p tcp'");
      uint8_t fam = FamilyBit(ctx.family);
      bool name_known = false;
      for (const KnownHelper& h : kHelpers) {
        if (h.name != helper) continue;
        name_known = true;
        if (h.proto == proto && (h.families & fam)) return {};
      }
      std::string msg = "no conntrack helper '" + helper + "'";
      if (name_known) {
        msg += " for -p " + ProtoText(proto) + " in " +
               (ctx.family == Family::kIPv4 ? "IPv4" : "IPv6") + " (it exists for";
        bool first = true;
        for (const KnownHelper& h : kHelpers)
          if (h.name == helper) {
            msg += std::string(first ? " " : ", ") + "-p " + ProtoText(h.proto) +
                   (h.families == kFamBoth ? "" : h.families == kFamV4 ? " IPv4" : " IPv6");
            first = false;
          }
        msg += ")";
      } else {
        msg += " (helpers: ftp, irc, sip, tftp, amanda, sane, pptp, RAS, Q.931, H.245, "
               "netbios-ns, snmp, snmp_trap)";
      }
      return Status::Error(msg);
    }
    if (!timeout.empty() && proto == 0)
      return Status::Error("--timeout needs a protocol: the kernel applies the policy for the "
                           "rule's -p (not inverted), e.g. '-p tcp'");
    return {};
  }

  // --notrack makes a packet without an entry untracked (a packet with one
  // keeps it; in raw, where CT is allowed, packets have none unless looped
  // back).  Any other template makes -m state read NEW in raw instead of
  // INVALID, and sets a zone or helper: unmodelled.
  TargetEffect DescribeEffect(Family) const override {
    if (flags & kFlagNotrack) return describe::SetBits(Field::kCtState, 0x7, kCtUntracked);
    return {};
  }
  // xt_ct_target: only a packet without an entry (a looped-back packet
  // keeps the one it got in OUTPUT) gets the template.
  TargetVerdict Apply(Packet& pkt, const PacketView&, EvalContext& ctx) const override {
    CtRef* ct = ctx.ct;
    if (!ct || ct->entry || ct->untracked) return TargetVerdict::kContinue;
    if (flags & kFlagNotrack) {
      ct->tmpl_notrack = true;
      ct->untracked = true;
      ct->info = CtInfo::kUntracked;
      return TargetVerdict::kContinue;
    }
    ct->tmpl = true;
    ct->tmpl_zone = (flags & kFlagZoneMark) ? static_cast<uint16_t>(pkt.mark) : zone;
    // XT_CT_ZONE_DIR_ORIG / _REPL: the zone applies to that direction only.
    const uint16_t dirs = flags & (kFlagZoneOrig | kFlagZoneReply);
    ct->tmpl_zone_dir = dirs == kFlagZoneOrig ? 1 : dirs == kFlagZoneReply ? 2 : 3;
    if (!helper.empty()) ct->tmpl_helper = helper;
    return TargetVerdict::kContinue;
  }

  // xt_CT takes a conntrack reference except for --notrack.
  bool EnablesConntrack() const override { return !(flags & kFlagNotrack); }

  void Save(std::string& out, const SaveContext&) const override {
    if (flags & kFlagNotrack) SaveOpt(out, "notrack");
    if (!helper.empty()) SaveOpt(out, "helper", helper);
    if (!timeout.empty()) SaveOpt(out, "timeout", timeout);
    if (ct_events) SaveOpt(out, "ctevents", NameListText(ct_events, kCtEventNames));
    if (exp_events) SaveOpt(out, "expevents", NameListText(exp_events, kExpEventNames));
    if ((flags & kFlagZoneMark) || zone) {
      uint16_t dir = flags & (kFlagZoneOrig | kFlagZoneReply);
      std::string_view opt = dir == kFlagZoneOrig    ? "zone-orig"
                             : dir == kFlagZoneReply ? "zone-reply"
                                                     : "zone";
      SaveOpt(out, opt, (flags & kFlagZoneMark) ? std::string("mark") : std::to_string(zone));
    }
  }

  uint16_t flags = 0;  // kernel XT_CT_* flags
  uint16_t zone = 0;
  uint32_t ct_events = 0, exp_events = 0;
  std::string helper, timeout;

 private:
  bool given_[kN] = {};
};

}  // namespace

extern const ExtensionInfo kCtTarget = {
    .name = "CT",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kRaw),
    .create = Create<CtTarget>,
};

}  // namespace iptsim
