#include "engine/walker.h"

#include "engine/run_settings.h"

#include <cstring>
#include <map>
#include <vector>

#include "engine/extension.h"

namespace iptsim {

namespace {

// (a & mask) == addr over the family's bytes, a word at a time (the same
// test as a byte loop: the operations are bitwise).
bool AddrMatches4(const IpPrefix& p, uint32_t a) {
  uint32_t addr, mask;
  memcpy(&addr, p.addr.b.data(), 4);
  memcpy(&mask, p.mask.b.data(), 4);
  return (a & mask) == addr;
}

bool AddrMatches6(const IpPrefix& p, const uint8_t* a) {
  uint64_t a0, a1, m0, m1, p0, p1;
  memcpy(&a0, a, 8);
  memcpy(&a1, a + 8, 8);
  memcpy(&m0, p.mask.b.data(), 8);
  memcpy(&m1, p.mask.b.data() + 8, 8);
  memcpy(&p0, p.addr.b.data(), 8);
  memcpy(&p1, p.addr.b.data() + 8, 8);
  return ((a0 & m0) == p0) & ((a1 & m1) == p1);
}

// The walker's return addresses: a fixed array for the usual depths, a
// vector only beyond them (no allocation per packet).
struct Frame {
  int chain;
  uint32_t rule;
};
class JumpStack {
 public:
  bool empty() const { return n_ == 0; }
  void push_back(Frame f) {
    if (n_ < kInline) inline_[n_] = f;
    else more_.push_back(f);
    ++n_;
  }
  const Frame& back() const { return n_ <= kInline ? inline_[n_ - 1] : more_.back(); }
  void pop_back() {
    if (n_ > kInline) more_.pop_back();
    --n_;
  }

