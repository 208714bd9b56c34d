// Extension: conntrack (match, IPv4 IPv6)
// Synopsis: -m conntrack [[!] --ctstate STATES] [[!] --ctproto PROTO]
//   [[!] --ctorigsrc ADDR[/MASK]] [[!] --ctorigdst ADDR[/MASK]]
//   [[!] --ctreplsrc ADDR[/MASK]] [[!] --ctrepldst ADDR[/MASK]]
//   [[!] --ctorigsrcport PORT[:PORT]] [[!] --ctorigdstport PORT[:PORT]]
//   [[!] --ctreplsrcport PORT[:PORT]] [[!] --ctrepldstport PORT[:PORT]]
//   [[!] --ctstatus STATUSES] [[!] --ctexpire SECS[:SECS]]
//   [--ctdir ORIGINAL|REPLY]
// Semantics: matches properties of the packet's conntrack entry (xt_conntrack
//   revision 3).  STATES is a comma list of INVALID, NEW, ESTABLISHED,
//   RELATED, UNTRACKED, SNAT, DNAT (SNAT/DNAT: the reply tuple differs from the
//   original, i.e. the connection is NATed); STATUSES of NONE, EXPECTED,
//   SEEN_REPLY, ASSURED, CONFIRMED; each test is ANDed and may be inverted
//   separately.  Addresses are of the rule's family; ports are ranges;
//   --ctexpire compares the remaining lifetime in seconds; --ctdir restricts
//   to packets of that direction.  No table or hook restriction; the kernel
//   only loads conntrack for the family.  --ctproto 0 is refused (it could
//   never match, or always when inverted), so is an empty option list.
//   Reversed port and expiry ranges load (iptables 1.8.9) and never match
//   (always when inverted).  Saved with --ctproto as a number and states/statuses in
//   iptables' order.
// Example: -m conntrack --ctstate RELATED,ESTABLISHED
// Evaluation: partial: unknown for --ctexpire on a connection's first packet (the kernel's value depends on its jiffies)
#include <cctype>

#include "matchers/ct_common.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

enum Opt {
  kState,
  kProto,
  kOrigSrc,
  kOrigDst,
  kReplSrc,
  kReplDst,
  kStatus,
  kExpire,
  kOrigSrcPort,
  kOrigDstPort,
  kReplSrcPort,
  kReplDstPort,
  kDir,
  kNumOpts
};

constexpr OptionSpec kOptions[] = {
    {"ctstate", 1, true},       {"ctproto", 1, true},       {"ctorigsrc", 1, true},
    {"ctorigdst", 1, true},     {"ctreplsrc", 1, true},     {"ctrepldst", 1, true},
    {"ctstatus", 1, true},      {"ctexpire", 1, true},      {"ctorigsrcport", 1, true},
    {"ctorigdstport", 1, true}, {"ctreplsrcport", 1, true}, {"ctrepldstport", 1, true},
    {"ctdir", 1, false},
};
static_assert(sizeof(kOptions) / sizeof(kOptions[0]) == kNumOpts);

// Conntrack states as the kernel's xt_conntrack numbers them.
enum CtStateBit : uint32_t {
  kCtInvalid = 1u << 0,
  kCtEstablished = 1u << 1,
  kCtRelated = 1u << 2,
  kCtNew = 1u << 3,
  kCtSnat = 1u << 6,
  kCtDnat = 1u << 7,
  kCtUntracked = 1u << 8,
};
// Conntrack status bits (IPS_*).
enum CtStatusBit : uint32_t {
  kCtsExpected = 1u << 0,
  kCtsSeenReply = 1u << 1,
  kCtsAssured = 1u << 2,
  kCtsConfirmed = 1u << 3,
};

// Parse order (prefixes resolve to the first) and save order differ.
constexpr NamedBit kStateParse[] = {
    {"INVALID", kCtInvalid}, {"NEW", kCtNew},   {"ESTABLISHED", kCtEstablished},
    {"RELATED", kCtRelated}, {"UNTRACKED", kCtUntracked}, {"SNAT", kCtSnat},
    {"DNAT", kCtDnat},
};
constexpr NamedBit kStateSave[] = {
    {"INVALID", kCtInvalid},         {"NEW", kCtNew},   {"RELATED", kCtRelated},
    {"ESTABLISHED", kCtEstablished}, {"UNTRACKED", kCtUntracked}, {"SNAT", kCtSnat},
    {"DNAT", kCtDnat},
};
constexpr NamedBit kStatusNames[] = {
    {"NONE", 0},
    {"EXPECTED", kCtsExpected},
    {"SEEN_REPLY", kCtsSeenReply},
    {"ASSURED", kCtsAssured},
    {"CONFIRMED", kCtsConfirmed},
};

