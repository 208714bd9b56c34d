// How rulesets are read beyond iptables-save's own form: reversed ranges as
// iptables 1.8.9 loads them, `iptables -S` text, nftables text, lines that
// do not load (--skip-bad-rules), old syntax and mixed families.  The
// iptables facts were checked in a network namespace with
// iptables-legacy-restore / -save 1.8.9 and the nft flavour
// (docs/loading.md).
#include <catch2/catch.hpp>

#include "engine/eval.h"
#include "engine/extension.h"
#include "loader/loader.h"
#include "loader/printer.h"
#include "tests/unit/test_util.h"

using namespace iptsim;
using iptsim::testing::CheckErrors;
using iptsim::testing::CheckSaves;
using iptsim::testing::PacketFromText;

namespace {

// The rule's last match on a packet (as eval_headers_test does).
Tri EvalLastMatch(const std::string& rule, const std::string& packet) {
  LoadResult r = iptsim::testing::LoadRule(rule);
  INFO(rule);
  REQUIRE(r.ok());
  const Rule* found = iptsim::testing::FindRule(r, "INPUT");
  REQUIRE(found);
  Packet p = PacketFromText(packet);
  PacketView v = PacketView::Of(p);
  EvalContext ctx;
  ctx.family = Family::kIPv4;
  return found->matches[found->matches.size() - 1]->Evaluate(v, ctx);
}

// The packet counter of INPUT's first rule.
uint64_t FindRuleCounters(const LoadResult& r) {
  const Rule* rule = iptsim::testing::FindRule(r, "INPUT");
  return rule ? rule->packets : 0;
}

std::string SaveWithoutHeader(const LoadResult& r) {
  SaveOptions o;
  o.header = false;
  return SaveRuleset(r.ruleset, o);
}

}  // namespace

TEST_CASE("reversed ranges load where iptables 1.8.9 loads them", "[loading]") {
  CheckSaves({
      {"-p udp --sport 60000:29", "-p udp -m udp --sport 60000:29"},
      {"-p udp ! --dport 5:1", "-p udp -m udp ! --dport 5:1"},
      {"-p dccp --sport 60000:29", "-p dccp -m dccp --sport 60000:29"},
      {"-m length --length 100:50", "-m length --length 100:50"},
      {"-p esp -m esp --espspi 500:100", "-p esp -m esp --espspi 500:100"},
      {"-p ah -m ah --ahspi 500:100", "-p ah -m ah --ahspi 500:100"},
      {"-p ipcomp -m ipcomp --ipcompspi 4:3", "-p ipcomp -m ipcomp --ipcompspi 4:3"},
      {"-m conntrack --ctorigsrcport 500:100", "-m conntrack --ctorigsrcport 500:100"},
      {"-m conntrack --ctrepldstport 4:3", "-m conntrack --ctrepldstport 4:3"},
      {"-m conntrack --ctexpire 500:100", "-m conntrack --ctexpire 500:100"},
  });
  CheckSaves(
      {
          {"-m frag --fragid 500:100", "-m frag --fragid 500:100"},
          {"-m rt --rt-segsleft 10:5", "-m rt --rt-segsleft 10:5"},
          {"-m ah --ahspi 4:3", "-m ah --ahspi 4:3"},
      },
      Family::kIPv6);
}

