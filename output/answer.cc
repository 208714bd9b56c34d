#include "output/answer.h"

#include "engine/extension.h"
#include "engine/walker.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

bool IsRejectRule(const Rule* r) {
  return r && r->target_kind == TargetKind::kExtension && r->target &&
         r->target->info().name == "REJECT";
}

// The hooks of each path, in order (engine/netfilter.h PacketPath).
std::string_view PathHooks(PacketPath p) {
  switch (p) {
    case PacketPath::kLocalIn: return "PREROUTING, INPUT";
    case PacketPath::kForward: return "PREROUTING, FORWARD, POSTROUTING";
    case PacketPath::kLocalOut: return "OUTPUT, POSTROUTING";
    case PacketPath::kLoopback: return "OUTPUT, POSTROUTING, then PREROUTING, INPUT on lo";
  }
  return "";
}

std::string TcpFlags(uint8_t flags) {
  static constexpr const char* kNames[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
  // SYN, FIN and RST first, as people say them (SYN ACK, RST ACK).
  static constexpr int kOrder[] = {1, 0, 2, 3, 4, 5, 6, 7};
  std::string s;
  for (int bit : kOrder) {
    if (!(flags & (1u << bit))) continue;
    if (!s.empty()) s += ' ';
    s += kNames[bit];
  }
  return s;
}

}  // namespace

std::string_view FinalVerdictName(const SimResult& res) {
  if (res.verdict == Verdict::kUnknown) return "UNDECIDED";
  if (res.verdict == Verdict::kDrop && IsRejectRule(res.decided_by.rule)) return "REJECT";
  return VerdictName(res.verdict);
}

std::string EntryWhere(const DecidingEntry& d, Family family) {
  const TraceLabel label = d.rule ? LabelFor(*d.chain, *d.rule, family) : TraceLabel::kPolicy;
  return std::string(TableName(d.table)) + ":" + d.chain->name + ":" +
         std::string(TraceLabelName(label)) + ":" + std::to_string(d.number);
}

std::string EntryText(const Ruleset& rs, const DecidingEntry& d) {
  if (!d.rule)
    return std::string("policy ") + (d.chain->policy == Policy::kAccept ? "ACCEPT" : "DROP");
  return rs.file + ":" + std::to_string(d.rule->line) + ": " + std::string(d.rule->text);
}

std::string LabelQuirk(const Chain& chain, const Rule& rule, Family family) {
  const TraceLabel label = LabelFor(chain, rule, family);
  if (label == TraceLabel::kRule) return "";
  return std::string("a rule, which the kernel labels '") + std::string(TraceLabelName(label)) +
         "' because it has no condition and a built-in verdict (docs/kernel-trace.md §2.1)";
}

std::string DescribeVerdict(const Ruleset& rs, const RunResult& run) {
  const SimResult& res = run.sim;
  std::string s(FinalVerdictName(res));
  const DecidingEntry& d = res.decided_by;
  if (res.verdict != Verdict::kUnknown && d.chain)
    return s + " by " + EntryWhere(d, rs.family) + " (" + EntryText(rs, d) + ")";
  s += " in " + std::string(TableName(res.table)) + ":" + std::string(HookChainName(res.hook));
  if (!res.unknown_reason.empty()) s += ": " + res.unknown_reason;
  return s;
}

void JumpTrail::BeginPacket() {
  frames_.clear();
  ended_.clear();
  generated_ = 0;
}

void JumpTrail::OnRuleDone(const RuleEvent& e, RuleOutcome outcome, const Chain*) {
  if (generated_) return;
  if (outcome == RuleOutcome::kJump || outcome == RuleOutcome::kGoto) {
    frames_.push_back({{e.table, e.hook, e.chain, e.rule, e.number}, outcome == RuleOutcome::kGoto});
  } else if (outcome == RuleOutcome::kReturn && !frames_.empty()) {
    // Back to the caller: past every goto on the way (a goto leaves no
    // return address, so its chain returns to where its caller was called).
    bool was_goto;
    do {
      was_goto = frames_.back().is_goto;
      frames_.pop_back();
    } while (was_goto && !frames_.empty());
  }
}

void JumpTrail::OnRule(const RuleEvent& e) {
  // A user chain's implicit return: as an explicit RETURN.
  if (!generated_ && !e.rule && !e.chain->builtin)
    OnRuleDone(e, RuleOutcome::kReturn, nullptr);
}

void JumpTrail::OnTableVerdict(TableId table, Hook hook, Verdict) {
  if (generated_) return;
  ended_.push_back({table, hook, std::move(frames_)});
  frames_.clear();
}

std::vector<DecidingEntry> JumpTrail::To(const DecidingEntry& d) const {
  std::vector<DecidingEntry> trail;
  for (const Ended& e : ended_) {
    if (e.table != d.table || e.hook != d.hook) continue;
    trail.clear();  // the last walk of that table at that hook (a looped-back packet has two)
    for (const Frame& f : e.frames) trail.push_back(f.jump);
  }
  return trail;
}

std::string DescribeTrail(const Ruleset& rs, const std::vector<DecidingEntry>& trail) {
  std::string s;
  for (const DecidingEntry& j : trail)
    s += "  via: " + EntryWhere(j, rs.family) + " (" + EntryText(rs, j) + ")\n";
  return s;
}

std::string DescribePath(const RunResult& run, bool no_devices) {
  std::string s = std::string(PacketPathName(run.path)) + " (" + std::string(PathHooks(run.path)) +
                  ")";
  if (no_devices && run.path == PacketPath::kLocalOut)
    s += "; no -i or -o given, so it is a packet this host sends (give -i IF for one that "
         "arrives)";
  return s;
}

std::string DescribePacket(const Packet& pkt) {
  PacketView v = PacketView::Of(pkt);
  std::string s(v.l4proto_found ? ProtoName(v.l4proto) : "ip");
  if (s.empty()) s = "proto " + std::to_string(v.l4proto);
  const uint8_t* t = v.transport();
  const size_t n = v.transport_size();
  const bool ports = !v.fragoff && n >= 4 &&
                     (v.l4proto == 6 || v.l4proto == 17 || v.l4proto == 132 ||
                      v.l4proto == 33 || v.l4proto == 136);
  auto addr = [&](const IpAddr& a, size_t port_at) {
    std::string text = FormatIpAddr(pkt.family, a);
    if (!ports) return text;
    const unsigned port = static_cast<unsigned>(t[port_at]) << 8 | t[port_at + 1];
    return (pkt.family == Family::kIPv6 ? "[" + text + "]" : text) + ":" + std::to_string(port);
  };
  s += " " + addr(v.src(), 0) + " -> " + addr(v.dst(), 2);
  if (v.l4proto == 6 && !v.fragoff && n >= 14) s += " " + TcpFlags(t[13]);
  if ((v.l4proto == 1 || v.l4proto == 58) && !v.fragoff && n >= 2)
    s += " type " + std::to_string(t[0]) + " code " + std::to_string(t[1]);
  if (v.is_fragment) s += " (fragment)";
  if (!pkt.in.empty()) s += ", in " + std::string(pkt.in.view());
  if (!pkt.out.empty()) s += ", out " + std::string(pkt.out.view());
  return s;
}

}  // namespace iptsim
