#include "output/symbolic_text.h"

#include "engine/extension.h"
#include "output/answer.h"
#include "output/trace_output.h"

namespace iptsim {

namespace {

std::string NatText(const Ruleset& rs, const Rule& r) {
  std::string opts;
  r.target->Save(opts, SaveContext{rs.family});
  return std::string(r.target->info().name) + opts;
}

}  // namespace

std::vector<std::string> RegionLines(symbolic::Conditions& conds, const bdd& set,
                                     const bdd& universe, size_t max_boxes, size_t* more) {
  std::vector<std::string> lines;
  for (const symbolic::Box& b : symbolic::DescribeSet(conds, set, universe, max_boxes, more)) {
    std::string s;
    for (const auto& [name, values] : b.fields) s += (s.empty() ? "" : "; ") + name + " " + values;
    for (const auto& [var, holds] : b.conditions) {
      const symbolic::ConditionInfo& ci = conds.info().at(var);
      s += (s.empty() ? "" : "; ") + std::string(holds ? "if " : "unless ") + ci.text + " (" +
           ci.where + ") matches";
    }
    lines.push_back(s.empty() ? "every packet of the path" : s);
  }
  return lines;
}

std::vector<std::string> PathRegionLines(symbolic::Conditions& conds, const bdd& set,
                                         PacketPath path, size_t max_boxes, size_t* more) {
  symbolic::Space& sp = conds.space();
  return RegionLines(conds, set, sp.Universe() & symbolic::PathPackets(sp, path), max_boxes,
                     more);
}

std::string OutcomeVerdictName(const symbolic::Outcome& o) {
  if (o.unmodelled) return "UNDECIDED";
  SimResult r;
  r.verdict = o.verdict;
  r.decided_by = o.decided;
  return std::string(FinalVerdictName(r));
}

std::string DescribeOutcome(const Ruleset& rs, const symbolic::Outcome& o) {
  std::string s;
  if (o.unmodelled) {
    s = "undecided: iptsim cannot follow the target of " +
        EntryWhere(o.decided, rs.family) + " (" + EntryText(rs, o.decided) + ") symbolically";
  } else {
    s = OutcomeVerdictName(o);
    if (o.decided.chain)
      s += " by " + EntryWhere(o.decided, rs.family) + " (" + EntryText(rs, o.decided) + ")";
  }
  for (const Rule* r : o.nat) s += "; NAT " + NatText(rs, *r);
  return s;
}

std::vector<std::string> ExampleConditionLines(symbolic::Conditions& conds, const bdd& set,
                                               const symbolic::Example& ex) {
  std::vector<std::string> lines;
  for (const auto& [var, holds] : ex.conditions) {
    // Only the conditions the set depends on are worth a line.
    if ((set & conds.space().ConditionVar(var)) == bddfalse ||
        (set & !conds.space().ConditionVar(var)) == bddfalse)
      lines.push_back(conds.info().at(var).text + " (" + conds.info().at(var).where + ") " +
                      (holds ? "matching" : "not matching"));
  }
  return lines;
}

}  // namespace iptsim
