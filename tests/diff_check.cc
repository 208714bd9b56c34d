// diff_check: `iptsim diff`'s symbolic answer checked by brute force against
// the concrete engine (ctest diff-check through tests/diff_check.sh, which
// takes the count per path).
//
//   iptsim_diff_check PACKETS SEED OLD NEW [OLD NEW ...]
//
// For each pair of rulesets and each path, PACKETS packets of the path's
// space -- random, and half the time at a range boundary some rule names,
// with random answers for the opaque conditions -- are run through both
// rulesets by the engine (fresh state, the conditions forced as the packet
// assumes them).  Checked for every packet:
//   1. in each ruleset, the engine's outcome is the outcome of the symbolic
//      set that holds the packet (the symbolic walk is exact);
//   2. the packet's outcome changes exactly when it lies in a reported
//      region (the diff is sound and precise);
// and for every reported region, its example's outcome changes.
//
//   iptsim_diff_check --reach PACKETS SEED RULES [RULES ...]
//
// checks `iptsim query --rule` the same way: for each ruleset and path, the
// sets of packets that reach each rule and that it matches (one symbolic
// walk watching every rule) against the engine's walk of PACKETS packets
// (which rules it visits and matches; not those of a REJECT's reply).
// Prints one line per pair and a total; exits 1 on any disagreement.  With
// DIFF_CHECK_DEBUG=1 set, each disagreeing packet's walk through OLD is
// printed in the explain format, with the conditions forced as it assumed.
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "engine/extension.h"
#include "loader/loader.h"
#include "output/formats.h"
#include "symbolic/confirm.h"
#include "symbolic/diff.h"

using namespace iptsim;
using namespace iptsim::symbolic;

