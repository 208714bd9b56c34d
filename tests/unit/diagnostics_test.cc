// Whole diagnostic messages, caret included, for every kind of load error the
// loader reports (tests compare the whole message: text, source line and caret).
#include <catch2/catch.hpp>

#include "loader/loader.h"

using namespace iptsim;

namespace {

std::string Diagnose(const std::string& text) {
  LoadResult r = LoadRuleset(text, "rules.v4");
  std::string out;
  for (const Diagnostic& d : r.diagnostics.diagnostics()) out += FormatDiagnostic(d);
  return out;
}

struct Case {
  const char* what;
  const char* input;
  const char* expected;
};

const Case kCases[] = {
    {"unknown target, did you mean", "*filter\n-A INPUT -j ACCPET\nCOMMIT\n",
     "rules.v4:2:13: error: unknown target 'ACCPET', did you mean 'ACCEPT'?\n"
     "-A INPUT -j ACCPET\n"
     "            ^~~~~~\n"},
    {"unknown user chain as target", "*filter\n:LOGDROP - [0:0]\n-A INPUT -j LOGDRP\nCOMMIT\n",
     "rules.v4:3:13: error: unknown target 'LOGDRP', did you mean 'LOGDROP'?\n"
     "-A INPUT -j LOGDRP\n"
     "            ^~~~~~\n"},
    {"unknown match, did you mean", "*filter\n-A INPUT -m comemnt --comment x\nCOMMIT\n",
     "rules.v4:2:13: error: unknown match 'comemnt', did you mean 'comment'?\n"
     "-A INPUT -m comemnt --comment x\n"
     "            ^~~~~~~\n"},
    {"option of a match that is not loaded", "*filter\n-A INPUT --dport 22 -j ACCEPT\nCOMMIT\n",
     "rules.v4:2:10: error: unknown option '--dport': it belongs to -m tcp, -m udp, -m dccp or -m sctp, which must "
     "be loaded (with -m, -j or -p) before the option\n"
     "-A INPUT --dport 22 -j ACCEPT\n"
     "         ^~~~~~~\n"},
    {"unknown option, did you mean", "*filter\n-A INPUT -m comment --coment x\nCOMMIT\n",
     "rules.v4:2:21: error: unknown option '--coment', did you mean '--comment'?\n"
     "-A INPUT -m comment --coment x\n"
     "                    ^~~~~~~~\n"},
    {"unknown table", "*filtr\nCOMMIT\n",
     "rules.v4:1:1: error: unknown table 'filtr', did you mean 'filter'?\n"
     "*filtr\n"
     "^~~~~~\n"},
    {"unknown chain", "*filter\n-A INPT -j ACCEPT\nCOMMIT\n",
     "rules.v4:2:4: error: chain 'INPT' does not exist in table 'filter', did you mean 'INPUT'?\n"
     "-A INPT -j ACCEPT\n"
     "   ^~~~\n"},
    {"jump to a builtin chain", "*filter\n-A INPUT -j OUTPUT\nCOMMIT\n",
     "rules.v4:2:13: error: cannot jump to builtin chain 'OUTPUT'\n"
     "-A INPUT -j OUTPUT\n"
     "            ^~~~~~\n"},
    {"goto a standard target", "*filter\n-A INPUT -g ACCEPT\nCOMMIT\n",
     "rules.v4:2:13: error: goto 'ACCEPT' is not a user-defined chain\n"
     "-A INPUT -g ACCEPT\n"
     "            ^~~~~~\n"},
    {"chain loop", "*filter\n:A - [0:0]\n:B - [0:0]\n-A INPUT -j A\n-A A -j B\n-A B -p tcp -j A\nCOMMIT\n",
     "rules.v4:6:13: error: chain loop: INPUT -> A -> B -> A (the kernel refuses loops: ELOOP)\n"
     "-A B -p tcp -j A\n"
     "            ^~\n"},
    {"policy on a user chain", "*filter\n:MYCHAIN ACCEPT [0:0]\nCOMMIT\n",
     "rules.v4:2:10: error: cannot set policy 'ACCEPT' on user-defined chain 'MYCHAIN' (only "
     "builtin chains have a policy; use '-')\n"
     ":MYCHAIN ACCEPT [0:0]\n"
     "         ^~~~~~\n"},
    {"bad builtin policy", "*filter\n:INPUT REJECT [0:0]\nCOMMIT\n",
     "rules.v4:2:8: error: invalid policy 'REJECT' for builtin chain INPUT (must be ACCEPT or "
     "DROP)\n"
     ":INPUT REJECT [0:0]\n"
     "       ^~~~~~\n"},
    {"missing COMMIT", "*filter\n-A INPUT -j ACCEPT\n",
     "rules.v4:1: error: table 'filter' is not committed: COMMIT expected before the end of the "
     "input\n"},
    {"rule outside a table", "-A INPUT -j ACCEPT\n*filter\nCOMMIT\n",
     "rules.v4:1:1: error: rule outside a table: a '*table' line must come first\n"
     "-A INPUT -j ACCEPT\n"
     "^~\n"},
    {"-o in INPUT", "*filter\n-A INPUT -o eth0 -j DROP\nCOMMIT\n",
     "rules.v4:2:10: error: cannot use -o in chain INPUT: packets there have no output interface "
     "yet\n"
     "-A INPUT -o eth0 -j DROP\n"
     "         ^~\n"},
    {"-i in OUTPUT", "*filter\n-A OUTPUT -i eth0 -j DROP\nCOMMIT\n",
     "rules.v4:2:11: error: cannot use -i in chain OUTPUT: locally generated packets have no "
     "input interface\n"
     "-A OUTPUT -i eth0 -j DROP\n"
     "          ^~\n"},
    {"-m tcp without -p tcp", "*filter\n-A INPUT -m tcp --dport 22 -j ACCEPT\nCOMMIT\n",
     "rules.v4:2:10: error: -m tcp: needs '-p tcp' (this rule has no -p)\n"
     "-A INPUT -m tcp --dport 22 -j ACCEPT\n"
     "         ^~~~~~\n"},
    {"-m tcp with inverted -p", "*filter\n-A INPUT ! -p tcp -m tcp --dport 22\nCOMMIT\n",
     "rules.v4:2:19: error: -m tcp: needs '-p tcp' (this rule has '! -p tcp')\n"
     "-A INPUT ! -p tcp -m tcp --dport 22\n"
     "                  ^~~~~~\n"},
    {"bad address", "*filter\n-A INPUT -s 1.2.3.400 -j DROP\nCOMMIT\n",
     "rules.v4:2:13: error: invalid IPv4 address '1.2.3.400' (host names are not resolved)\n"
     "-A INPUT -s 1.2.3.400 -j DROP\n"
     "            ^~~~~~~~~\n"},
    {"bad mask", "*filter\n-A INPUT -d 10.0.0.0/33 -j DROP\nCOMMIT\n",
     "rules.v4:2:13: error: invalid mask '33' (a prefix length 0..32 or a dotted mask)\n"
     "-A INPUT -d 10.0.0.0/33 -j DROP\n"
     "            ^~~~~~~~~~~\n"},
    {"double !", "*filter\n-A INPUT ! ! -p tcp\nCOMMIT\n",
     "rules.v4:2:12: error: multiple consecutive '!' are not allowed\n"
     "-A INPUT ! ! -p tcp\n"
     "           ^\n"},
    {"option that cannot be inverted", "*filter\n-A INPUT -m comment ! --comment x\nCOMMIT\n",
     "rules.v4:2:21: error: option '--comment' of -m comment cannot be inverted\n"
     "-A INPUT -m comment ! --comment x\n"
     "                    ^\n"},
    {"duplicate chain", "*filter\n:FOO - [0:0]\n:FOO - [0:0]\nCOMMIT\n",
     "rules.v4:3:2: error: chain 'FOO' already exists\n"
     ":FOO - [0:0]\n"
     " ^~~\n"},
    {"bad counters", "*filter\n:INPUT ACCEPT [1:x]\nCOMMIT\n",
     "rules.v4:2:15: error: invalid counters '[1:x]' (expected [packets:bytes])\n"
     ":INPUT ACCEPT [1:x]\n"
     "              ^~~~~\n"},
    {"unknown protocol", "*filter\n-A INPUT -p tcpp -j ACCEPT\nCOMMIT\n",
     "rules.v4:2:13: error: unknown protocol 'tcpp'\n"
     "-A INPUT -p tcpp -j ACCEPT\n"
     "            ^~~~\n"},
    {"interface name too long", "*filter\n-A INPUT -i averyveryverylongname -j ACCEPT\nCOMMIT\n",
     "rules.v4:2:13: error: interface name 'averyveryverylongname' is too long (21 characters; "
     "at most 15)\n"
     "-A INPUT -i averyveryverylongname -j ACCEPT\n"
     "            ^~~~~~~~~~~~~~~~~~~~~\n"},
    {"option given twice", "*filter\n-A INPUT -p tcp -p udp\nCOMMIT\n",
     "rules.v4:2:17: error: option '-p' may be given only once\n"
     "-A INPUT -p tcp -p udp\n"
     "                ^~\n"},
    {"extension value error, caret on the argument", "*filter\n-A INPUT -m mark --mark 0x1/zz\nCOMMIT\n",
     "rules.v4:2:25: error: -m mark: invalid mark '0x1/zz' (expected VALUE[/MASK], 32-bit "
     "numbers)\n"
     "-A INPUT -m mark --mark 0x1/zz\n"
     "                        ^~~~~~\n"},
    {"reversed port range", "*filter\n-A INPUT -p tcp --dport 80:22\nCOMMIT\n",
     "rules.v4:2:25: error: -m tcp: invalid port range '80:22': start is greater than end\n"
     "-A INPUT -p tcp --dport 80:22\n"
     "                        ^~~~~\n"},
    {"missing mandatory target option", "*filter\n-A INPUT -j MARK\nCOMMIT\n",
     "rules.v4:2:10: error: -j MARK: one of --set-xmark, --set-mark, --and-mark, --or-mark or "
     "--xor-mark is required\n"
     "-A INPUT -j MARK\n"
     "         ^~~~~~~\n"},
    {"missing option argument", "*filter\n-A INPUT -p tcp --dport\nCOMMIT\n",
     "rules.v4:2:17: error: -m tcp: option '--dport' requires an argument\n"
     "-A INPUT -p tcp --dport\n"
     "                ^~~~~~~\n"},
    {"comma list with a bad address", "*filter\n-A INPUT -s 10.0.0.1,10.0.0.300 -j DROP\nCOMMIT\n",
     "rules.v4:2:13: error: invalid IPv4 address '10.0.0.300' (host names are not resolved)\n"
     "-A INPUT -s 10.0.0.1,10.0.0.300 -j DROP\n"
     "            ^~~~~~~~~~~~~~~~~~~\n"},
};

}  // namespace

