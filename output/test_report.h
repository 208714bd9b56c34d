// What `iptsim test` prints: a line per case (PASS / FAIL / UNDECIDED, the
// spec and the case), for a failed case the expected against the actual
// and the explain trace with file:line, a closing count; and the same
// results as JUnit XML (pugixml): a testsuite per spec, a testcase per
// case, <failure> and <skipped> (undecided) elements.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "output/test_runner.h"

namespace iptsim {

// One case's result, with the names the report gives it.
struct CaseReport {
  std::string spec;     // the spec file as given
  std::string name;     // the case's name
  std::string rules;    // the ruleset it ran against ("" when the spec has only one)
  std::string packets;  // the packets' options, one per line
  CaseOutcome outcome;
  double seconds = 0;
};

// "PASS spec.yaml: ssh is allowed" (with " [rules.v4]" when the spec has
// several rulesets), then for a case that did not pass the details,
// indented.
std::string FormatCaseReport(const CaseReport& r);

struct TestCounts {
  size_t passed = 0, failed = 0, undecided = 0;
};
TestCounts CountOutcomes(const std::vector<CaseReport>& reports);
// "12 passed, 1 failed, 2 undecided"
std::string FormatCounts(const TestCounts& c);

// The JUnit XML of the reports (in spec order; a testsuite per spec).
std::string JunitXml(const std::vector<CaseReport>& reports);

}  // namespace iptsim
