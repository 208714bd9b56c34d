// `iptsim diff`'s answer: per changed set of packets, the path, the packets
// in words (symbolic/region.h), the outcome before and after with the
// deciding rule (table:chain:label:N, file:line, the rule) in each
// ruleset, an example packet and the concrete engine's confirmation; as a
// table for people or as JSON.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "engine/simulator.h"
#include "symbolic/diff.h"

namespace iptsim {

struct DiffReportOptions {
  bool json = false;
  size_t max_boxes = 16;  // box lines per change (the rest counted, not dropped silently)
};

// The engine's runs of one change's example through both rulesets.
struct ExampleRuns {
  RunResult before, after;
  std::string before_trace, after_trace;  // --traces: the explain trace ("" otherwise)
};

void PrintDiffReport(FILE* out, symbolic::Conditions& conds, const Ruleset& before,
                     const Ruleset& after, const std::vector<symbolic::Difference>& diffs,
                     const std::vector<ExampleRuns>& runs, const DiffReportOptions& options);

}  // namespace iptsim