 private:
  static constexpr size_t kInline = 32;
  Frame inline_[kInline];
  size_t n_ = 0;
  std::vector<Frame> more_;
};

}  // namespace

namespace {

// The addresses as PacketView::src()/dst() give them (zero when the header
// is cut short), read once per view instead of once per rule.
struct Addrs {
  uint32_t src4 = 0, dst4 = 0;
  const uint8_t* src6;
  const uint8_t* dst6;
};
constexpr uint8_t kZero16[16] = {};

Addrs AddrsOf(const PacketView& v) {
  Addrs a;
  a.src6 = a.dst6 = kZero16;
  if (v.pkt->family == Family::kIPv4) {
    if (v.size() >= 20) {
      memcpy(&a.src4, v.data() + 12, 4);
      memcpy(&a.dst4, v.data() + 16, 4);
    }
  } else if (v.size() >= 40) {
    a.src6 = v.data() + 8;
    a.dst6 = v.data() + 24;
  }
  return a;
}

inline bool BaseMatchesImpl(const IpHeaderMatch& ip, const PacketView& v, const Addrs& a) {
  const Packet& p = *v.pkt;
  if (p.family == Family::kIPv4) {
    if (AddrMatches4(ip.src, a.src4) == ip.inv_src) return false;
    if (AddrMatches4(ip.dst, a.dst4) == ip.inv_dst) return false;
    if (!ip.in_iface.empty() && IfaceMatches(ip.in_iface, p.in) == ip.inv_in) return false;
    if (!ip.out_iface.empty() && IfaceMatches(ip.out_iface, p.out) == ip.inv_out) return false;
    if (ip.proto && (v.l4proto != ip.proto) != ip.inv_proto) return false;
    // -f: a non-first fragment (IPv4 offset != 0).
    if (ip.fragment && (v.fragoff == 0) != ip.inv_frag) return false;
    return true;
  }
  if (AddrMatches6(ip.src, a.src6) == ip.inv_src) return false;
  if (AddrMatches6(ip.dst, a.dst6) == ip.inv_dst) return false;
  if (!ip.in_iface.empty() && IfaceMatches(ip.in_iface, p.in) == ip.inv_in) return false;
  if (!ip.out_iface.empty() && IfaceMatches(ip.out_iface, p.out) == ip.inv_out) return false;
  // ip6_packet_match: the protocol is the one after the extension headers.
  if (ip.proto_given) {
    if (!v.l4proto_found) return false;
    if (ip.proto == v.l4proto) return !ip.inv_proto;
    if (ip.proto != 0 && !ip.inv_proto) return false;
  }
  return true;
}

// The rule's -m matches once its base match passed, in order, stopping at
// the first that fails (ipt_do_table).  An undecided one is decided by the
// rule's --assume TABLE:CHAIN:N=match|nomatch, else by an --assume
// NAME=true|false the match did not apply to a test of its own (the run's
// limits: hashlimit's garbage collection, a clock that runs backwards...);
// otherwise kUnknown.  `watch`: --why's record of the answers.
inline Tri MatchesOf(const Rule& r, const PacketView& view, EvalContext& ctx, RuleProbe* watch,
                     const std::map<std::pair<const Rule*, int>, bool>* forced) {
  for (size_t m = 0; m < r.matches.size(); ++m) {
    if (forced) {
      auto it = forced->find({&r, static_cast<int>(m)});
      if (it != forced->end()) {
        if (!it->second) return Tri::kFalse;
        continue;
      }
    }
    Tri t = r.matches[m]->Evaluate(view, ctx);
    bool assumed = false;
    if (t == Tri::kUnknown) {
      const bool* decided = ctx.rule_assumption;
      if (!decided) decided = AssumedTest(ctx, r.matches[m]->info().name);
      if (!decided) return Tri::kUnknown;
      ctx.unknown_reason.clear();  // decided: nothing is missing
      t = ToTri(*decided);
      assumed = true;
    }
    if (watch) watch->matches.push_back({t, assumed});
    if (t == Tri::kFalse) return t;
  }
  return Tri::kTrue;
}

// The rule's -s/-d/-i/-o part as the symbolic layer's example assumes it
// (RunSettings::forced_conditions), else as the packet has it.
bool ForcedBase(const std::map<std::pair<const Rule*, int>, bool>& forced, const Rule& r,
                bool matched) {
  auto it = forced.find({&r, -1});
  return it == forced.end() ? matched : it->second;
}

// What a standard target (-j ACCEPT, DROP, QUEUE, RETURN) tells the walk;
// no -j continues.  (Extension targets answer for themselves.)
TargetVerdict StandardVerdict(TargetKind kind) {
  switch (kind) {
    case TargetKind::kAccept: return TargetVerdict::kAccept;
    case TargetKind::kDrop: return TargetVerdict::kDrop;
    case TargetKind::kQueue: return TargetVerdict::kQueue;
    case TargetKind::kReturn: return TargetVerdict::kReturn;
    default: return TargetVerdict::kContinue;
  }
}

// The reason of an undecided match, headed by the rule (TABLE:CHAIN:N) and
// ending with the way to decide that rule alone.
void NameUndecidedRule(TableId table, const Chain& c, uint32_t number, std::string& reason) {
  const std::string here =
      std::string(TableName(table)) + ":" + c.name + ":" + std::to_string(number);
  const bool question = reason.starts_with("needs to know ");
  reason = here + (question ? " " : ": ") + reason +
           "; or decide this rule alone with --assume " + here + "=match|nomatch";
}

}  // namespace

bool BaseMatches(const IpHeaderMatch& ip, const PacketView& v) {
  return BaseMatchesImpl(ip, v, AddrsOf(v));
}

TraceLabel LabelFor(const Chain& chain, const Rule& r, Family family) {
  bool standard_negative = r.target_kind == TargetKind::kAccept ||
                           r.target_kind == TargetKind::kDrop ||
                           r.target_kind == TargetKind::kQueue ||
                           r.target_kind == TargetKind::kReturn;
  // A rule without -j is "rule" too (checked with the kernel: libiptc does
  // not give it a negative standard verdict).
  if (r.matches.empty() && r.ip.IsUnconditional(family) && standard_negative)
    return chain.builtin ? TraceLabel::kPolicy : TraceLabel::kReturn;
  return TraceLabel::kRule;
}

Verdict RunTable(const Table& table, Packet& pkt, EvalContext& ctx) {
  const Chain* builtin = table.BuiltinChain(ctx.hook);
  if (!builtin) return Verdict::kAccept;
  const int root = static_cast<int>(builtin - table.chains.data());
  JumpStack stack;  // return addresses of -j jumps
  int ci = root;
  uint32_t ri = 0;
  // The packet's layout: the caller's when it has one for this packet.
  PacketView own;
  if (!ctx.view || ctx.view->pkt != &pkt) own = PacketView::Of(pkt);
  PacketView& view = ctx.view && ctx.view->pkt == &pkt ? *ctx.view : own;
  Addrs addrs = AddrsOf(view);
  // --why's probes (none in a plain run: one test per rule).
  const std::vector<RuleProbe*>* probes =
      ctx.settings && !ctx.settings->probes.empty() ? &ctx.settings->probes : nullptr;
  const bool any_rule_assumed = ctx.settings && !ctx.settings->rule_assumptions.empty();
  const std::map<std::pair<const Rule*, int>, bool>* forced =
      ctx.settings && !ctx.settings->forced_conditions.empty() ? &ctx.settings->forced_conditions
                                                               : nullptr;
  // A loop guard beyond the kernel's load-time check: no walk visits more
  // entries than this.
  size_t budget = 1u << 26;

  auto report = [&](const Chain& c, const Rule* r, TraceLabel label, uint32_t number) {
    if (!ctx.observer) return RuleEvent{};
    RuleEvent e{table.id, ctx.hook, &c, r, label, number, pkt.nf_trace, &pkt};
    ctx.observer->OnRule(e);
    return e;
  };
  // The entry that gave the table's verdict, for the user's answer.
  auto decided = [&](const Chain& c, const Rule* r, uint32_t number, Verdict v) {
    ctx.decided = DecidingEntry{table.id, ctx.hook, &c, r, number};
    return v;
  };
  auto policy = [&]() {
    const Chain& b = table.chains[root];
    const uint32_t number = static_cast<uint32_t>(b.rules.size() + 1);
    report(b, nullptr, TraceLabel::kPolicy, number);
    return decided(b, nullptr, number,
                   b.policy == Policy::kAccept ? Verdict::kAccept : Verdict::kDrop);
  };
  // After a matched rule's target ran (nf_tables reports the rule then).
  auto done = [&](const Chain& c, const Rule& r, uint32_t number, RuleOutcome o,
                  const Chain* to = nullptr) {
    if (!ctx.observer) return;
    RuleEvent e{table.id, ctx.hook, &c, &r, LabelFor(c, r, ctx.family), number, pkt.nf_trace, &pkt};
    ctx.observer->OnRuleDone(e, o, to);
  };
  auto unknown = [&](const Chain& c, const Rule* r, uint32_t number) {
    if (ctx.observer) {
      RuleEvent e{table.id, ctx.hook, &c, r, TraceLabel::kRule, number, pkt.nf_trace, &pkt};
      ctx.observer->OnUnknown(e, ctx.unknown_reason);
    }
    return Verdict::kUnknown;
  };

  while (budget--) {
    const Chain& c = table.chains[ci];
    if (ri >= c.rules.size()) {
      // The chain's last entry: a builtin chain's policy, or a user chain's
      // RETURN (labelled "return", numbered N+1).
      if (c.builtin) return policy();
      report(c, nullptr, TraceLabel::kReturn, static_cast<uint32_t>(c.rules.size() + 1));
      if (stack.empty()) return policy();  // reached by -g from the builtin chain
      ci = stack.back().chain;
      ri = stack.back().rule;
      stack.pop_back();
      continue;
    }
    const Rule& r = c.rules[ri];
    const uint32_t number = ri + 1;
    bool matched = forced ? ForcedBase(*forced, r, BaseMatchesImpl(r.ip, view, addrs))
                          : BaseMatchesImpl(r.ip, view, addrs);
    RuleProbe* watch = probes ? ProbeFor(*probes, r) : nullptr;
    if (watch) {
      ++watch->visits;
      watch->base_matched = matched;
      watch->matches.clear();
    }
    if (any_rule_assumed) ctx.rule_assumption = AssumedRule(ctx, r);
    if (matched && !r.matches.empty()) {
      const Tri t = MatchesOf(r, view, ctx, watch, forced);
      if (t == Tri::kUnknown) {
        NameUndecidedRule(table.id, c, number, ctx.unknown_reason);
        return unknown(c, &r, number);
      }
      matched = t == Tri::kTrue;
    }
    if (!matched) {
      if (ctx.hotdrop) return decided(c, &r, number, Verdict::kDrop);
      ++ri;
      continue;
    }
    // Traced after the matches, before the target runs.
    if (ctx.observer) report(c, &r, LabelFor(c, r, ctx.family), number);
    // A match may find the packet malformed and still match (e.g. an
    // inverted option test): ipt_do_table runs the target, then drops.
    if (ctx.hotdrop) {
      if (r.target_kind == TargetKind::kExtension) r.target->Apply(pkt, view, ctx);
      done(c, r, number, RuleOutcome::kDrop);
      return decided(c, &r, number, Verdict::kDrop);
    }
    if (r.target_kind == TargetKind::kJump || r.target_kind == TargetKind::kGoto) {
      const bool jump = r.target_kind == TargetKind::kJump;
      done(c, r, number, jump ? RuleOutcome::kJump : RuleOutcome::kGoto,
           &table.chains[r.jump_index]);
      if (jump) stack.push_back({ci, ri + 1});  // -g leaves no return address
      ci = r.jump_index;
      ri = 0;
      continue;
    }
    // Standard verdicts and extension targets end up in the same cases.
    TargetVerdict v = StandardVerdict(r.target_kind);
    if (r.target_kind == TargetKind::kExtension) {
      v = r.target->Apply(pkt, view, ctx);
      view = PacketView::Of(pkt);  // the target may have rewritten the packet
      addrs = AddrsOf(view);
    }
    switch (v) {
      case TargetVerdict::kContinue:
        done(c, r, number, RuleOutcome::kContinue);
        ++ri;
        continue;
      case TargetVerdict::kAccept:
        done(c, r, number, RuleOutcome::kAccept);
        return decided(c, &r, number, Verdict::kAccept);
      case TargetVerdict::kDrop:
        done(c, r, number, RuleOutcome::kDrop);
        return decided(c, &r, number, Verdict::kDrop);
      case TargetVerdict::kQueue:
        done(c, r, number, RuleOutcome::kQueue);
        return decided(c, &r, number, Verdict::kQueue);
      case TargetVerdict::kStolen:
        done(c, r, number, RuleOutcome::kStolen);
        return decided(c, &r, number, Verdict::kStolen);
      case TargetVerdict::kReturn:
        done(c, r, number, RuleOutcome::kReturn);
        if (stack.empty()) return policy();  // RETURN from a builtin chain: its policy
        ci = stack.back().chain;
        ri = stack.back().rule;
        stack.pop_back();
        continue;
      case TargetVerdict::kUnknown:
        done(c, r, number, RuleOutcome::kUnknown);
        return unknown(c, &r, number);
    }
  }
  ctx.unknown_reason = "the walk did not end (loop guard)";
  return Verdict::kUnknown;
}

std::string_view TraceLabelName(TraceLabel l) {
  switch (l) {
    case TraceLabel::kRule: return "rule";
    case TraceLabel::kReturn: return "return";
    case TraceLabel::kPolicy: return "policy";
  }
  return "rule";
}

std::string_view GeneratedKindName(GeneratedKind k) {
  return k == GeneratedKind::kRejectReply ? "REJECT's reply" : "TEE's copy";
}

std::string_view RuleOutcomeName(RuleOutcome o) {
  switch (o) {
    case RuleOutcome::kContinue: return "CONTINUE";
    case RuleOutcome::kAccept: return "ACCEPT";
    case RuleOutcome::kDrop: return "DROP";
    case RuleOutcome::kQueue: return "QUEUE";
    case RuleOutcome::kStolen: return "STOLEN";
    case RuleOutcome::kReturn: return "RETURN";
    case RuleOutcome::kJump: return "JUMP";
    case RuleOutcome::kGoto: return "GOTO";
    case RuleOutcome::kUnknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kAccept: return "ACCEPT";
    case Verdict::kDrop: return "DROP";
    case Verdict::kQueue: return "QUEUE";
    case Verdict::kStolen: return "STOLEN";
    case Verdict::kUnknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

}  // namespace iptsim