TEST_CASE("reversed ranges iptables 1.8.9 refuses stay refused", "[loading]") {
  CheckErrors({
      {"-p tcp --dport 60000:29",
       "t:2:25: error: -m tcp: invalid port range '60000:29': start is greater than end"},
      {"-p sctp --dport 60000:29",
       "t:2:26: error: -m sctp: invalid port range '60000:29': start is greater than end"},
      {"-p udp -m multiport --dports 60000:29",
       "t:2:39: error: -m multiport: invalid port range '60000:29': start must be below end"},
      {"-m connbytes --connbytes 100:50 --connbytes-dir both --connbytes-mode bytes",
       "t:2:35: error: -m connbytes: invalid range '100:50': start is greater than end"},
      {"-p tcp -m tcpmss --mss 1000:500",
       "t:2:33: error: -m tcpmss: invalid MSS range '1000:500': end 500 is below start 1000"},
  });
  CheckErrors({{"-p ipv6-mh -m mh --mh-type 5:2",
                "t:2:37: error: -m mh: invalid MH type range '5:2': start is greater than end"}},
              Family::kIPv6);
  CHECK(iptsim::testing::FirstLine(iptsim::testing::Load(
            "-p tcp -j DNAT --to-destination 1.2.3.4:600-500", "nat", "PREROUTING")) ==
        "ERROR: t:2:47: error: -j DNAT: invalid port range '600-500': start is greater than end");
}

TEST_CASE("a reversed range never matches, always with '!' (xt_tcpudp, xt_length)", "[loading]") {
  // udp_mt: port_match(min, max, port, invert) = (min <= port <= max) ^ invert.
  CHECK(EvalLastMatch("-p udp --sport 60000:29", "-p udp --sport 100") == Tri::kFalse);
  CHECK(EvalLastMatch("-p udp --sport 60000:29", "-p udp --sport 60000") == Tri::kFalse);
  CHECK(EvalLastMatch("-p udp --sport 60000:29", "-p udp --sport 29") == Tri::kFalse);
  CHECK(EvalLastMatch("-p udp ! --sport 60000:29", "-p udp --sport 100") == Tri::kTrue);
  // length_mt: (min <= len <= max) ^ invert; a default TCP SYN is 40 bytes.
  CHECK(EvalLastMatch("-m length --length 100:20", "-p tcp") == Tri::kFalse);
  CHECK(EvalLastMatch("-m length ! --length 100:20", "-p tcp") == Tri::kTrue);
}

TEST_CASE("iptables -S text loads as one table", "[loading]") {
  // What `iptables-legacy -S` printed for a ruleset; `-S -v` adds "-c P B".
  const std::string text =
      "-P INPUT DROP\n"
      "-P FORWARD ACCEPT\n"
      "-P OUTPUT ACCEPT\n"
      "-N MYCHAIN\n"
      "-A INPUT -i lo -j ACCEPT\n"
      "-A INPUT -p tcp -m tcp --dport 22 -m comment --comment \"ssh in\" -j MYCHAIN\n"
      "-A MYCHAIN -j ACCEPT\n";
  const std::string saved =
      "*filter\n"
      ":INPUT DROP [0:0]\n"
      ":FORWARD ACCEPT [0:0]\n"
      ":OUTPUT ACCEPT [0:0]\n"
      ":MYCHAIN - [0:0]\n"
      "-A INPUT -i lo -j ACCEPT\n"
      "-A INPUT -p tcp -m tcp --dport 22 -m comment --comment \"ssh in\" -j MYCHAIN\n"
      "-A MYCHAIN -j ACCEPT\n"
      "COMMIT\n";
  CHECK(DetectRulesForm(text) == RulesForm::kRuleSpecs);
  LoadResult r = LoadRuleset(text, "s");
  INFO(r.diagnostics.Format());
  REQUIRE(r.ok());
  CHECK(r.form == RulesForm::kRuleSpecs);
  CHECK(SaveWithoutHeader(r) == saved);

  const std::string verbose =
      "-P INPUT DROP -c 5 300\n"
      "-P FORWARD ACCEPT -c 0 0\n"
      "-P OUTPUT ACCEPT -c 0 0\n"
      "-N MYCHAIN\n"
      "-A INPUT -i lo -c 3 180 -j ACCEPT\n"
      "-A INPUT -p tcp -m tcp --dport 22 -m comment --comment \"ssh in\" -c 0 0 -j MYCHAIN\n"
      "-A MYCHAIN -c 0 0 -j ACCEPT\n";
  LoadResult v = LoadRuleset(verbose, "s");
  INFO(v.diagnostics.Format());
  REQUIRE(v.ok());
  // The policy's counters are printed (iptables-save prints them), the
  // rules' only with -c.
  std::string saved_verbose = saved;
  saved_verbose.replace(saved_verbose.find("DROP [0:0]"), 10, "DROP [5:300]");
  CHECK(SaveWithoutHeader(v) == saved_verbose);
  CHECK(FindRuleCounters(v) == 3);
  CHECK(v.ruleset.tables[0].FindChain("INPUT")->packets == 5);
  CHECK(v.ruleset.tables[0].FindChain("INPUT")->bytes == 300);

  LoadOptions nat;
  nat.table = TableId::kNat;
  LoadResult n = LoadRuleset(
      "-P PREROUTING ACCEPT\n-P INPUT ACCEPT\n-P OUTPUT ACCEPT\n-P POSTROUTING ACCEPT\n"
      "-A POSTROUTING -o eth0 -j MASQUERADE\n",
      "s", nat);
  INFO(n.diagnostics.Format());
  REQUIRE(n.ok());
  CHECK(n.ruleset.tables[0].id == TableId::kNat);
  // Without the hint the nat chains are not in filter.
  CHECK(!LoadRuleset("-A POSTROUTING -o eth0 -j MASQUERADE\n", "s").ok());
  // A "*table" line anywhere makes it iptables-save text.
  CHECK(DetectRulesForm("-A INPUT -j ACCEPT\n*filter\nCOMMIT\n") == RulesForm::kSave);
  CHECK(DetectRulesForm("# comment\n*filter\nCOMMIT\n") == RulesForm::kSave);
}