namespace {

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

void AddValue(Boundaries& b, Field f, FieldValue v, int width) {
  const FieldValue max = width >= 128 ? ~FieldValue(0) : (FieldValue(1) << width) - 1;
  if (v > max) return;
  b[f].push_back(v);
  if (v > 0) b[f].push_back(v - 1);
  if (v < max) b[f].push_back(v + 1);
}

FieldValue AddrValue(const IpAddr& a, Family fam) {
  FieldValue v = 0;
  for (int i = 0; i < AddrLen(fam); ++i) v = v << 8 | a.b[i];
  return v;
}

// The constants of a description: range ends, masked values, prefix ends.
void CollectBoundaries(const Pred& p, Family fam, const Space& sp, Boundaries& b) {
  switch (p.op) {
    case Pred::Op::kNumIn:
      AddValue(b, p.field, p.lo, sp.Width(p.field));
      AddValue(b, p.field, p.hi, sp.Width(p.field));
      break;
    case Pred::Op::kNumMasked: AddValue(b, p.field, p.lo, sp.Width(p.field)); break;
    case Pred::Op::kAddrMasked: {
      IpAddr last = p.a;
      for (int i = 0; i < AddrLen(fam); ++i) last.b[i] |= static_cast<uint8_t>(~p.b.b[i]);
      AddValue(b, p.field, AddrValue(p.a, fam), sp.Width(p.field));
      AddValue(b, p.field, AddrValue(last, fam), sp.Width(p.field));
      break;
    }
    case Pred::Op::kAddrIn:
      AddValue(b, p.field, AddrValue(p.a, fam), sp.Width(p.field));
      AddValue(b, p.field, AddrValue(p.b, fam), sp.Width(p.field));
      break;
    default:
      for (const Pred& k : p.kids) CollectBoundaries(k, fam, sp, b);
  }
}

void RulesetBoundaries(const Ruleset& rs, const Space& sp, Boundaries& b) {
  for (const Table& t : rs.tables)
    for (const Chain& c : t.chains)
      for (const Rule& r : c.rules) {
        if (!r.ip.src.IsZero()) CollectBoundaries(Pred::AddrMasked(Field::kSrc, r.ip.src), rs.family, sp, b);
        if (!r.ip.dst.IsZero()) CollectBoundaries(Pred::AddrMasked(Field::kDst, r.ip.dst), rs.family, sp, b);
        for (const Match* m : r.matches) CollectBoundaries(m->Describe(rs.family), rs.family, sp, b);
      }
}

// The outcome key of the symbolic set of `sets` that holds the point.
std::string SymbolicKey(const Ruleset& rs, const std::vector<OutcomeSet>& sets, const bdd& point,
                        bool* unmodelled) {
  for (const OutcomeSet& s : sets)
    if ((s.set & point) != bddfalse) {
      *unmodelled = s.outcome.unmodelled != nullptr;
      return OutcomeKey(rs, s.outcome, false);
    }
  return "(no symbolic set holds the packet)";
}

struct Tally {
  size_t packets = 0, changed = 0, unmodelled = 0, failures = 0;
};

void Fail(Tally& t, const std::string& what) {
  if (++t.failures <= 10) fprintf(stderr, "  FAIL %s\n", what.c_str());
}

void CheckPath(Conditions& conds, const Ruleset& a, const Ruleset& b, PacketPath path,
               const std::vector<Difference>& diffs, size_t packets, std::mt19937_64& rng,
               const Boundaries& bounds, Tally& t) {
  Space& sp = conds.space();
  const std::vector<OutcomeSet> sa = AnalysePath(conds, a, path);
  const std::vector<OutcomeSet> sb = AnalysePath(conds, b, path);
  bdd regions = bddfalse;
  for (const Difference& d : diffs)
    if (d.path == path) regions |= d.set;
  const bdd space = sp.Universe() & PathPackets(sp, path);
  for (size_t i = 0; i < packets; ++i) {
    const Example ex = RandomExample(conds, space, rng, bounds);
    std::string error;
    const std::string ka = ConcreteOutcomeKey(conds, a, ex, &error);
    const std::string kb = ConcreteOutcomeKey(conds, b, ex, &error);
    if (!error.empty()) {
      Fail(t, error);
      continue;
    }
    ++t.packets;
    bool ua = false, ub = false;
    const std::string sa_key = SymbolicKey(a, sa, ex.point, &ua);
    const std::string sb_key = SymbolicKey(b, sb, ex.point, &ub);
    if (ua || ub) {
      ++t.unmodelled;
      continue;
    }
    const std::string where = std::string(PacketPathName(path)) + " '" + ex.options + "'";
    if (sa_key != ka) {
      Fail(t, where + " OLD: engine " + ka + ", symbolic " + sa_key);
      if (getenv("DIFF_CHECK_DEBUG")) {
        Packet pkt;
        ExamplePacket(ex, a.family, &pkt);
        Simulator sim(a, ExampleSettings(conds, ex));
        auto fmt = FindOutputFormat("explain")->make(a, stderr);
        pkt.nf_trace = true;
        sim.Run(pkt, fmt.get());

      }
    }
    if (sb_key != kb) Fail(t, where + " NEW: engine " + kb + ", symbolic " + sb_key);
    const bool changed = ka != kb;
    const bool reported = (regions & ex.point) != bddfalse;
    t.changed += changed;
    if (changed != reported)
      Fail(t, where + (changed ? " changes (" + ka + " -> " + kb + ") but lies in no region"
                               : " lies in a region but does not change (" + ka + ")"));
  }
}

// Every rule of `rs`, and where it is for messages ("filter:INPUT:3").
std::vector<const Rule*> EveryRule(const Ruleset& rs, std::vector<std::string>* names) {
  std::vector<const Rule*> rules;
  for (const Table& t : rs.tables)
    for (const Chain& c : t.chains)
      for (size_t i = 0; i < c.rules.size(); ++i) {
        rules.push_back(&c.rules[i]);
        names->push_back(std::string(TableName(t.id)) + ":" + c.name + ":" +
                         std::to_string(i + 1));
      }
  return rules;
}

// The packets that reach and match each rule on `path`, symbolic vs engine.
void CheckReachPath(Conditions& conds, const Ruleset& rs, PacketPath path, size_t packets,
                    std::mt19937_64& rng, const Boundaries& bounds, Tally& t) {
  Space& sp = conds.space();
  std::vector<std::string> names;
  const std::vector<const Rule*> rules = EveryRule(rs, &names);
  RuleWatch watch;
  for (const Rule* r : rules) watch.rules[r];
  const std::vector<OutcomeSet> sets = AnalysePath(conds, rs, path, &watch);
  const bdd space = sp.Universe() & PathPackets(sp, path);
  for (size_t i = 0; i < packets; ++i) {
    const Example ex = RandomExample(conds, space, rng, bounds);
    bool unmodelled = false;
    SymbolicKey(rs, sets, ex.point, &unmodelled);
    if (unmodelled) {  // the symbolic walk stopped where the engine goes on
      ++t.unmodelled;
      continue;
    }
    RuleVisits v;
    if (std::string e = WatchRules(conds, rs, ex, rules, &v); !e.empty()) {
      Fail(t, e);
      continue;
    }
    ++t.packets;
    for (size_t k = 0; k < rules.size(); ++k) {
      const RuleWatch::Sets& w = watch.rules[rules[k]];
      const bool reached = (w.reached & ex.point) != bddfalse;
      const bool matched = (w.matched & ex.point) != bddfalse;
      if (reached == v.reached[k] && matched == v.matched[k]) continue;
      Fail(t, std::string(PacketPathName(path)) + " '" + ex.options + "' at " + names[k] +
                  ": engine " + (v.reached[k] ? "reaches" : "does not reach") +
                  (v.matched[k] ? " and matches" : "") + ", symbolic " +
                  (reached ? "reaches" : "does not reach") + (matched ? " and matches" : ""));
    }
  }
}

int CheckReach(size_t packets, std::mt19937_64& rng, int argc, char** argv) {
  size_t failures = 0, total = 0;
  for (int i = 0; i < argc; ++i) {
    std::string text;
    if (!ReadFile(argv[i], &text)) {
      fprintf(stderr, "cannot read %s\n", argv[i]);
      return 2;
    }
    LoadResult l = LoadRuleset(text, argv[i]);
    if (!l.ok()) {
      fprintf(stderr, "%s", l.diagnostics.Format().c_str());
      return 2;
    }
    std::vector<IfaceName> patterns;
    AddInterfacePatterns(l.ruleset, &patterns);
    Tally t;
    {
      Space sp(l.ruleset.family, patterns);
      Conditions conds(sp);
      Boundaries bounds;
      RulesetBoundaries(l.ruleset, sp, bounds);
      for (PacketPath path : kAnalysedPaths)
        CheckReachPath(conds, l.ruleset, path, packets, rng, bounds, t);
    }
    printf("%s: %zu packets, %zu undecided, %zu failures\n", argv[i], t.packets, t.unmodelled,
           t.failures);
    failures += t.failures;
    total += t.packets;
  }
  printf("reach-check: %zu packets, %zu failures\n", total, failures);
  return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 5 && std::string(argv[1]) == "--reach") {
    std::mt19937_64 rng(std::stoull(argv[3]));
    return CheckReach(std::stoul(argv[2]), rng, argc - 4, argv + 4);
  }
  if (argc < 5 || (argc - 3) % 2 != 0) {
    fprintf(stderr, "usage: iptsim_diff_check PACKETS SEED OLD NEW [OLD NEW ...]\n"
                    "       iptsim_diff_check --reach PACKETS SEED RULES [RULES ...]\n");
    return 2;
  }
  const size_t packets = std::stoul(argv[1]);
  std::mt19937_64 rng(std::stoull(argv[2]));
  size_t failures = 0, total = 0;
  for (int i = 3; i + 1 < argc; i += 2) {
    std::string ta, tb;
    if (!ReadFile(argv[i], &ta) || !ReadFile(argv[i + 1], &tb)) {
      fprintf(stderr, "cannot read %s or %s\n", argv[i], argv[i + 1]);
      return 2;
    }
    LoadResult la = LoadRuleset(ta, argv[i]);
    LoadOptions same_family;
    same_family.family = la.ruleset.family;
    LoadResult lb = LoadRuleset(tb, argv[i + 1], same_family);
    if (!la.ok() || !lb.ok()) {
      fprintf(stderr, "%s%s", la.diagnostics.Format().c_str(), lb.diagnostics.Format().c_str());
      return 2;
    }
    std::vector<IfaceName> patterns;
    AddInterfacePatterns(la.ruleset, &patterns);
    AddInterfacePatterns(lb.ruleset, &patterns);
    Tally t;
    {
      Space sp(la.ruleset.family, patterns);
      Conditions conds(sp);
      Boundaries bounds;
      RulesetBoundaries(la.ruleset, sp, bounds);
      RulesetBoundaries(lb.ruleset, sp, bounds);
      const std::vector<Difference> diffs = CompareRulesets(conds, la.ruleset, lb.ruleset, {});
      for (size_t d = 0; d < diffs.size(); ++d) {
        std::string error;
        const std::string ka = ConcreteOutcomeKey(conds, la.ruleset, diffs[d].example, &error);
        const std::string kb = ConcreteOutcomeKey(conds, lb.ruleset, diffs[d].example, &error);
        if (!diffs[d].before.unmodelled && !diffs[d].after.unmodelled && ka == kb)
          Fail(t, "region " + std::to_string(d + 1) + "'s example '" + diffs[d].example.options +
                      "' does not change (" + ka + ")");
      }
      for (PacketPath path : kAnalysedPaths)
        CheckPath(conds, la.ruleset, lb.ruleset, path, diffs, packets, rng, bounds, t);
      printf("%s %s: %zu regions, %zu packets, %zu changed, %zu undecided, %zu failures\n",
             argv[i], argv[i + 1], diffs.size(), t.packets, t.changed, t.unmodelled, t.failures);
    }
    failures += t.failures;
    total += t.packets;
  }
  printf("diff-check: %zu packets, %zu failures\n", total, failures);
  return failures ? 1 : 0;
}