TEST_CASE("every kind of load error has an exact diagnostic", "[diag]") {
  for (const Case& c : kCases) {
    INFO(c.what);
    CHECK(Diagnose(c.input) == c.expected);
  }
}

TEST_CASE("the loader goes on after an error and reports them all", "[diag]") {
  LoadResult r = LoadRuleset("*filter\n-A INPUT -j NOPE1\n-A INPUT -j ACCEPT\n-A INPUT -j NOPE2\nCOMMIT\n",
                             "r");
  REQUIRE(r.diagnostics.error_count() == 2);
  CHECK(r.diagnostics.diagnostics()[0].line == 2);
  CHECK(r.diagnostics.diagnostics()[1].line == 4);
  // The good rule is still loaded.
  REQUIRE(r.ruleset.tables.size() == 1);
  CHECK(r.ruleset.tables[0].FindChain("INPUT")->rules.size() == 1);
}

TEST_CASE("the diagnostic cap keeps counting", "[diag]") {
  std::string text = "*filter\n";
  for (int i = 0; i < 80; ++i) text += "-A INPUT -j NOPE\n";
  text += "COMMIT\n";
  LoadOptions o;
  o.max_errors = 10;
  LoadResult r = LoadRuleset(text, "r", o);
  CHECK(r.diagnostics.error_count() == 80);
  CHECK(r.diagnostics.diagnostics().size() == 10);
  CHECK(r.diagnostics.Format().find("... and 70 more diagnostics not shown\n80 errors\n") !=
        std::string::npos);
}

