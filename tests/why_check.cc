// `--why` checked against the engine (ctest `why-check`, run over every
// differential scenario by tests/why_check.sh):
//
//   iptsim_why_check HOST PACKETS RULES [--seed N]
//
// For every rule of RULES and every packet of PACKETS (one run, in order, as
// `iptsim trace --host HOST --packets PACKETS RULES` runs them), the
// explanation WhyObserver gives for the rule is checked against what the
// engine does, without trusting the explanation's own logic:
//  - "reached": the rule is among the rules the packet matched;
//  - "an earlier rule ended the walk": that rule is in the trace with that
//    verdict, before the rule asked about was ever matched;
//  - "did not match it; its conditions": counterfactual runs.  The packets
//    before this one run unchanged; then the rule is rewritten in place for
//    this packet alone: with the conditions named as failing (and every -m
//    match after them) neutralised it must match the first time the walk
//    comes to it, and with each named condition kept (the later matches
//    neutralised) it must not;
//  - "never entered": no event of the packet is in that chain.
// Prints each disagreement and a summary; exit status 1 on any.
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "engine/extension.h"
#include "engine/packet_builder.h"
#include "engine/simulator.h"
#include "loader/host_file.h"
#include "loader/loader.h"
#include "loader/packet_spec.h"
#include "output/explain_why.h"

namespace iptsim {
namespace {

// A condition taken out of a rule: a match that always matches, with the
// original's ExtensionInfo (so the ruleset still turns conntrack on alike).
class PassMatch : public Match {
 public:
  using Match::Match;
  Status Parse(int, bool, std::span<const Arg>, const ParseContext&) override { return {}; }
  void Save(std::string&, const SaveContext&) const override {}
  Tri Evaluate(const PacketView&, EvalContext&) const override { return Tri::kTrue; }
};

// Every entry a packet's run reports, in order.
struct Entry {
  TableId table;
  std::string chain;
  uint32_t number;
  const Rule* rule;
  bool done;            // OnRuleDone (else OnRule: matched)
  RuleOutcome outcome;  // for done
};
class Recorder : public TraceObserver {
 public:
  std::vector<Entry> entries;
  void OnRule(const RuleEvent& e) override {
    entries.push_back({e.table, e.chain->name, e.number, e.rule, false, RuleOutcome::kContinue});
  }
  void OnRuleDone(const RuleEvent& e, RuleOutcome o, const Chain*) override {
    entries.push_back({e.table, e.chain->name, e.number, e.rule, true, o});
  }
};

struct Scenario {
  Ruleset* rs = nullptr;
  RunSettings settings;
  std::vector<Packet> packets;
};

// Runs packets 0..p (p with `observer`) through a fresh simulation; `edit`
// runs just before packet p (and `undo` after it).
template <typename Edit, typename Undo>
Recorder RunUpTo(const Scenario& s, size_t p, Edit edit, Undo undo) {
  Simulator sim(*s.rs, s.settings);
  for (size_t i = 0; i < p; ++i) {
    Packet pkt = s.packets[i];
    sim.Run(pkt, nullptr);
  }
  Recorder rec;
  Packet pkt = s.packets[p];
  edit();
  sim.Run(pkt, &rec);
  undo();
  return rec;
}

// The first walk that came to rule N of the chain: did it match it?  (The
// first entry of the chain numbered N or more is from that walk: a walk's
// numbers only grow.)  -1: no walk came to rule N.
int FirstWalkMatched(const Recorder& rec, TableId table, const std::string& chain,
                     uint32_t n) {
  for (const Entry& e : rec.entries)
    if (!e.done && e.table == table && e.chain == chain && e.number >= n)
      return e.number == n ? 1 : 0;
  return -1;
}

struct Checker {
  Scenario& s;
  std::string name;
  int checks = 0, failures = 0;

  void Fail(const std::string& what) {
    ++failures;
    printf("FAIL %s: %s\n", name.c_str(), what.c_str());
  }

