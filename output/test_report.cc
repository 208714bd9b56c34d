#include "output/test_report.h"

#include <cstdio>
#include <sstream>

#include <pugixml.hpp>

namespace iptsim {
namespace {

std::string Indent(const std::string& text, const std::string& by) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string::npos ? text.size() : nl;
    out += by + text.substr(pos, end - pos) + "\n";
    pos = end + 1;
  }
  return out;
}

// Seconds as JUnit consumers read them ("0.000137").
std::string Seconds(double s) {
  char b[32];
  snprintf(b, sizeof b, "%.6f", s);
  return b;
}

std::string Title(const CaseReport& r) {
  return r.spec + ": " + r.name + (r.rules.empty() ? "" : " [" + r.rules + "]");
}

// The details of a case that did not pass, as the text report and the
// JUnit <failure>/<skipped> body show them.
std::string Details(const CaseReport& r) {
  const CaseOutcome& o = r.outcome;
  std::string out;
  for (const std::string& f : o.failures) out += f + "\n";
  if (!o.undecided.empty())
    out += "undecided: " + o.undecided + "\n";
  out += "packet" + std::string(r.packets.find('\n') == std::string::npos ? "" : "s") + ":\n" +
         Indent(r.packets, "  ");
  if (!o.explain.empty()) out += "trace (--format explain):\n" + Indent(o.explain, "  ");
  return out;
}

}  // namespace

std::string FormatCaseReport(const CaseReport& r) {
  std::string out = std::string(CaseStatusName(r.outcome.status)) + " " + Title(r) + "\n";
  if (r.outcome.status != CaseStatus::kPass) out += Indent(Details(r), "  ");
  return out;
}

TestCounts CountOutcomes(const std::vector<CaseReport>& reports) {
  TestCounts c;
  for (const CaseReport& r : reports) {
    switch (r.outcome.status) {
      case CaseStatus::kPass: ++c.passed; break;
      case CaseStatus::kFail: ++c.failed; break;
      case CaseStatus::kUndecided: ++c.undecided; break;
    }
  }
  return c;
}

std::string FormatCounts(const TestCounts& c) {
  return std::to_string(c.passed) + " passed, " + std::to_string(c.failed) + " failed, " +
         std::to_string(c.undecided) + " undecided";
}

std::string JunitXml(const std::vector<CaseReport>& reports) {
  pugi::xml_document doc;
  pugi::xml_node suites = doc.append_child("testsuites");
  suites.append_attribute("name") = "iptsim test";
  TestCounts all = CountOutcomes(reports);
  double all_seconds = 0;
  for (const CaseReport& r : reports) all_seconds += r.seconds;
  suites.append_attribute("tests") = static_cast<unsigned long long>(reports.size());
  suites.append_attribute("failures") = static_cast<unsigned long long>(all.failed);
  suites.append_attribute("errors") = 0;
  suites.append_attribute("skipped") = static_cast<unsigned long long>(all.undecided);
  suites.append_attribute("time") = Seconds(all_seconds).c_str();
  for (size_t i = 0; i < reports.size();) {
    // The reports of one spec are consecutive.
    size_t end = i;
    while (end < reports.size() && reports[end].spec == reports[i].spec) ++end;
    std::vector<CaseReport> mine(reports.begin() + i, reports.begin() + end);
    TestCounts c = CountOutcomes(mine);
    double seconds = 0;
    for (const CaseReport& r : mine) seconds += r.seconds;
    pugi::xml_node suite = suites.append_child("testsuite");
    suite.append_attribute("name") = reports[i].spec.c_str();
    suite.append_attribute("tests") = static_cast<unsigned long long>(mine.size());
    suite.append_attribute("failures") = static_cast<unsigned long long>(c.failed);
    suite.append_attribute("errors") = 0;
    suite.append_attribute("skipped") = static_cast<unsigned long long>(c.undecided);
    suite.append_attribute("time") = Seconds(seconds).c_str();
    for (const CaseReport& r : mine) {
      pugi::xml_node tc = suite.append_child("testcase");
      std::string name = r.name + (r.rules.empty() ? "" : " [" + r.rules + "]");
      tc.append_attribute("name") = name.c_str();
      tc.append_attribute("classname") = r.spec.c_str();
      tc.append_attribute("time") = Seconds(r.seconds).c_str();
      const CaseOutcome& o = r.outcome;
      if (o.status == CaseStatus::kPass) continue;
      const bool failed = o.status == CaseStatus::kFail;
      pugi::xml_node el = tc.append_child(failed ? "failure" : "skipped");
      std::string message = failed ? o.failures.front() : "undecided: " + o.undecided;
      el.append_attribute("message") = message.c_str();
      if (failed) el.append_attribute("type") = "expectation";
      el.append_child(pugi::node_pcdata).set_value(Details(r).c_str());
    }
    i = end;
  }
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default | pugi::format_no_declaration);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + out.str();
}

}  // namespace iptsim