TEST_CASE("the implicit protocol match is named after -p as written", "[diag]") {
  // Checked against iptables-legacy 1.8.9: a number stands for libxtables'
  // first name (58 -> icmpv6 -> icmp6, 135 -> ipv6-mh, which has no match).
  auto loads = [](const char* rule) {
    LoadOptions o;
    o.family = Family::kIPv6;
    return LoadRuleset(std::string("*filter\n-A INPUT ") + rule + "\nCOMMIT\n", "r", o).ok();
  };
  CHECK(loads("-p 58 --icmpv6-type 1"));
  CHECK(loads("-p icmpv6 --icmpv6-type 1"));
  CHECK(loads("-p ipv6-icmp --icmpv6-type 1"));
  CHECK(loads("-p mh --mh-type 3"));
  CHECK_FALSE(loads("-p mobility-header --mh-type 3"));
  CHECK_FALSE(loads("-p 135 --mh-type 3"));
  CHECK(LoadRuleset("*filter\n-A INPUT -p 108 --ipcompspi 5\nCOMMIT\n", "r").ok());
}

TEST_CASE("inputs that crash iptables get a clear error here", "[diag]") {
  // Found by the loader fuzzer: iptables-restore 1.8.9 dies of SIGFPE on it.
  LoadResult r = LoadRuleset(
      "*filter\n-A INPUT -m hashlimit --hashlimit-upto 15b/s --hashlimit-burst 1b "
      "--hashlimit-name x\nCOMMIT\n",
      "rules.v4");
  REQUIRE(r.diagnostics.error_count() == 1);
  CHECK(r.diagnostics.diagnostics()[0].message ==
        "-m hashlimit: a byte burst cannot be used with a rate below 16b/s");
}