  // The rule rewritten: base parts listed in `keep_base` kept (all when
  // null), matches from `from` on neutralised.
  void Check(const RuleRef& ref, size_t p, const std::vector<std::string>& report,
             const Recorder& rec);
  void CheckConditions(const RuleRef& ref, size_t p, const std::vector<std::string>& report);
};

// The condition lines of a report ("  TEXT   ANSWER"): text, answer.
std::vector<std::pair<std::string, std::string>> ConditionLines(
    const std::vector<std::string>& report) {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 1; i < report.size(); ++i) {
    const std::string& l = report[i];
    if (l.size() < 3 || l[2] == '(') continue;
    size_t gap = l.find("  ", 2);
    if (gap == std::string::npos) continue;
    size_t answer = l.find_first_not_of(' ', gap);
    out.emplace_back(l.substr(2, gap - 2), l.substr(answer));
  }
  return out;
}

void Checker::CheckConditions(const RuleRef& ref, size_t p,
                              const std::vector<std::string>& report) {
  Rule& rule = const_cast<Rule&>(ref.chain->rules[ref.number - 1]);
  const auto lines = ConditionLines(report);
  const size_t nbase = lines.size() - rule.matches.size();
  std::vector<size_t> failing_base;
  size_t failing_match = SIZE_MAX;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].second != "DOES NOT MATCH") continue;
    if (i < nbase) failing_base.push_back(i);
    else if (failing_match == SIZE_MAX) failing_match = i - nbase;
  }
  const std::string where = ref.spelled + " packet " + std::to_string(p + 1);
  if (failing_base.empty() && failing_match == SIZE_MAX) {
    Fail(where + ": no condition named as failing");
    return;
  }
  // The base parts in the order the report lists them.
  auto base_part = [&](size_t i) {
    const std::string& t = lines[i].first;
    std::string opt = t.substr(t[0] == '!' ? 2 : 0, 2);
    return opt;  // "-s", "-d", "-i", "-o", "-p", "-f"
  };
  auto clear_part = [](IpHeaderMatch& ip, const std::string& opt) {
    if (opt == "-s") ip.src = {}, ip.inv_src = false;
    if (opt == "-d") ip.dst = {}, ip.inv_dst = false;
    if (opt == "-i") ip.in_iface = {}, ip.inv_in = false;
    if (opt == "-o") ip.out_iface = {}, ip.inv_out = false;
    if (opt == "-p") ip.proto = 0, ip.proto_given = false, ip.inv_proto = false;
    if (opt == "-f") ip.fragment = false, ip.inv_frag = false;
  };
  const IpHeaderMatch saved_ip = rule.ip;
  std::vector<Match*> saved(rule.matches.begin(), rule.matches.end());
  std::vector<std::unique_ptr<PassMatch>> pass;
  for (Match* m : saved) pass.push_back(std::make_unique<PassMatch>(&m->info()));
  Match** slots = const_cast<Match**>(rule.matches.begin());
  auto neutral_from = [&](size_t from) {
    for (size_t i = from; i < saved.size(); ++i) slots[i] = pass[i].get();
  };
  auto restore = [&]() {
    rule.ip = saved_ip;
    for (size_t i = 0; i < saved.size(); ++i) slots[i] = saved[i];
  };
  auto first_walk = [&](auto edit) {
    Recorder r = RunUpTo(s, p, edit, restore);
    return FirstWalkMatched(r, ref.table->id, ref.chain->name, ref.number);
  };
  ++checks;
  if (failing_match == SIZE_MAX) {
    // Without every failing base part (and no -m match) the rule matches...
    if (first_walk([&] {
          for (size_t i : failing_base) clear_part(rule.ip, base_part(i));
          neutral_from(0);
        }) != 1)
      Fail(where + ": without its failing base conditions the rule still does not match");
    // ...and each failing part alone does not.
    for (size_t i : failing_base) {
      if (first_walk([&] {
            for (size_t j = 0; j < nbase; ++j)
              if (j != i) clear_part(rule.ip, base_part(j));
            neutral_from(0);
          }) != 0)
        Fail(where + ": '" + lines[i].first + "' alone does not fail");
    }
    return;
  }
  if (first_walk([&] { neutral_from(failing_match); }) != 1)
    Fail(where + ": without '" + lines[nbase + failing_match].first +
         "' and the matches after it the rule still does not match");
  if (first_walk([&] { neutral_from(failing_match + 1); }) != 0)
    Fail(where + ": '" + lines[nbase + failing_match].first +
         "' (after the conditions before it) does not fail");
}

