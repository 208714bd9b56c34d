// iptsim test's spec reader (loader/test_spec.h), its binding to a ruleset
// (loader/test_binding.h) and the checks of one case (output/test_runner.h).
#include <catch2/catch.hpp>

#include <string>
#include <thread>

#include "loader/loader.h"
#include "loader/test_binding.h"
#include "loader/test_spec.h"
#include "output/test_report.h"
#include "output/test_runner.h"

using namespace iptsim;

namespace {

constexpr const char* kRules =
    "*filter\n"
    ":INPUT DROP [0:0]\n"
    ":FORWARD DROP [0:0]\n"
    ":OUTPUT ACCEPT [0:0]\n"
    "-A INPUT -p udp --dport 53 -j DROP\n"
    "-A INPUT -s 10.0.0.0/8 -j MARK --set-mark 7\n"
    "-A INPUT -p tcp -m tcp --dport 22 -m comment --comment \"allow ssh\" -j ACCEPT\n"
    "-A INPUT -p tcp --dport 113 -j REJECT --reject-with tcp-reset\n"
    "COMMIT\n";

// Reads `yaml`, binds it to kRules and runs its cases; the outcomes.
std::vector<CaseOutcome> Run(const std::string& yaml, std::string* errors = nullptr) {
  static LoadResult loaded = LoadRuleset(kRules, "rules.v4");
  REQUIRE(loaded.ok());
  TestSpec spec;
  DiagnosticSink diags;
  std::vector<BoundCase> cases;
  bool ok = ReadTestSpec(yaml, "spec.yaml", &spec, &diags) &&
            BindTestSpec(spec, yaml, loaded.ruleset, &cases, &diags);
  if (errors) *errors = diags.Format();
  if (!ok) return {};
  std::vector<CaseOutcome> out;
  RunSettings settings;
  for (const BoundCase& c : cases) out.push_back(RunTestCase(loaded.ruleset, settings, c, nullptr, false));
  return out;
}

}  // namespace

TEST_CASE("test spec: a passing case of each expectation kind") {
  auto out = Run(R"(rules: rules.v4
defaults: -i eth0 -d 192.0.2.2
cases:
  - packet: -s 10.1.1.1 -p tcp --dport 22 --syn
    verdict: ACCEPT
    rule: {comment: allow ssh}
    path_includes: -A INPUT -s 10.0.0.0/8 -j MARK --set-mark 7
    path_excludes: filter:INPUT:1
    mark: 0x7
  - packet: [-s, 192.0.2.1, -p, tcp, --dport, "113", --syn]
    verdict: REJECT tcp-reset
    rule: -A INPUT -p tcp -m tcp --dport 113 -j REJECT --reject-with tcp-reset
    log: []
  - packet: -s 192.0.2.1 -p tcp --dport 80 --syn
    verdict: DROP
    rule: filter:INPUT:policy
)");
  REQUIRE(out.size() == 3);
  for (const CaseOutcome& o : out) {
    INFO((o.failures.empty() ? o.undecided : o.failures[0]));
    CHECK(o.status == CaseStatus::kPass);
  }
}

TEST_CASE("test spec: failed expectations say expected and actual") {
  auto out = Run(R"(rules: rules.v4
cases:
  - packet: -i eth0 -s 192.0.2.1 -p udp --dport 53
    verdict: ACCEPT
    mark: 1
    path_includes: filter:INPUT:3
  - packet: -i eth0 -s 192.0.2.1 -p tcp --dport 113 --syn
    verdict: REJECT icmp-port-unreachable
)");
  REQUIRE(out.size() == 2);
  CHECK(out[0].status == CaseStatus::kFail);
  REQUIRE(out[0].failures.size() == 3);
  CHECK(out[0].failures[0] ==
        "verdict: expected ACCEPT, got DROP (DROP by filter:INPUT:rule:1 (rules.v4:5: -A INPUT "
        "-p udp --dport 53 -j DROP))");
  CHECK(out[0].failures[1] == "path_includes: filter:INPUT:3 did not match the packet");
  CHECK(out[0].failures[2] == "mark: expected 0x1, got 0x0");
  CHECK(out[0].explain.find("filter:INPUT:rule:1") != std::string::npos);
  REQUIRE(out[1].failures.size() == 1);
  CHECK(out[1].failures[0].rfind("verdict: expected REJECT icmp-port-unreachable, got REJECT tcp-reset", 0) == 0);
}