TEST_CASE("-o in INPUT is refused however it is spelled", "[diag]") {
  // Found by the loader fuzzer: "--o" (an abbreviation of --out-interface)
  // slipped past the check, and the saved rule did not load again.
  // iptables-restore 1.8.9: "Can't use -o with INPUT".
  LoadResult r = LoadRuleset("*filter\n-A INPUT -p icmp -m limit --o wlan0 -j ACCEPT\nCOMMIT\n",
                             "rules.v4");
  REQUIRE(r.diagnostics.error_count() == 1);
  CHECK(FormatDiagnostic(r.diagnostics.diagnostics()[0]) ==
        "rules.v4:2:27: error: cannot use -o in chain INPUT: packets there have no output "
        "interface yet\n"
        "-A INPUT -p icmp -m limit --o wlan0 -j ACCEPT\n"
        "                          ^~~\n");
}

TEST_CASE("a long line is quoted around the column, with ... where it is cut", "[diag]") {
  std::string line(1000, 'x');
  line.replace(500, 4, "NOPE");
  Diagnostic d;
  d.file = "f";
  d.line = 3;
  d.col = 501;
  d.len = 4;
  d.message = "bad";
  d.source_line = line;
  // 160 characters, 60 of them before the column.
  CHECK(FormatDiagnostic(d) == "f:3:501: error: bad\n..." + line.substr(440, 160) + "...\n" +
                                   std::string(63, ' ') + "^~~~\n");
  // At the end of the line: its last 160 characters, cut only before.
  d.col = 1001;
  d.len = 1;
  CHECK(FormatDiagnostic(d) == "f:3:1001: error: bad\n..." + line.substr(840) + "\n" +
                                   std::string(163, ' ') + "^\n");
  // A token running past the quote is underlined up to its end.
  d.col = 100;
  d.len = 500;
  CHECK(FormatDiagnostic(d) == "f:3:100: error: bad\n..." + line.substr(39, 160) + "...\n" +
                                   std::string(63, ' ') + "^" + std::string(99, '~') + "\n");
  // A short line is quoted whole.
  d.col = 2;
  d.len = 1;
  d.source_line = "abc";
  CHECK(FormatDiagnostic(d) == "f:3:2: error: bad\nabc\n ^\n");
}