void Checker::Check(const RuleRef& ref, size_t p, const std::vector<std::string>& report,
                    const Recorder& rec) {
  const std::string where = ref.spelled + " packet " + std::to_string(p + 1);
  const Rule* target = &ref.chain->rules[ref.number - 1];
  const std::string& head = report.empty() ? std::string() : report[0];
  auto has = [&](const char* s) { return head.find(s) != std::string::npos; };
  if (has(": reached (the rule matched)")) {
    ++checks;
    bool seen = false;
    for (const Entry& e : rec.entries) seen = seen || (!e.done && e.rule == target);
    if (!seen) Fail(where + ": said matched, but the packet did not match it");
  } else if (has(": not reached: an earlier rule ended the walk")) {
    ++checks;
    // "  TABLE:CHAIN:N (...) -> VERDICT"
    const std::string& l = report.size() > 1 ? report[1] : head;
    const std::string id = l.substr(2, l.find(' ', 2) - 2);
    const std::string verdict = l.substr(l.rfind("-> ") + 3);
    bool found = false;
    for (const Entry& e : rec.entries) {
      if (!e.done && e.rule == target) break;  // matched before: wrong
      std::string eid = std::string(TableName(e.table)) + ":" + e.chain + ":" +
                        std::to_string(e.number);
      if (e.done && eid == id && RuleOutcomeName(e.outcome) == verdict) {
        found = true;
        break;
      }
    }
    if (!found) Fail(where + ": the walk was not ended by " + id + " -> " + verdict);
  } else if (has(": not reached: the packet came to the rule and did not match it")) {
    CheckConditions(ref, p, report);
  } else if (has(": not reached: the packet never entered")) {
    ++checks;
    for (const Entry& e : rec.entries)
      if (e.table == ref.table->id && e.chain == ref.chain->name) {
        Fail(where + ": said never entered, but the chain has entries");
        break;
      }
  } else if (!has(": not reached: the walk of") && !has(": not decided:")) {
    Fail(where + ": unexpected report '" + head + "'");
  }
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

int Main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: iptsim_why_check HOST PACKETS RULES [--seed N]\n");
    return 2;
  }
  std::string rules_text, packets_text;
  if (!ReadFile(argv[3], &rules_text) || !ReadFile(argv[2], &packets_text)) {
    fprintf(stderr, "iptsim_why_check: cannot read %s or %s\n", argv[3], argv[2]);
    return 2;
  }
  LoadResult loaded = LoadRuleset(rules_text, argv[3]);
  if (!loaded.ok()) {
    fputs(loaded.diagnostics.Format().c_str(), stderr);
    return 2;
  }
  Scenario s;
  s.rs = &loaded.ruleset;
  HostModel host;
  DiagnosticSink diags;
  if (!LoadHostFile(argv[1], &host, &diags)) {
    fputs(diags.Format().c_str(), stderr);
    return 2;
  }
  s.settings.host = &host;
  if (argc >= 6 && std::string(argv[4]) == "--seed") s.settings.seed = std::stoull(argv[5]);
  std::istringstream lines(packets_text);
  for (std::string line; std::getline(lines, line);) {
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    PacketSpec spec;
    Diagnostic d;
    if (!ParsePacketLine(line, s.rs->family, &spec, &d)) {
      fprintf(stderr, "iptsim_why_check: %s: %s\n", argv[2], d.message.c_str());
      return 2;
    }
    s.packets.push_back(BuildPacket(spec));
  }
  Checker checker{s, argv[3]};
  for (const Table& table : s.rs->tables) {
    for (const Chain& chain : table.chains) {
      for (size_t k = 0; k < chain.rules.size(); ++k) {
        RuleRef ref;
        std::string error;
        const std::string text =
            std::string(TableName(table.id)) + ":" + chain.name + ":" + std::to_string(k + 1);
        if (!ParseRuleRef(text, *s.rs, &ref, &error)) {
          checker.Fail(text + ": " + error);
          continue;
        }
        RunSettings settings = s.settings;
        settings.probes.push_back(ref.probe.get());
        Simulator sim(*s.rs, settings);
        WhyObserver why(*s.rs, ref);
        for (size_t p = 0; p < s.packets.size(); ++p) {
          Packet pkt = s.packets[p];
          Recorder rec;
          why.BeginPacket();
          TeeObserver tee({&why, &rec});
          RunResult run = sim.Run(pkt, &tee);
          if (!run.error.empty() || run.sim.verdict == Verdict::kUnknown) break;
          checker.Check(ref, p, why.Report(sim.settings(), run), rec);
        }
      }
    }
  }
  printf("why-check %s: %d checks, %d failures\n", argv[3], checker.checks, checker.failures);
  return checker.failures ? 1 : 0;
}

}  // namespace
}  // namespace iptsim

int main(int argc, char** argv) { return iptsim::Main(argc, argv); }