TEST_CASE("test spec: errors at the node, with did-you-mean") {
  std::string errors;
  Run("rules: rules.v4\ncases:\n  - packet: -p tcp\n    verdit: DROP\n", &errors);
  CHECK(errors.find("spec.yaml:4:5: error: unknown key 'verdit' in a case, did you mean "
                    "'verdict'?") != std::string::npos);
  Run("rules: rules.v4\ncases:\n  - packet: -p tcp\n    rule: filter:INPUT:9\n", &errors);
  CHECK(errors.find("spec.yaml:4:11: error: 'filter:INPUT:9': filter:INPUT has 4 rules") !=
        std::string::npos);
  Run("cases: []\n", &errors);
  CHECK(errors.find("spec.yaml:1:1: error: the spec names no ruleset ('rules: FILE')") !=
        std::string::npos);
}

TEST_CASE("test spec: rule comments as iptables-save quotes them") {
  CHECK(RuleComment("-A INPUT -m comment --comment web -j ACCEPT") == "web");
  CHECK(RuleComment("-A INPUT -m comment --comment \"allow ssh\" -j ACCEPT") == "allow ssh");
  CHECK(RuleComment("-A X -m comment --comment \"\\'dapp_WWW%20Full\\'\" -j ACCEPT") ==
        "'dapp_WWW%20Full'");
  CHECK(RuleComment("-A INPUT -j ACCEPT") == "");
}

TEST_CASE("test spec: JUnit counts and elements") {
  CaseReport pass{"a.yaml", "one", "", "-p tcp", {}, 0.5};
  CaseReport fail{"a.yaml", "two", "", "-p udp", {}, 0.25};
  fail.outcome.status = CaseStatus::kFail;
  fail.outcome.failures = {"verdict: expected ACCEPT, got DROP"};
  CaseReport undecided{"b.yaml", "three", "", "-p tcp", {}, 0};
  undecided.outcome.status = CaseStatus::kUndecided;
  undecided.outcome.undecided = "needs --seed";
  std::string xml = JunitXml({pass, fail, undecided});
  CHECK(xml.find("<testsuite name=\"a.yaml\" tests=\"2\" failures=\"1\" errors=\"0\" "
                 "skipped=\"0\" time=\"0.750000\">") != std::string::npos);
  CHECK(xml.find("<failure message=\"verdict: expected ACCEPT, got DROP\" "
                 "type=\"expectation\">") != std::string::npos);
  CHECK(xml.find("<skipped message=\"undecided: needs --seed\">") != std::string::npos);
  CHECK(FormatCounts(CountOutcomes({pass, fail, undecided})) ==
        "1 passed, 1 failed, 1 undecided");
}

TEST_CASE("test spec: cases on several threads give what they give one by one") {
  // The Ruleset is shared and only read: NAT bindings, conntrack entries,
  // rule state and marks live in each case's own Simulator.
  static LoadResult nat = LoadRuleset(
      "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
      ":POSTROUTING ACCEPT [0:0]\n"
      "-A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.9.9.9:80\n"
      "-A POSTROUTING -o eth1 -j MASQUERADE\nCOMMIT\n"
      "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
      "-A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT\n"
      "-A FORWARD -m recent --set --name seen -j MARK --set-mark 3\n"
      "-A FORWARD -d 10.9.9.9 -p tcp --dport 80 -j ACCEPT\nCOMMIT\n",
      "nat.v4");
  REQUIRE(nat.ok());
  std::string yaml = "rules: nat.v4\ncases:\n";
  for (int i = 0; i < 64; ++i)
    yaml += "  - flow:\n      - -i eth0 -o eth2 -s 192.0.2." + std::to_string(i + 1) +
            " -d 203.0.113.2 -p tcp --sport 40000 --dport 8080 --syn\n"
            "      - packet: -i eth2 -o eth0 -s 10.9.9.9 -d 192.0.2." + std::to_string(i + 1) +
            " -p tcp --sport 80 --dport 40000 --tcp-flags ALL SYN,ACK\n"
            "        ctstate: ESTABLISHED\n        verdict: ACCEPT\n"
            "        rule: filter:FORWARD:1\n";
  TestSpec spec;
  DiagnosticSink diags;
  std::vector<BoundCase> cases;
  REQUIRE(ReadTestSpec(yaml, "spec.yaml", &spec, &diags));
  REQUIRE(BindTestSpec(spec, yaml, nat.ruleset, &cases, &diags));
  RunSettings settings;
  std::vector<CaseOutcome> serial, parallel(cases.size());
  for (const BoundCase& c : cases) serial.push_back(RunTestCase(nat.ruleset, settings, c, nullptr, false));
  std::vector<std::thread> threads;
  for (size_t t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (size_t i = t; i < cases.size(); i += 4)
        parallel[i] = RunTestCase(nat.ruleset, settings, cases[i], nullptr, false);
    });
  for (std::thread& th : threads) th.join();
  for (size_t i = 0; i < cases.size(); ++i) {
    INFO(i);
    CHECK(serial[i].status == CaseStatus::kPass);
    CHECK(parallel[i].status == serial[i].status);
    CHECK(parallel[i].failures == serial[i].failures);
  }
}
