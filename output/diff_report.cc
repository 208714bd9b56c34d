#include "output/diff_report.h"

#include "output/answer.h"
#include "output/symbolic_text.h"
#include "output/trace_output.h"

namespace iptsim {

namespace {

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
            OutcomeVerdictName(d.before).c_str(), OutcomeVerdictName(d.after).c_str());
    size_t more = 0;
    for (const std::string& l : PathRegionLines(conds, d.set, d.path, options.max_boxes, &more))
      fprintf(out, "   packets: %s\n", l.c_str());
    if (more) fprintf(out, "   packets: ... and %zu more parts (not shown)\n", more);
    fprintf(out, "   before:  %s\n", DescribeOutcome(before, d.before).c_str());
    fprintf(out, "   after:   %s\n", DescribeOutcome(after, d.after).c_str());
    fprintf(out, "   example: %s\n", d.example.options.c_str());
    for (const std::string& l : ExampleConditionLines(conds, d.set, d.example))
      fprintf(out, "            with %s\n", l.c_str());
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
    for (const std::string& l : PathRegionLines(conds, d.set, d.path, options.max_boxes, &more))
      boxes += (boxes.empty() ? "" : ",") + JsonString(l);
    fprintf(out,
            "%s{\"path\":%s,\"before\":{\"verdict\":%s,\"by\":%s},\"after\":{\"verdict\":%s,"
            "\"by\":%s},\"packets\":[%s],\"more_parts\":%zu,\"example\":%s}",
            i ? "," : "", JsonString(PacketPathName(d.path)).c_str(),
            JsonString(OutcomeVerdictName(d.before)).c_str(),
            JsonString(DescribeOutcome(before, d.before)).c_str(),
            JsonString(OutcomeVerdictName(d.after)).c_str(),
            JsonString(DescribeOutcome(after, d.after)).c_str(), boxes.c_str(), more,
            JsonString(d.example.options).c_str());
  }
  fprintf(out, "]}\n");
}

}  // namespace

void PrintDiffReport(FILE* out, symbolic::Conditions& conds, const Ruleset& before,
                     const Ruleset& after, const std::vector<symbolic::Difference>& diffs,
                     const std::vector<ExampleRuns>& runs, const DiffReportOptions& options) {
  if (options.json) PrintJson(out, conds, before, after, diffs, options);
  else PrintText(out, conds, before, after, diffs, runs, options);
}

}  // namespace iptsim
