// Loader behaviour beyond single rules: parallel loading of large sections,
// commands that edit the table, the kernel's chain walk.
#include <catch2/catch.hpp>

#include "loader/loader.h"
#include "loader/printer.h"

using namespace iptsim;

namespace {

std::string BigSection(int rules, bool with_errors) {
  std::string t = "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n";
  for (int c = 0; c < 50; ++c) t += ":C" + std::to_string(c) + " - [0:0]\n";
  for (int i = 0; i < rules; ++i) {
    std::string chain = i % 3 == 0 ? "INPUT" : "C" + std::to_string(i % 50);
    if (with_errors && i % 7919 == 0) {
      t += "-A " + chain + " -p tcp --dport 99999 -j ACCEPT\n";  // bad port
      continue;
    }
    if (with_errors && i % 10007 == 1) {
      // -m owner is valid in OUTPUT/POSTROUTING only; these chains are
      // reached from INPUT: an error found after COMMIT.
      t += "-A C" + std::to_string(i % 50) + " -m owner --uid-owner 0 -j ACCEPT\n";
      continue;
    }
    t += "-A " + chain + " -s 10." + std::to_string(i % 250) + ".0.0/16 -p tcp -m comment --comment \"rule " +
         std::to_string(i) + "\" -m tcp --dport " + std::to_string(i % 65535) +
         (i % 3 == 0 ? " -j C" + std::to_string(i % 50) : " -j ACCEPT") + "\n";
  }
  // A loop through chains reached from INPUT (refused by the kernel), found
  // by the parallel chain walk as by the sequential one.
  if (with_errors) t += "-A C48 -p udp -j C49\n-A C49 -p udp -j C48\n";
  return t + "COMMIT\n";
}

}  // namespace

TEST_CASE("parallel loading gives exactly the sequential result", "[loader]") {
  for (bool errors : {false, true}) {
    std::string text = BigSection(60000, errors);
    LoadOptions one, four;
    one.threads = 1;
    four.threads = 4;
    four.max_errors = one.max_errors = 1000;
    LoadResult a = LoadRuleset(text, "r", one);
    LoadResult b = LoadRuleset(text, "r", four);
    CHECK(a.ok() == !errors);
    CHECK(a.ruleset.RuleCount() == b.ruleset.RuleCount());
    CHECK(SaveRuleset(a.ruleset) == SaveRuleset(b.ruleset));
    CHECK(a.diagnostics.Format() == b.diagnostics.Format());
    // Bad ports at i = 0, 7919, ..., 55433 (8); owner at i = 1, 10008, ..., 50036 (6);
    // the loop C48 -> C49 -> C48 (1).
    if (errors) CHECK(a.diagnostics.error_count() == 8 + 6 + 1);
    if (errors) CHECK(a.diagnostics.Format().find("chain loop: INPUT -> C48 -> C49 -> C48") !=
                      std::string::npos);
  }
}

TEST_CASE("commands edit the table as iptables-restore does", "[loader]") {
  const char* text =
      "*filter\n"
      ":A - [0:0]\n"
      ":B - [0:0]\n"
      "-A INPUT -p tcp -j A\n"
      "-A INPUT -p udp -j ACCEPT\n"
      "-I INPUT -p icmp -j DROP\n"
      "-I INPUT 3 -s 10.0.0.1 -j B\n"
      "-D INPUT -p udp -j ACCEPT\n"
      "-R INPUT 1 -p icmp -j ACCEPT\n"
      "-N C\n"
      "-A C -j RETURN\n"
      "-F C\n"
      "-X C\n"
      "-E B BEE\n"
      "-P FORWARD DROP\n"
      "COMMIT\n";
  LoadResult r = LoadRuleset(text, "r");
  REQUIRE(r.ok());
  SaveOptions o;
  o.header = false;
  CHECK(SaveRuleset(r.ruleset, o) ==
        "*filter\n"
        ":INPUT ACCEPT [0:0]\n"
        ":FORWARD DROP [0:0]\n"
        ":OUTPUT ACCEPT [0:0]\n"
        ":A - [0:0]\n"
        ":BEE - [0:0]\n"
        "-A INPUT -p icmp -j ACCEPT\n"
        "-A INPUT -p tcp -j A\n"
        "-A INPUT -s 10.0.0.1/32 -j BEE\n"
        "COMMIT\n");
}

TEST_CASE("comma lists make one rule per address pair", "[loader]") {
  LoadResult r = LoadRuleset("*filter\n-A INPUT -s 1.1.1.1,2.2.2.2 -d 3.3.3.3,4.4.4.4 -j DROP\nCOMMIT\n", "r");
  REQUIRE(r.ok());
  std::string out;
  const Table& t = r.ruleset.tables[0];
  for (const Rule& ru : t.FindChain("INPUT")->rules) {
    SaveRule(t, ru, "INPUT", Family::kIPv4, out);
    out += "\n";
  }
  // Checked against iptables-legacy-restore 1.8.9: sources outermost.
  CHECK(out ==
        "-A INPUT -s 1.1.1.1/32 -d 3.3.3.3/32 -j DROP\n"
        "-A INPUT -s 1.1.1.1/32 -d 4.4.4.4/32 -j DROP\n"
        "-A INPUT -s 2.2.2.2/32 -d 3.3.3.3/32 -j DROP\n"
        "-A INPUT -s 2.2.2.2/32 -d 4.4.4.4/32 -j DROP\n");
}

TEST_CASE("hook restrictions follow jumps into user chains", "[loader]") {
  // DNAT is valid in nat PREROUTING/OUTPUT only: a user chain reached from
  // POSTROUTING makes the kernel refuse it.
  LoadResult ok = LoadRuleset("*nat\n:D - [0:0]\n-A PREROUTING -j D\n-A D -p tcp -j DNAT --to-destination 1.2.3.4\nCOMMIT\n", "r");
  CHECK(ok.ok());
  LoadResult bad = LoadRuleset("*nat\n:D - [0:0]\n-A PREROUTING -j D\n-A POSTROUTING -j D\n-A D -p tcp -j DNAT --to-destination 1.2.3.4\nCOMMIT\n", "r");
  REQUIRE(bad.diagnostics.error_count() == 1);
  CHECK(FormatDiagnostic(bad.diagnostics.diagnostics()[0]) ==
        "r:5:13: error: -j DNAT: only valid in PREROUTING, OUTPUT; this rule is reached from POSTROUTING\n"
        "-A D -p tcp -j DNAT --to-destination 1.2.3.4\n"
        "            ^~~~~~~\n");
  // Unreachable chains are not checked (the kernel only walks from hooks).
  CHECK(LoadRuleset("*nat\n:D - [0:0]\n-A D -p tcp -j DNAT --to-destination 1.2.3.4\nCOMMIT\n", "r").ok());
  // A loop that no builtin chain reaches is accepted, as by the kernel.
  CHECK(LoadRuleset("*filter\n:A - [0:0]\n:B - [0:0]\n-A A -j B\n-A B -j A\nCOMMIT\n", "r").ok());
}