TEST_CASE("nftables text gets one error at its first line", "[loading]") {
  LoadResult r = LoadRuleset(
      "table inet filter {\n\tchain input {\n\t\ttcp dport 22 accept\n\t}\n}\n", "ruleset.nft");
  CHECK(r.diagnostics.Format() ==
        "ruleset.nft:1:1: error: this is nftables syntax ('nft list ruleset'), not a ruleset "
        "iptsim reads: give it iptables-save or ip6tables-save output, or 'iptables -S' output; "
        "for rules made with iptables-nft, run iptables-nft-save (the README says what it cannot "
        "show)\n"
        "table inet filter {\n"
        "^~~~~\n"
        "1 error\n");
}

TEST_CASE("--skip-bad-rules drops the lines that do not load", "[loading]") {
  const std::string text =
      "*filter\n"
      ":INPUT ACCEPT [0:0]\n"
      "-N 0123456789012345678901234567890\n"  // too long: its rules fail in turn
      "-A INPUT -p tcp --dport 22 -j ACCEPT\n"
      "-A INPUT -j ACCPET\n"
      "-A 0123456789012345678901234567890 -j DROP\n"
      "-A INPUT -j DROP\n"
      "COMMIT\n";
  LoadResult plain = LoadRuleset(text, "r");
  CHECK(plain.diagnostics.error_count() == 3);
  LoadOptions o;
  o.skip_bad_rules = true;
  LoadResult r = LoadRuleset(text, "r", o);
  CHECK(r.ok());
  CHECK(r.partial());
  CHECK(r.skipped_lines == 3);
  CHECK(r.ruleset.RuleCount() == 2);
  const std::string f = r.diagnostics.Format();
  CHECK(f.find("r:3:4: warning: line skipped: chain name '0123456789012345678901234567890' is "
               "too long (31 characters; at most 28)\n") != std::string::npos);
  CHECK(f.find("r:5:13: warning: line skipped: unknown target 'ACCPET', did you mean "
               "'ACCEPT'?\n") != std::string::npos);
  CHECK(f.find("r:6:4: warning: line skipped:") != std::string::npos);
  CHECK(f.find("error") == std::string::npos);
  SaveOptions so;
  so.header = false;
  CHECK(SaveRuleset(r.ruleset, so) ==
        "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
        "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n");
  // A ruleset that loads is not partial.
  LoadResult good = LoadRuleset("*filter\n-A INPUT -j DROP\nCOMMIT\n", "r", o);
  CHECK(good.ok());
  CHECK(!good.partial());
}

