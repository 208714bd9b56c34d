#include "output/explain_why.h"

#include <algorithm>
#include <charconv>

#include "base/diagnostics.h"
#include "engine/walker.h"
#include "engine/extension.h"
#include "matchers/parse_util.h"
#include "matchers/registry.h"

namespace iptsim {
namespace {

bool Terminal(RuleOutcome o) {
  return o == RuleOutcome::kAccept || o == RuleOutcome::kDrop || o == RuleOutcome::kQueue ||
         o == RuleOutcome::kStolen;
}

std::string TriText(Tri t) {
  switch (t) {
    case Tri::kTrue: return "matches";
    case Tri::kFalse: return "DOES NOT MATCH";
    case Tri::kUnknown: return "unknown";
  }
  return "";
}

}  // namespace

bool ParseRuleRef(const std::string& text, const Ruleset& rs, RuleRef* out, std::string* error) {
  size_t c1 = text.find(':'), c2 = text.rfind(':');
  if (c1 == std::string::npos || c1 == c2) {
    *error = "'" + text + "' is not TABLE:CHAIN:N";
    return false;
  }
  std::string table = text.substr(0, c1), chain = text.substr(c1 + 1, c2 - c1 - 1),
              num = text.substr(c2 + 1);
  TableId id;
  if (!ParseTableName(table, &id)) {
    *error = "unknown table '" + table + "' in '" + text + "'";
    return false;
  }
  const Table* t = rs.FindTable(id);
  if (!t) {
    *error = "the ruleset has no " + table + " table ('" + text + "')";
    return false;
  }
  const Chain* ch = t->FindChain(chain);
  if (!ch) {
    *error = "the " + table + " table has no chain '" + chain + "' ('" + text + "')";
    return false;
  }
  uint32_t n = 0;
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), n);
  if (num.empty() || ec != std::errc() || p != num.data() + num.size() || n == 0) {
    *error = "'" + num + "' is not a rule number (1, 2, ...) in '" + text + "'";
    return false;
  }
  if (n > ch->rules.size()) {
    *error = table + ":" + chain + " has " + std::to_string(ch->rules.size()) + " rule" +
             (ch->rules.size() == 1 ? "" : "s") + ", no rule " + num;
    return false;
  }
  *out = RuleRef{t, ch, n, text, std::make_shared<RuleProbe>()};
  out->probe->rule = &ch->rules[n - 1];
  return true;
}

