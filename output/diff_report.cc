#include "output/diff_report.h"

#include "engine/extension.h"
#include "output/answer.h"
#include "output/trace_output.h"

namespace iptsim {

namespace {

std::string VerdictName(const Ruleset& rs, const symbolic::Outcome& o) {
  SimResult r;
  r.verdict = o.verdict;
  r.decided_by = o.decided;
  if (o.unmodelled) return "UNDECIDED";
  return std::string(FinalVerdictName(r));
}

std::string NatText(const Ruleset& rs, const Rule& r) {
  std::string opts;
  r.target->Save(opts, SaveContext{rs.family});
  return std::string(r.target->info().name) + opts;
}

// The box lines of a change: "tcp; dport 8080; in eth0, eth1".
std::vector<std::string> BoxLines(symbolic::Conditions& conds, const symbolic::Difference& d,
                                  size_t max_boxes, size_t* more) {
  symbolic::Space& sp = conds.space();
  const bdd universe = sp.Universe() & symbolic::PathPackets(sp, d.path);
  std::vector<std::string> lines;
  for (const symbolic::Box& b : symbolic::DescribeSet(conds, d.set, universe, max_boxes, more)) {
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

void PrintText(FILE* out, symbolic::Conditions& conds, const Ruleset& before,
               const Ruleset& after, const std::vector<symbolic::Difference>& diffs,
               const std::vector<ExampleRuns>& runs, const DiffReportOptions& options) {
  if (diffs.empty()) {
    fprintf(out, "no packet changes its fate (%s -> %s)\n", before.file.c_str(),
            after.file.c_str());
    return;
  }
  fprintf(out, "%zu set%s of packets change%s fate (%s -> %s):\n", diffs.size(),
          diffs.size() == 1 ? "" : "s", diffs.size() == 1 ? "s its" : " their", before.file.c_str(),
          after.file.c_str());
  for (size_t i = 0; i < diffs.size(); ++i) {
    const symbolic::Difference& d = diffs[i];
    fprintf(out, "\n%zu. %s: %s -> %s\n", i + 1, std::string(PacketPathName(d.path)).c_str(),
            VerdictName(before, d.before).c_str(), VerdictName(after, d.after).c_str());
    size_t more = 0;
    for (const std::string& l : BoxLines(conds, d, options.max_boxes, &more))
      fprintf(out, "   packets: %s\n", l.c_str());
    if (more) fprintf(out, "   packets: ... and %zu more parts (not shown)\n", more);
    fprintf(out, "   before:  %s\n", DescribeOutcome(before, d.before).c_str());
    fprintf(out, "   after:   %s\n", DescribeOutcome(after, d.after).c_str());
    fprintf(out, "   example: %s\n", d.example.options.c_str());
    for (const auto& [var, holds] : d.example.conditions) {
      // Only the conditions this change depends on are worth a line.
      if ((d.set & conds.space().ConditionVar(var)) == bddfalse ||
          (d.set & !conds.space().ConditionVar(var)) == bddfalse)
        fprintf(out, "            with %s (%s) %s\n", conds.info().at(var).text.c_str(),
                conds.info().at(var).where.c_str(), holds ? "matching" : "not matching");
    }
    if (i < runs.size() && !runs[i].before_trace.empty()) {
      fprintf(out, "   trace before:\n%s", runs[i].before_trace.c_str());
      fprintf(out, "   trace after:\n%s", runs[i].after_trace.c_str());
    }
  }
}

void PrintJson(FILE* out, symbolic::Conditions& conds, const Ruleset& before,
               const Ruleset& after, const std::vector<symbolic::Difference>& diffs,
               const DiffReportOptions& options) {
  fprintf(out, "{\"before\":%s,\"after\":%s,\"changes\":[", JsonString(before.file).c_str(),
          JsonString(after.file).c_str());
  for (size_t i = 0; i < diffs.size(); ++i) {
    const symbolic::Difference& d = diffs[i];
    size_t more = 0;
    std::string boxes;
    for (const std::string& l : BoxLines(conds, d, options.max_boxes, &more))
      boxes += (boxes.empty() ? "" : ",") + JsonString(l);
    fprintf(out,
            "%s{\"path\":%s,\"before\":{\"verdict\":%s,\"by\":%s},\"after\":{\"verdict\":%s,"
            "\"by\":%s},\"packets\":[%s],\"more_parts\":%zu,\"example\":%s}",
            i ? "," : "", JsonString(PacketPathName(d.path)).c_str(),
            JsonString(VerdictName(before, d.before)).c_str(),
            JsonString(DescribeOutcome(before, d.before)).c_str(),
            JsonString(VerdictName(after, d.after)).c_str(),
            JsonString(DescribeOutcome(after, d.after)).c_str(), boxes.c_str(), more,
            JsonString(d.example.options).c_str());
  }
  fprintf(out, "]}\n");
}

}  // namespace

std::string DescribeOutcome(const Ruleset& rs, const symbolic::Outcome& o) {
  std::string s;
  if (o.unmodelled) {
    s = "undecided: iptsim cannot follow the target of " +
        EntryWhere(o.decided, rs.family) + " (" + EntryText(rs, o.decided) + ") symbolically";
  } else {
    s = VerdictName(rs, o);
    if (o.decided.chain)
      s += " by " + EntryWhere(o.decided, rs.family) + " (" + EntryText(rs, o.decided) + ")";
  }
  for (const Rule* r : o.nat) s += "; NAT " + NatText(rs, *r);
  return s;
}

void PrintDiffReport(FILE* out, symbolic::Conditions& conds, const Ruleset& before,
                     const Ruleset& after, const std::vector<symbolic::Difference>& diffs,
                     const std::vector<ExampleRuns>& runs, const DiffReportOptions& options) {
  if (options.json) PrintJson(out, conds, before, after, diffs, options);
  else PrintText(out, conds, before, after, diffs, runs, options);
}

}  // namespace iptsim