TEST_CASE("--max-errors 0 keeps every diagnostic", "[loading]") {
  std::string text = "*filter\n";
  for (int i = 0; i < 80; ++i) text += "-A INPUT -j NOPE\n";
  text += "COMMIT\n";
  LoadOptions o;
  o.max_errors = 0;
  LoadResult r = LoadRuleset(text, "r", o);
  CHECK(r.diagnostics.diagnostics().size() == 80);
  CHECK(r.diagnostics.dropped() == 0);
}

TEST_CASE("old syntax gets a hint", "[loading]") {
  CheckErrors({
      {"-d ! 10.0.0.1 -j DROP",
       "t:2:13: error: '-d ! 10.0.0.1' is the syntax of iptables before 1.4.3: write '! -d "
       "10.0.0.1'"},
      {"-i ! eth0 -j DROP",
       "t:2:13: error: '-i ! eth0' is the syntax of iptables before 1.4.3: write '! -i eth0'"},
      {"-p tcp --dport ! 22 -j DROP",
       "t:2:25: error: '--dport ! 22' is the syntax of iptables before 1.4.3: write '! --dport "
       "22'"},
      {"-m time --days Mon,Tue -j DROP",
       "t:2:18: error: unknown option '--days': the old ipt_time match's --days is --weekdays in "
       "-m time (xt_time)"},
  });
  // A quoted "!" is a value, not the old inversion.
  CHECK(iptsim::testing::LoadRule("-m string --algo bm --string \"!\"").ok());
}

TEST_CASE("an address of the other family says so", "[loading]") {
  auto first_error = [](const std::string& text, std::optional<Family> fam) {
    LoadOptions o;
    o.family = fam;
    LoadResult r = LoadRuleset(text, "r", o);
    REQUIRE(!r.diagnostics.diagnostics().empty());
    return r.diagnostics.diagnostics()[0].message;
  };
  // Detection takes the first IPv6 address (or IPv4 one on a line with a
  // ':'), so a mixed dump is IPv6 here and its IPv4 address the odd one.
  CHECK(first_error("*filter\n-A INPUT -s 10.0.0.1 -j DROP\n-A INPUT -s 2001:db8::1 -j DROP\n"
                    "COMMIT\n",
                    std::nullopt) ==
        "'10.0.0.1' is an IPv4 address, but this ruleset is IPv6 (from the IPv6 address "
        "'2001:db8::1' on line 3): load iptables-save output for IPv4 rules, or give -4");
  CHECK(first_error("*filter\n-A INPUT -d 2001:db8::/32 -j DROP\nCOMMIT\n", Family::kIPv4) ==
        "'2001:db8::' is an IPv6 address, but this ruleset is IPv4 (-4 was given): load "
        "ip6tables-save output for IPv6 rules, or give -6");
  CHECK(first_error("# Generated by ip6tables-save v1.8.9\n*filter\n-A INPUT -s 10.1.2.3/8 -j "
                    "DROP\nCOMMIT\n",
                    std::nullopt) ==
        "'10.1.2.3' is an IPv4 address, but this ruleset is IPv6 (from the ip6tables-save header "
        "on line 1): load iptables-save output for IPv4 rules, or give -4");
  // In an extension's value too, after the extension's own message.
  const std::string dnat =
      first_error("*nat\n-A PREROUTING -p tcp -j DNAT --to-destination [2001:db8::1]:80\nCOMMIT\n",
                  Family::kIPv4);
  CHECK(dnat.find("; '2001:db8::1' is an IPv6 address, but this ruleset is IPv4 (-4 was given)") !=
        std::string::npos);
}