namespace {

// The matches --assume NAME can decide, sorted, each once.
std::vector<std::string_view> AssumableNames() {
  std::vector<std::string_view> names;
  for (const ExtensionInfo* e : AllExtensions())
    if (e->kind == ExtKind::kMatch && e->may_be_undecided &&
        std::find(names.begin(), names.end(), e->name) == names.end())
      names.push_back(e->name);
  std::sort(names.begin(), names.end());
  return names;
}

std::string Joined(const std::vector<std::string_view>& names) {
  std::string s;
  for (std::string_view n : names) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

// Whether the rule has a match that can be undecided.
bool MayBeUndecided(const Rule& rule) {
  for (const Match* m : rule.matches)
    if (m->info().may_be_undecided) return true;
  return false;
}

}  // namespace

std::string AssumableExtension(const std::string& name) {
  const std::vector<std::string_view> names = AssumableNames();
  if (std::find(names.begin(), names.end(), name) != names.end()) return "";
  if (FindExtension(ExtKind::kMatch, name, Family::kIPv4) ||
      FindExtension(ExtKind::kMatch, name, Family::kIPv6))
    return "-m " + name + " is always decided from the packet; --assume decides " +
           Joined(names);
  std::string close = ClosestName(name, names);
  if (!close.empty()) return "no match '" + name + "' can be undecided, did you mean '" + close + "'?";
  return "no match '" + name + "' can be undecided; --assume decides " + Joined(names);
}

bool ResolveRuleAssumptions(const std::vector<std::pair<std::string, bool>>& given,
                            const Ruleset& rs, std::map<const Rule*, bool>* out,
                            std::string* error) {
  for (const auto& [text, match] : given) {
    RuleRef ref;
    if (!ParseRuleRef(text, rs, &ref, error)) return false;
    const Rule& rule = ref.chain->rules[ref.number - 1];
    if (!MayBeUndecided(rule)) {
      *error = text + " (" + rs.file + ":" + std::to_string(rule.line) + ": " +
               std::string(rule.text) +
               ") has no condition the packet can leave undecided (those are -m " +
               Joined(AssumableNames()) + ")";
      return false;
    }
    (*out)[&rule] = match;
  }
  return true;
}

std::string UndecidedMessage(const std::string& origin, const SimResult& res) {
  return "iptsim trace: " + origin + ": the simulation stops in " +
         std::string(TableName(res.table)) + ":" + std::string(HookChainName(res.hook)) + ": " +
         res.unknown_reason + "\n";
}

void WhyObserver::BeginPacket() {
  state_ = State::kIdle;
  have_last_ = false;
  stop_reason_.clear();
}

void WhyObserver::OnRule(const RuleEvent& e) {
  if (state_ == State::kReached) return;
  const bool here = e.table == ref_.table->id && e.chain == ref_.chain;
  if (!here) return;
  if (state_ != State::kWalking) {
    // A builtin chain is entered with its first event at its hook, a user
    // chain by a jump (OnRuleDone).  The first walk of the chain decides.
    if (!ref_.chain->builtin || state_ != State::kIdle) return;
    state_ = State::kWalking;
    hook_ = e.hook;
    snapshot_ = *e.packet;
  }
  if (e.number == ref_.number) {
    state_ = State::kReached;
  } else if (e.number > ref_.number) {
    state_ = State::kPassed;
    // The walker's last evaluation of rule N is this walk's: nothing ran it
    // since (a walk's numbers only grow, and no chain jumps back here).
    if (ref_.probe) seen_ = *ref_.probe;
  }
}

void WhyObserver::OnRuleDone(const RuleEvent& e, RuleOutcome outcome, const Chain* to) {
  if (Terminal(outcome)) {
    have_last_ = true;
    last_ = Ender{e.table, e.hook, e.chain, e.rule, e.number, outcome};
  }
  if (state_ == State::kReached) return;
  const bool here = e.table == ref_.table->id && e.chain == ref_.chain;
  if (state_ == State::kWalking) {
    snapshot_ = *e.packet;  // still before rule N
    if (Terminal(outcome) || (here && (outcome == RuleOutcome::kReturn ||
                                       outcome == RuleOutcome::kGoto))) {
      state_ = State::kEnded;
      ender_ = Ender{e.table, e.hook, e.chain, e.rule, e.number, outcome};
    }
    return;
  }
  if (state_ == State::kIdle && (outcome == RuleOutcome::kJump || outcome == RuleOutcome::kGoto) &&
      to == ref_.chain && e.table == ref_.table->id) {
    state_ = State::kWalking;
    hook_ = e.hook;
    snapshot_ = *e.packet;
  }
}

void WhyObserver::OnUnknown(const RuleEvent& e, std::string_view reason) {
  if (state_ == State::kWalking || state_ == State::kIdle) {
    state_ = State::kStopped;
    stop_reason_ = Where(e.table, e.chain, e.rule, e.number) + ": " + std::string(reason);
  }
}

std::string WhyObserver::Where(TableId table, const Chain* chain, const Rule* rule,
                               uint32_t number) const {
  std::string s = std::string(TableName(table)) + ":" + chain->name + ":" + std::to_string(number);
  if (rule) {
    s += " (" + rs_.file + ":" + std::to_string(rule->line) + ": " + std::string(rule->text) + ")";
  } else if (chain->builtin) {
    s += std::string(" (the policy ") + (chain->policy == Policy::kAccept ? "ACCEPT" : "DROP") + ")";
  } else {
    s += " (the end of the chain: RETURN)";
  }
  return s;
}

std::vector<std::string> WhyObserver::Conditions() const {
  const Rule& rule = ref_.chain->rules[ref_.number - 1];
  const Family fam = rs_.family;
  PacketView view = PacketView::Of(snapshot_);
  std::vector<std::pair<std::string, std::string>> parts;  // condition, answer
  bool any_false = false;
  // The base match's parts: each on its own (ip_packet_match tests them all
  // together; each is a pure function of the packet).
  const IpHeaderMatch& ip = rule.ip;
  auto base = [&](std::string text, auto set) {
    IpHeaderMatch one;
    set(one);
    const Tri t = ToTri(BaseMatches(one, view));
    any_false = any_false || t == Tri::kFalse;
    parts.emplace_back(std::move(text), TriText(t));
  };
  auto neg = [](bool inv) { return inv ? std::string("! ") : std::string(); };
  if (!ip.src.IsZero() || ip.inv_src)
    base(neg(ip.inv_src) + "-s " + FormatIpPrefix(fam, ip.src), [&](IpHeaderMatch& m) {
      m.src = ip.src;
      m.inv_src = ip.inv_src;
    });
  if (!ip.dst.IsZero() || ip.inv_dst)
    base(neg(ip.inv_dst) + "-d " + FormatIpPrefix(fam, ip.dst), [&](IpHeaderMatch& m) {
      m.dst = ip.dst;
      m.inv_dst = ip.inv_dst;
    });
  if (!ip.in_iface.empty())
    base(neg(ip.inv_in) + "-i " + std::string(ip.in_iface.view()), [&](IpHeaderMatch& m) {
      m.in_iface = ip.in_iface;
      m.inv_in = ip.inv_in;
    });
  if (!ip.out_iface.empty())
    base(neg(ip.inv_out) + "-o " + std::string(ip.out_iface.view()), [&](IpHeaderMatch& m) {
      m.out_iface = ip.out_iface;
      m.inv_out = ip.inv_out;
    });
  if (ip.proto || ip.proto_given)
    base(neg(ip.inv_proto) + "-p " + (ip.proto ? std::string(ProtoName(ip.proto)) : "all"),
         [&](IpHeaderMatch& m) {
           m.proto = ip.proto;
           m.proto_given = ip.proto_given;
           m.inv_proto = ip.inv_proto;
         });
  if (ip.fragment)
    base(neg(ip.inv_frag) + "-f", [&](IpHeaderMatch& m) {
      m.fragment = true;
      m.inv_frag = ip.inv_frag;
    });
  // The -m matches: the walker's own answers (RuleProbe), which saw the
  // packet's conntrack state and the run's state; the kernel evaluates no
  // match after one that fails, nor any when the base match fails.
  SaveContext sc{fam};
  for (size_t i = 0; i < rule.matches.size(); ++i) {
    const Match* m = rule.matches[i];
    std::string text = "-m " + std::string(m->info().name);
    m->Save(text, sc);
    std::string answer;
    if (seen_.visits == 0) {
      answer = "not recorded";
    } else if (i < seen_.matches.size()) {
      const RuleProbe::MatchResult& r = seen_.matches[i];
      answer = TriText(r.result);
      if (r.assumed) answer += " (decided by --assume)";
      any_false = any_false || r.result == Tri::kFalse;
    } else {
      answer = "not evaluated (an earlier condition failed)";
    }
    parts.emplace_back(std::move(text), std::move(answer));
  }
  std::vector<std::string> out;
  size_t width = 0;
  for (const auto& [text, answer] : parts) width = std::max(width, text.size());
  for (const auto& [text, answer] : parts)
    out.push_back("  " + text + std::string(width - text.size() + 2, ' ') + answer);
  if (parts.empty()) out.push_back("  (the rule has no conditions; it did not match)");
  else if (!any_false)
    out.push_back("  (no condition failed: a match found the packet malformed and dropped it)");
  return out;
}

std::vector<std::string> WhyObserver::Report(const RunSettings&, const RunResult& run) const {
  std::vector<std::string> out;
  const Rule& rule = ref_.chain->rules[ref_.number - 1];
  const std::string target = Where(ref_.table->id, ref_.chain, &rule, ref_.number);
  auto verdict_of = [](RuleOutcome o) { return std::string(RuleOutcomeName(o)); };
  switch (state_) {
    case State::kReached:
      out.push_back("why " + target + ": reached (the rule matched)");
      break;
    case State::kEnded:
      out.push_back("why " + target + ": not reached: an earlier rule ended the walk");
      out.push_back("  " + Where(ender_.table, ender_.chain, ender_.rule, ender_.number) + " -> " +
                    verdict_of(ender_.outcome));
      break;
    case State::kPassed:
      out.push_back("why " + target + ": not reached: the packet came to the rule and did not "
                    "match it; its conditions one by one:");
      for (std::string& s : Conditions()) out.push_back(std::move(s));
      break;
    case State::kStopped:
      out.push_back("why " + target + ": not decided: the simulation stopped at " + stop_reason_);
      break;
    case State::kWalking:
      out.push_back("why " + target + ": not reached: the walk of " + ref_.chain->name +
                    " did not come to it");
      break;
    case State::kIdle: {
      std::string chain = std::string(TableName(ref_.table->id)) + ":" + ref_.chain->name;
      std::string line = "why " + target + ": not reached: the packet never entered " + chain;
      if (ref_.chain->builtin)
        line += " (its path: " + std::string(PacketPathName(run.path)) + ")";
      out.push_back(line);
      if (have_last_)
        out.push_back("  it ended at " + Where(last_.table, last_.chain, last_.rule, last_.number) +
                      " -> " + verdict_of(last_.outcome));
      else
        out.push_back("  final verdict: " + std::string(VerdictName(run.sim.verdict)) + " in " +
                      std::string(TableName(run.sim.table)) + ":" +
                      std::string(HookChainName(run.sim.hook)));
      if (!ref_.chain->builtin) {
        // The rules that would have brought it there.
        int index = ref_.table->FindChainIndex(ref_.chain->name);
        size_t shown = 0, total = 0;
        for (const Chain& c : ref_.table->chains)
          for (size_t k = 0; k < c.rules.size(); ++k)
            if ((c.rules[k].target_kind == TargetKind::kJump ||
                 c.rules[k].target_kind == TargetKind::kGoto) &&
                c.rules[k].jump_index == index) {
              ++total;
              if (shown++ < 5)
                out.push_back("  jumps there: " + Where(ref_.table->id, &c, &c.rules[k],
                                                         static_cast<uint32_t>(k + 1)));
            }
        if (total == 0) out.push_back("  no rule jumps to " + ref_.chain->name);
        else if (total > shown)
          out.push_back("  ... and " + std::to_string(total - shown) + " more rules jump there");
      }
      break;
    }
  }
  return out;
}

}  // namespace iptsim
