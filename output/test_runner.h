// One case of `iptsim test` run and checked: its packets through a fresh
// Simulator (a flow's packets through the same one), each packet's answer
// (SimResult::decided_by, output/answer.h) held against what the spec
// expects.  Only reads the Ruleset, so cases run on several threads at once.
#pragma once

#include <string>
#include <vector>

#include "engine/model.h"
#include "engine/run_settings.h"
#include "loader/test_binding.h"

namespace iptsim {

enum class CaseStatus : uint8_t { kPass, kFail, kUndecided };
std::string_view CaseStatusName(CaseStatus s);  // "PASS", "FAIL", "UNDECIDED"

struct CaseOutcome {
  CaseStatus status = CaseStatus::kPass;
  // Each failed expectation: "verdict: expected DROP, got ACCEPT by ...".
  std::vector<std::string> failures;
  // What the simulation could not decide and why (status kUndecided).
  std::string undecided;
  // `iptsim trace --format explain` of the case's packets (for a case that
  // did not pass).
  std::string explain;
  // `iptsim trace --trace-all` of the case's packets (for golden:).
  std::string trace;
};

// What the case's golden file holds (`present` false: no such file).
struct GoldenText {
  bool present = false;
  std::string text;
};

// Runs `c` against `rs` with `settings` (host model, ipsets).  `golden`:
// the golden file's text when the case has one; `update`: a differing
// golden file is not a failure (the caller rewrites it from `trace`).
CaseOutcome RunTestCase(const Ruleset& rs, const RunSettings& settings, const BoundCase& c,
                        const GoldenText* golden, bool update);

}  // namespace iptsim