class ConntrackMatch : public Match {
 public:
  using Match::Match;

  // One port or expiry range.
  struct Range {
    uint32_t lo = 0, hi = 0;
  };

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext& ctx) override {
    Status s = OnlyOnce(&given[option], kOptions[option].name);
    if (!s.ok()) return s;
    inverted[option] = invert;
    std::string_view text = args[0].text;
    switch (option) {
      case kState: {
        std::string bad;
        if (!ParseNameList(text, kStateParse, &state_mask, &bad))
          return Status::Error(bad.empty() ? EmptyItem("state", text) : "unknown state '" + bad +
                                   "' (states are INVALID, NEW, ESTABLISHED, RELATED, "
                                   "UNTRACKED, SNAT, DNAT)",
                               0);
        return {};
      }
      case kProto:
        if (!ParseProtocol(text, &l4proto))
          return Status::Error("unknown protocol '" + std::string(text) + "'", 0);
        if (l4proto == 0)
          return Status::Error(invert ? "'! --ctproto " + std::string(text) +
                                            "' would always match (no connection has "
                                            "protocol 0)"
                                      : "'--ctproto " + std::string(text) +
                                            "' would never match (no connection has "
                                            "protocol 0)",
                               0);
        return {};
      case kOrigSrc:
      case kOrigDst:
      case kReplSrc:
      case kReplDst:
        if (Status st = ParseHostMask(ctx.family, text, &addr[option - kOrigSrc]); !st.ok())
          return Status::Error(st.message(), 0);
        return {};
      case kStatus: {
        std::string bad;
        if (!ParseNameList(text, kStatusNames, &status_mask, &bad))
          return Status::Error(bad.empty() ? EmptyItem("status", text) : "unknown status '" + bad +
                                   "' (statuses are NONE, EXPECTED, SEEN_REPLY, ASSURED, "
                                   "CONFIRMED)",
                               0);
        return {};
      }
      case kExpire: {
        uint64_t lo, hi;
        bool two;
        if (Status st = ParseUIntRange(text, 0xffffffff, "expiry time", &lo, &hi, &two,
                                        RangeOrder::kAnyOrder); !st.ok())
          return Status::Error(st.message(), 0);
        expire = {static_cast<uint32_t>(lo), static_cast<uint32_t>(hi)};
        return {};
      }
      case kOrigSrcPort:
      case kOrigDstPort:
      case kReplSrcPort:
      case kReplDstPort: {
        uint16_t lo, hi;
        if (Status st = ParseServicePortRange(text, &lo, &hi, RangeOrder::kAnyOrder); !st.ok())
          return Status::Error(st.message(), 0);
        port[option - kOrigSrcPort] = {lo, hi};
        return {};
      }
      case kDir:
        if (EqualsNoCase(text, "ORIGINAL")) reply_dir = false;
        else if (EqualsNoCase(text, "REPLY")) reply_dir = true;
        else
          return Status::Error("unknown direction '" + std::string(text) +
                                   "' (must be ORIGINAL or REPLY)",
                               0);
        return {};
    }
    return {};
  }

  Status Finish(const ParseContext&) override {
    for (bool g : given)
      if (g) return {};
    return Status::Error("at least one option is required");
  }

  void Save(std::string& out, const SaveContext& ctx) const override {
    if (given[kState])
      SaveOpt(out, "ctstate", NameListText(state_mask, kStateSave), inverted[kState]);
    if (given[kProto]) SaveOpt(out, "ctproto", std::to_string(l4proto), inverted[kProto]);
    for (int i = 0; i < 4; ++i)
      if (given[kOrigSrc + i])
        SaveOpt(out, kOptions[kOrigSrc + i].name, FormatHostMask(ctx.family, addr[i]),
                inverted[kOrigSrc + i]);
    for (int i = 0; i < 4; ++i)
      if (given[kOrigSrcPort + i])
        SaveOpt(out, kOptions[kOrigSrcPort + i].name, RangeText(port[i]),
                inverted[kOrigSrcPort + i]);
    if (given[kStatus]) {
      std::string st = status_mask ? NameListText(status_mask, kStatusNames) : "NONE";
      SaveOpt(out, "ctstatus", st, inverted[kStatus]);
    }
    if (given[kExpire]) SaveOpt(out, "ctexpire", RangeText(expire), inverted[kExpire]);
    if (given[kDir]) SaveOpt(out, "ctdir", std::string_view(reply_dir ? "REPLY" : "ORIGINAL"));
  }

  // Only a lone --ctstate without the virtual states SNAT and DNAT is a
  // test of the ctstate field; every other option reads the connection's
  // entry (tuples, status, expiry), which is no field: the whole match is
  // opaque.
  Pred Describe(Family) const override {
    for (int o = 0; o < kNumOpts; ++o)
      if (given[o] && o != kState) return Pred::Opaque();
    if (!given[kState] || (state_mask & (kCtSnat | kCtDnat))) return Pred::Opaque();
    return Pred::Inverted(CtStateIn(state_mask, kCtUntracked), inverted[kState]);
  }

  // conntrack_mt (revision 3).
  Tri Evaluate(const PacketView&, EvalContext& ctx) const override {
    const CtRef* ct = ctx.ct;
    const ConntrackEntry* e = ct ? ct->entry : nullptr;
    if (given[kState]) {
      uint32_t bits = CtStateOf(ctx, kCtUntracked);
      if (e) {
        if (e->status & ips::kSrcNat) bits |= kCtSnat;
        if (e->status & ips::kDstNat) bits |= kCtDnat;
      }
      if (((state_mask & bits) != 0) == inverted[kState]) return Tri::kFalse;
    }
    // Without an entry only --ctstate can match.
    if (!e) return ToTri(given[kState]);
    if (given[kDir] && (ct->dir() == kCtReply) != reply_dir) return Tri::kFalse;
    const CtTuple* tuples = e->tuple;
    const IpAddr* which[4] = {&tuples[kCtOriginal].src, &tuples[kCtOriginal].dst,
                              &tuples[kCtReply].src, &tuples[kCtReply].dst};
    for (int i = 0; i < 4; ++i) {
      if (!given[kOrigSrc + i]) continue;
      bool eq = true;
      for (int b = 0; b < 16; ++b)
        eq = eq && ((which[i]->b[b] & addr[i].mask.b[b]) == (addr[i].addr.b[b] & addr[i].mask.b[b]));
      if (eq == inverted[kOrigSrc + i]) return Tri::kFalse;
    }
    if (given[kProto] && (tuples[kCtOriginal].proto == l4proto) == inverted[kProto])
      return Tri::kFalse;
    const uint16_t ports[4] = {tuples[kCtOriginal].sport, tuples[kCtOriginal].dport,
                               tuples[kCtReply].sport, tuples[kCtReply].dport};
    for (int i = 0; i < 4; ++i) {
      if (!given[kOrigSrcPort + i]) continue;
      bool in = ports[i] >= port[i].lo && ports[i] <= port[i].hi;
      if (in == inverted[kOrigSrcPort + i]) return Tri::kFalse;
    }
    if (given[kStatus] && ((status_mask & e->status) != 0) == inverted[kStatus]) return Tri::kFalse;
    if (given[kExpire]) {
      if (!e->confirmed()) {
        // nf_ct_expires of an unconfirmed entry subtracts jiffies from a
        // relative timeout: the result depends on the host's uptime.
        ctx.unknown_reason =
            "--ctexpire on a connection's first packet (unconfirmed entry): the kernel's "
            "answer depends on its jiffies counter";
        return Tri::kUnknown;
      }
      uint32_t left = ct->packet ? e->ExpiresIn(ct->packet->now()) : 0;
      bool in = left >= expire.lo && left <= expire.hi;
      if (in == inverted[kExpire]) return Tri::kFalse;
    }
    return Tri::kTrue;
  }

  // Parsed values; an option counts only when given[] is set.
  bool given[kNumOpts] = {};
  bool inverted[kNumOpts] = {};
  uint32_t state_mask = 0;   // CtStateBit
  uint32_t status_mask = 0;  // CtStatusBit
  uint8_t l4proto = 0;
  IpPrefix addr[4];  // origsrc, origdst, replsrc, repldst (address not masked)
  Range port[4];     // origsrc, origdst, replsrc, repldst
  Range expire;
  bool reply_dir = false;

 private:
  static std::string RangeText(Range r) {
    return r.lo == r.hi ? std::to_string(r.lo) : std::to_string(r.lo) + ":" + std::to_string(r.hi);
  }
  static bool EqualsNoCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (toupper(static_cast<unsigned char>(a[i])) != b[i]) return false;
    return true;
  }
};

}  // namespace

extern const ExtensionInfo kConntrackMatch = {
    .name = "conntrack",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .enables_conntrack = true,
    .create = Create<ConntrackMatch>,
    .may_be_undecided = true,
};

}  // namespace iptsim
