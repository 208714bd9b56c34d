// Tests for the "rates, owners, sets and the rest" extensions: each input
// rule and the line iptables-save prints for it (checked against
// iptables-legacy 1.8.9 on a 6.x kernel), and rules iptables or the kernel
// refuse with the message iptsim gives.
#include <catch2/catch.hpp>

#include "tests/unit/test_util.h"

using iptsim::Family;

namespace {

// The saved "-A CHAIN ..." line, or "ERROR: <message of the first diagnostic>"
// (without its position).
std::string Load(const std::string& rule, const char* table = "filter",
                 const char* chain = "INPUT", Family fam = Family::kIPv4) {
  iptsim::LoadResult r = iptsim::testing::LoadRule(rule, table, chain, fam, "t.rules");
  if (!r.ok()) {
    const auto& d = r.diagnostics.diagnostics();
    return "ERROR: " + (d.empty() ? std::string("?") : d[0].message);
  }
  return iptsim::testing::SavedRules(r, fam);
}

// The first diagnostic, formatted with its source line and caret.
std::string LoadError(const std::string& rule) {
  iptsim::LoadResult r =
      iptsim::testing::LoadRule(rule, "filter", "INPUT", Family::kIPv4, "t.rules");
  const auto& d = r.diagnostics.diagnostics();
  return d.empty() ? "(loaded)" : iptsim::FormatDiagnostic(d[0]);
}

struct Case {
  const char* rule;
  const char* saved;  // after "-A CHAIN "; nullptr: same as rule
  const char* table = "filter";
  const char* chain = "INPUT";
  Family fam = Family::kIPv4;
  // false where iptables' own save does not load again either (e.g. "0b/s",
  // an unquoted name with a space): the simulator reproduces that.
  bool reloads = true;
};

void CheckCases(const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    INFO(c.rule);
    std::string want = std::string("-A ") + c.chain + " " + (c.saved ? c.saved : c.rule);
    std::string got = Load(c.rule, c.table, c.chain, c.fam);
    CHECK(got == want);
    if (got == want && c.reloads) {
      // The saved form loads and prints itself.
      std::string again = Load(c.saved ? c.saved : c.rule, c.table, c.chain, c.fam);
      CHECK(again == want);
    }
  }
}

struct Bad {
  const char* rule;
  const char* message;
  const char* table = "filter";
  const char* chain = "INPUT";
  Family fam = Family::kIPv4;
};

void CheckBad(const std::vector<Bad>& cases) {
  for (const Bad& b : cases) {
    INFO(b.rule);
    CHECK(Load(b.rule, b.table, b.chain, b.fam) == std::string("ERROR: ") + b.message);
  }
}

}  // namespace

TEST_CASE("limit and hashlimit save canonically", "[misc]") {
  CheckCases({
      {"-m limit", "-m limit --limit 3/hour"},
      {"-m limit --limit 10/minute", "-m limit --limit 10/min"},
      {"-m limit --limit 10/minute --limit-burst 5", "-m limit --limit 10/min"},
      {"-m limit --limit 5", "-m limit --limit 5/sec"},
      {"-m limit --limit 7/m --limit-burst 20", "-m limit --limit 7/min --limit-burst 20"},
      {"-m limit --limit 5abc/min", "-m limit --limit 5/min"},
      {"-m limit --limit 2/day", nullptr},
      {"-m limit --limit 1/hour --limit-burst 10000", nullptr},
      {"-m limit --limit 10000/s", "-m limit --limit 10000/sec"},
      {"-m limit --limit 333/hour", "-m limit --limit 333/hour"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 60/min",
       "-m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name n "
       "--hashlimit-htable-expire 60000"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 1/min --hashlimit-rate-match",
       "-m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name n "
       "--hashlimit-htable-expire 60000 --hashlimit-rate-match --hashlimit-rate-interval 60"},
      {"-m hashlimit --hashlimit-name n ! --hashlimit-upto 5",
       "-m hashlimit --hashlimit-above 5/sec --hashlimit-burst 5 --hashlimit-name n"},
      {"-m hashlimit --hashlimit-name n ! --hashlimit-above 5",
       "-m hashlimit --hashlimit-upto 5/sec --hashlimit-burst 5 --hashlimit-name n"},
      {"-m hashlimit --hashlimit-name n --hashlimit 5/s",
       "-m hashlimit --hashlimit-upto 5/sec --hashlimit-burst 5 --hashlimit-name n"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 5 --hashlimit-mode "
       "srcip,dstport,srcport,dstip --hashlimit-srcmask 24 --hashlimit-dstmask 32",
       "-m hashlimit --hashlimit-upto 5/sec --hashlimit-burst 5 --hashlimit-mode "
       "srcip,srcport,dstip,dstport --hashlimit-name n --hashlimit-srcmask 24"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 5 --hashlimit-srcmask 255.255.255.0",
       "-m hashlimit --hashlimit-upto 5/sec --hashlimit-burst 5 --hashlimit-name n "
       "--hashlimit-srcmask 24"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 5 --hashlimit-burst 2k",
       "-m hashlimit --hashlimit-upto 5/sec --hashlimit-burst 2048 --hashlimit-name n"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 1000mb/s",
       "-m hashlimit --hashlimit-upto 1008mb/s --hashlimit-name n"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 4096mb/s",
       "-m hashlimit --hashlimit-upto 4581298432b/s --hashlimit-name n"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 15b/s",
       "-m hashlimit --hashlimit-upto 0b/s --hashlimit-name n", "filter", "INPUT",
       Family::kIPv4, false},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 1000b/s --hashlimit-burst 5000",
       "-m hashlimit --hashlimit-upto 992b/s --hashlimit-burst 5kb --hashlimit-name n"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 100kb/s --hashlimit-burst 200k",
       "-m hashlimit --hashlimit-upto 100kb/s --hashlimit-burst 200kb --hashlimit-name n"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 3kb/s --hashlimit-rate-match",
       "-m hashlimit --hashlimit-upto 3kb/s --hashlimit-name n --hashlimit-rate-match"},
      {"-m hashlimit --hashlimit-upto 1/s --hashlimit-name x --hashlimit-srcmask 64",
       "-m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name x "
       "--hashlimit-srcmask 64",
       "filter", "INPUT", Family::kIPv6},
  });
}

TEST_CASE("limit and hashlimit refuse what iptables and the kernel refuse", "[misc]") {
  CheckBad({
      {"-m limit --limit 1/day",
       "-m limit: the kernel refuses rate 1/day with burst 5 (its credit arithmetic overflows: "
       "use a higher rate or a smaller burst)"},
      {"-m limit --limit-burst 0", "-m limit: the kernel refuses a burst of 0"},
      {"-m limit --limit 10001/s", "-m limit: rate '10001/s' is too fast (at most 10000/second)"},
      {"-m limit --limit 5abc/minutes",
       "-m limit: invalid rate '5abc/minutes' (expected N[/second|/minute|/hour|/day])"},
      {"-m limit ! --limit 5", "option '--limit' of -m limit cannot be inverted"},
      {"-m limit --limit 1/hour --limit 2/hour",
       "-m limit: option '--limit' may be given only once"},
      {"-m limit --limit 3/s --limit-burst 10001",
       "-m limit: invalid burst '10001' (must be 0..10000)"},
      {"-m hashlimit --hashlimit-name mini1",
       "-m hashlimit: one of '--hashlimit-upto' or '--hashlimit-above' is required"},
      {"-m hashlimit --hashlimit-upto 5", "-m hashlimit: '--hashlimit-name NAME' is required"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 5 --hashlimit-above 3",
       "-m hashlimit: '--hashlimit-above' cannot be used together with '--hashlimit-upto'"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 5 --hashlimit 3",
       "-m hashlimit: option '--hashlimit-upto' may be given only once"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 5 --hashlimit-srcmask 33",
       "-m hashlimit: the kernel refuses a mask longer than 32 bits"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 5 --hashlimit-htable-gcinterval 0",
       "-m hashlimit: the kernel refuses a garbage collection interval of 0"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 5 --hashlimit-htable-expire 0",
       "-m hashlimit: the kernel refuses an expiry time of 0"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 5 --hashlimit-burst 1000001",
       "-m hashlimit: invalid burst '1000001' (must be 1..1000000, or a size such as 64kb or "
       "1mb for byte rates)"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 1000001/s",
       "-m hashlimit: rate '1000001/s' is too fast (at most 1000000/second)"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 100000mb/s",
       "-m hashlimit: the kernel refuses this byte rate: it is too high"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 100kb/s --hashlimit-burst 10",
       "-m hashlimit: burst cannot be smaller than 102400b"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 2000000/day --hashlimit-rate-match",
       "-m hashlimit: the kernel refuses this rate with --hashlimit-rate-match (it rounds to 0 "
       "per second)"},
      {"-m hashlimit --hashlimit-name n --hashlimit-upto 5 --hashlimit-mode srcip,foo",
       "-m hashlimit: invalid mode 'foo' (expected a list of srcip, srcport, dstip, dstport)"},
      {"-m hashlimit --hashlimit-upto 5 --hashlimit-name a/b",
       "-m hashlimit: the kernel refuses the name 'a/b' (it names a /proc file: no '/', not "
       "'.' or '..')"},
  });
  // The whole diagnostic: position, source line and caret.
  CHECK(LoadError("-m limit --limit 3/s --limit-burst 10001") ==
        "t.rules:2:45: error: -m limit: invalid burst '10001' (must be 0..10000)\n"
        "-A INPUT -m limit --limit 3/s --limit-burst 10001\n"
        "                                            ^~~~~\n");
  CHECK(LoadError("-m limit --limit 1/day") ==
        "t.rules:2:10: error: -m limit: the kernel refuses rate 1/day with burst 5 (its credit "
        "arithmetic overflows: use a higher rate or a smaller burst)\n"
        "-A INPUT -m limit --limit 1/day\n"
        "         ^~~~~~~~\n");
}

TEST_CASE("recent saves its options in iptables' order", "[misc]") {
  CheckCases({
      {"-m recent --set", "-m recent --set --name DEFAULT --mask 255.255.255.255 --rsource"},
      {"-m recent --rcheck --seconds 60 --hitcount 4 --name badguys --rsource",
       "-m recent --rcheck --seconds 60 --hitcount 4 --name badguys --mask 255.255.255.255 "
       "--rsource"},
      {"-m recent --rttl --update --reap --seconds 10 --name x",
       "-m recent --update --seconds 10 --reap --rttl --name x --mask 255.255.255.255 --rsource"},
      {"-m recent ! --update --rdest --rsource --mask 255.255.0.7",
       "-m recent ! --update --name DEFAULT --mask 255.255.0.7 --rsource"},
      {"-m recent --rcheck --rdest --mask 10.1",
       "-m recent --rcheck --name DEFAULT --mask 10.0.0.1 --rdest"},
      {"-m recent --rcheck --hitcount 0",
       "-m recent --rcheck --name DEFAULT --mask 255.255.255.255 --rsource"},
      {"-m recent --rcheck --hitcount 65535",
       "-m recent --rcheck --hitcount 65535 --name DEFAULT --mask 255.255.255.255 --rsource"},
      {"-m recent --set",
       "-m recent --set --name DEFAULT --mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource",
       "filter", "INPUT", Family::kIPv6},
      {"-m recent --rcheck --mask ffff:ffff::",
       "-m recent --rcheck --name DEFAULT --mask ffff:ffff:: --rsource", "filter", "INPUT",
       Family::kIPv6},
  });
  // iptables 1.8.9 prints --seconds as a signed number.
  CHECK(Load("-m recent --rcheck --seconds 4294967295") ==
        "-A INPUT -m recent --rcheck --seconds -1 --name DEFAULT --mask 255.255.255.255 --rsource");
  CheckBad({
      {"-m recent --set --rttl", "-m recent: '--rttl' cannot be used together with '--set'"},
      {"-m recent --rttl --set", "-m recent: '--rttl' cannot be used together with '--set'"},
      {"-m recent --set ! --rcheck", "-m recent: '--set' cannot be used together with '--rcheck'"},
      {"-m recent", "-m recent: one of '--set', '--rcheck', '--update' or '--remove' is required"},
      {"-m recent --rcheck --reap", "-m recent: '--reap' needs '--seconds'"},
      {"-m recent --rcheck --seconds 0",
       "-m recent: invalid number of seconds '0' (must be 1..4294967295)"},
      {"-m recent --rcheck --hitcount 65536", "-m recent: the kernel refuses a hit count above 65535"},
      {"-m recent --set --seconds 3",
       "-m recent: the kernel refuses --seconds, --hitcount, --rttl and --reap with --set"},
      {"-m recent --set --name ..",
       "-m recent: the kernel refuses the list name '..' (it names a /proc file: not empty, no "
       "'/', not '.' or '..')"},
      {"-m recent --rcheck --mask 1.2.3.4",
       "-m recent: invalid mask '1.2.3.4' (expected an IPv6 address); '1.2.3.4' is an IPv4 address, but this ruleset is IPv6 (-6 was given): load iptables-save output for IPv4 rules, or give -4",
       "filter", "INPUT", Family::kIPv6},
  });
}

TEST_CASE("statistic, quota, cpu", "[misc]") {
  CheckCases({
      {"-m statistic --mode random --probability 0.3",
       "-m statistic --mode random --probability 0.29999999981"},
      {"-m statistic --mode random ! --probability 1",
       "-m statistic --mode random ! --probability 1.00000000000"},
      {"-m statistic --mode random --probability nan",
       "-m statistic --mode random --probability 0.00000000000"},
      {"-m statistic --mode nth --packet 0 --every 3", "-m statistic --mode nth --every 3 --packet 0"},
      {"-m statistic --mode nth ! --every 5 --packet 2", nullptr},
      {"-m quota --quota 0x10", "-m quota --quota 16"},
      {"-m quota ! --quota 18446744073709551615", nullptr},
      {"-m cpu ! --cpu 0x10", "-m cpu ! --cpu 16"},
  });
  CheckBad({
      {"-m statistic", "-m statistic: '--mode random|nth' is required"},
      {"-m statistic --mode random ! --probability 1.1",
       "-m statistic: invalid probability '1.1' (must be 0..1)"},
      {"-m statistic --mode nth ! --every 5",
       "-m statistic: '--every' needs '--packet'"},
      {"-m statistic --mode nth ! --every 5 --packet 5",
       "-m statistic: '--packet 5' must be less than '--every 5'"},
      {"-m statistic --mode random --probability 0.5 --every 2 --packet 1",
       "-m statistic: '--probability' cannot be used together with '--every'"},
      {"-m statistic --mode nth --probability 0.5",
       "-m statistic: '--every' and '--packet' are required with --mode nth"},
      {"-m statistic --mode foo", "-m statistic: invalid mode 'foo' (expected random or nth)"},
      {"-m quota", "-m quota: '--quota BYTES' is required"},
      {"-m quota --quota 18446744073709551616",
       "-m quota: invalid quota '18446744073709551616' (must be 0..18446744073709551615)"},
      {"-m cpu --cpu 4294967296", "-m cpu: invalid CPU number '4294967296' (must be 0..4294967295)"},
      {"-m cpu", "-m cpu: '--cpu N' is required"},
  });
}

TEST_CASE("owner resolves names and checks its hooks", "[misc]") {
  CheckCases({
      {"-m owner --uid-owner root", "-m owner --uid-owner 0", "filter", "OUTPUT"},
      {"-m owner --gid-owner nogroup", "-m owner --gid-owner 65534", "filter", "OUTPUT"},
      {"-m owner --uid-owner www-data", "-m owner --uid-owner 33", "filter", "OUTPUT"},
      {"-m owner --uid-owner 3:5", "-m owner --uid-owner 3-5", "filter", "OUTPUT"},
      {"-m owner ! --socket-exists --gid-owner 0x10 --suppl-groups ! --uid-owner 1-1",
       "-m owner ! --socket-exists ! --uid-owner 1 --gid-owner 16 --suppl-groups", "filter",
       "OUTPUT"},
      {"-m owner --uid-owner 4294967294", nullptr, "mangle", "POSTROUTING"},
  });
  CheckBad({
      {"-m owner --uid-owner 0", "-m owner: only valid in OUTPUT, POSTROUTING; this rule is reached "
                                 "from INPUT"},
      {"-m owner --suppl-groups --gid-owner 0-10",
       "-m owner: '--suppl-groups' must follow '--gid-owner'", "filter", "OUTPUT"},
      {"-m owner --gid-owner 0-10 ! --suppl-groups",
       "option '--suppl-groups' of -m owner cannot be inverted", "filter", "OUTPUT"},
      {"-m owner", "-m owner: at least one of '--uid-owner', '--gid-owner' or '--socket-exists' "
                   "is required", "filter", "OUTPUT"},
      {"-m owner --uid-owner 5:3",
       "-m owner: the kernel refuses the uid range 5-3: its end is below its start", "filter",
       "OUTPUT"},
      {"-m owner --uid-owner 4294967295",
       "-m owner: invalid user ID or range '4294967295' (IDs are 0..4294967294; a range is ID-ID)",
       "filter", "OUTPUT"},
      {"-m owner --uid-owner no-such-user-here", "-m owner: unknown user 'no-such-user-here'",
       "filter", "OUTPUT"},
  });
}

TEST_CASE("set and SET", "[misc]") {
  CheckCases({
      {"-m set --match-set foo src", nullptr},
      {"-m set --set foo src", "-m set --match-set foo src"},
      {"-m set --match-set foo srcx,dstanything", "-m set --match-set foo src,dst"},
      {"-m set ! --match-set pair src,dst --return-nomatch ! --update-counters "
       "! --update-subcounters --packets-gt 5 ! --bytes-eq 3",
       nullptr},
      {"-m set --match-set foo src --update-counters", "-m set --match-set foo src"},
      {"-j SET --add-set foo src --exist --timeout 0x10",
       "-j SET --add-set foo src --exist --timeout 16"},
      {"-j SET --del-set foo src --add-set pair src,dst",
       "-j SET --add-set pair src,dst --del-set foo src"},
      {"-j SET --map-set map src --map-mark", nullptr, "mangle", "PREROUTING"},
      {"-j SET --map-set map src --map-prio --map-queue", nullptr, "mangle", "POSTROUTING"},
  });
  CheckBad({
      {"-m set --match-set foo", "-m set: option '--match-set' requires 2 arguments"},
      {"-m set --match-set foo --return-nomatch",
       "-m set: '--match-set' needs two arguments: the set name and its src/dst flags"},
      {"-m set --match-set foo src --match-set bar dst", "-m set: '--match-set' may be given only once"},
      {"-m set --match-set foo src --packets-lt 1 --packets-eq 2",
       "-m set: only one of --packets-eq, -lt and -gt is allowed"},
      {"-m set --match-set foo src ! --packets-lt 5",
       "option '--packets-lt' of -m set cannot be inverted"},
      {"-m set --match-set foo src,dst,dst,dst,dst,dst,dst",
       "-m set: too many src/dst flags in 'src,dst,dst,dst,dst,dst,dst' (at most 6)"},
      {"-m set --match-set 0123456789012345678901234567890123 src",
       "-m set: set name '0123456789012345678901234567890123' is too long (34 characters; at "
       "most 31)"},
      {"-j SET --exist", "-j SET: one of '--add-set', '--del-set' or '--map-set' is required"},
      {"-j SET --del-set foo src --exist", "-j SET: '--exist' can only be used with '--add-set'"},
      {"-j SET --map-set map src", "-j SET: '--map-set' needs '--map-mark', '--map-prio' or "
                                   "'--map-queue'"},
      {"-j SET --map-set map src --map-mark",
       "-j SET: '--map-set' is only valid in the mangle table, not in 'filter'"},
      {"-j SET --map-set map src --map-prio",
       "-j SET: '--map-prio' and '--map-queue' are only valid in rules reached from FORWARD, "
       "OUTPUT and POSTROUTING",
       "mangle", "PREROUTING"},
      {"-j SET --add-set foo src --timeout 4294967295",
       "-j SET: invalid timeout '4294967295' (must be 0..4294967294)"},
  });
}

TEST_CASE("socket, physdev, rpfilter, cgroup, osf: tables and hooks", "[misc]") {
  CheckCases({
      {"-m socket --restore-skmark --nowildcard --transparent",
       "-m socket --transparent --nowildcard --restore-skmark", "mangle", "PREROUTING"},
      {"-m socket", nullptr},
      {"-m physdev --physdev-in eth+ ! --physdev-out x+ --physdev-is-bridged ! --physdev-is-in "
       "--physdev-is-out",
       "-m physdev ! --physdev-is-in --physdev-in eth+ --physdev-is-out ! --physdev-out x+ "
       "--physdev-is-bridged",
       "filter", "FORWARD"},
      {"-m physdev --physdev-out lo --physdev-is-bridged", nullptr, "filter", "OUTPUT"},
      {"-m physdev --physdev-out lo", nullptr, "mangle", "POSTROUTING"},
      {"-m rpfilter --invert --loose", "-m rpfilter --loose --invert", "raw", "PREROUTING"},
      {"-m rpfilter --validmark --accept-local", nullptr, "mangle", "PREROUTING", Family::kIPv6},
      {"-m cgroup --path /", "-m cgroup --path \"/\"", "mangle", "OUTPUT"},
      {"-m cgroup ! --cgroup 0x10", "-m cgroup ! --cgroup 16", "filter", "INPUT"},
      {"-p tcp -m osf ! --genre \"Linux 2.6\" --log 2 --ttl 1",
       "-p tcp -m osf ! --genre Linux 2.6 --ttl 1 --log 2", "filter", "INPUT", Family::kIPv4,
       false},
  });
  CheckBad({
      {"-m socket", "-m socket: only valid in PREROUTING, INPUT; this rule is reached from FORWARD",
       "mangle", "FORWARD"},
      {"-m physdev", "-m physdev: at least one --physdev option is required"},
      {"-m physdev --physdev-out lo",
       "-m physdev: --physdev-out and --physdev-is-out need --physdev-is-bridged in rules "
       "reachable from OUTPUT",
       "filter", "OUTPUT"},
      {"-m physdev ! --physdev-is-bridged --physdev-is-out",
       "-m physdev: --physdev-out and --physdev-is-out need --physdev-is-bridged in rules "
       "reachable from OUTPUT",
       "filter", "OUTPUT"},
      {"-m physdev --physdev-in 0123456789abcdef",
       "-m physdev: interface name '0123456789abcdef' is too long (16 characters; at most 15)"},
      {"-m rpfilter", "-m rpfilter: only valid in PREROUTING; this rule is reached from INPUT"},
      {"-m rpfilter", "-m rpfilter: only valid in the raw and mangle tables, not in 'nat'", "nat",
       "PREROUTING"},
      {"-m cgroup ", "-m cgroup: the kernel needs '--path' or '--cgroup'", "mangle", "OUTPUT"},
      {"-m cgroup --path / --cgroup 1", "-m cgroup: the kernel refuses '--path' together with "
                                        "'--cgroup'", "mangle", "OUTPUT"},
      {"-m cgroup --cgroup 5",
       "-m cgroup: only valid in INPUT, OUTPUT, POSTROUTING; this rule is reached from FORWARD",
       "mangle", "FORWARD"},
      {"-m osf --genre linux --ttl 0 --log 0", "-m osf: needs '-p tcp' (this rule has no -p)"},
      {"-p tcp -m osf --genre linux --ttl 3 --log 0", "-m osf: invalid TTL mode '3' (must be 0..2)"},
      {"-p tcp -m osf --genre linux", "unknown match 'osf' for IPv6 (it exists only for the other "
                                      "family)", "filter", "INPUT", Family::kIPv6},
  });
}

TEST_CASE("policy: elements, addresses and hooks", "[misc]") {
  CheckCases({
      {"-m policy --dir in", "-m policy --dir in --pol ipsec"},
      {"-m policy --dir in --pol none --reqid 3", "-m policy --dir in --pol none"},
      {"-m policy --dir in --pol ipsec --proto 50 --mode tunnel --tunnel-src 10.1.2.3/8 "
       "! --tunnel-dst 1.2.3.4",
       "-m policy --dir in --pol ipsec --proto esp --mode tunnel ! --tunnel-dst 1.2.3.4 "
       "--tunnel-src 10.1.2.3/8"},
      {"-m policy --dir in --pol ipsec --mode tunnel --tunnel-src 1.2.3.0/255.255.255.0",
       "-m policy --dir in --pol ipsec --mode tunnel --tunnel-src 1.2.3.0/24"},
      {"-m policy --dir in --pol ipsec --mode tunnel --tunnel-src 1.2.3",
       "-m policy --dir in --pol ipsec --mode tunnel --tunnel-src 1.2.0.3"},
      {"-m policy --dir in --pol ipsec ! --mode transport --tunnel-src 1.2.3.0/255.0.255.0",
       "-m policy --dir in --pol ipsec ! --mode transport --tunnel-src 1.2.3.0"},
      {"-m policy --dir in --pol ipsec --strict --spi 1 --next --spi 2 --next --spi 3 --next "
       "--spi 4",
       "-m policy --dir in --pol ipsec --strict --spi 0x1 --next --spi 0x2 --next --spi 0x3 "
       "--next --spi 0x4"},
      {"-m policy --dir out --pol none", nullptr, "filter", "FORWARD"},
      {"-m policy --dir in --pol ipsec --mode tunnel --tunnel-src 2001:db8:0:0::1/64 "
       "--tunnel-dst ::1",
       "-m policy --dir in --pol ipsec --mode tunnel --tunnel-dst ::1 --tunnel-src "
       "2001:db8::1/64",
       "filter", "INPUT", Family::kIPv6},
  });
  CheckBad({
      {"-m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --tunnel-dst "
       "10.0.0.0/8",
       "-m policy: '--tunnel-src' and '--tunnel-dst' need '--mode tunnel'"},
      {"-m policy --dir in --pol ipsec --reqid 5 --next --spi 7", "-m policy: '--next' needs '--strict'"},
      {"-m policy --dir in --pol ipsec --strict",
       "-m policy: policy element 0 is empty: with --strict each element needs --reqid, --spi, "
       "--tunnel-src, --tunnel-dst, --proto or --mode"},
      {"-m policy --dir in --pol ipsec --strict --spi 1 --next --spi 2 --next --spi 3 --next "
       "--spi 4 --next --spi 5",
       "-m policy: too many policy elements (at most 4)"},
      {"-m policy --pol ipsec", "-m policy: '--dir in' or '--dir out' is required"},
      {"-m policy --dir in --proto tcp", "-m policy: invalid protocol 'tcp' (must be ah, esp or ipcomp)"},
      {"-m policy --dir in --proto esp --proto ah",
       "-m policy: this policy element already has '--proto' (use --next to start the next "
       "element)"},
      {"-m policy --dir in --pol none --strict", "-m policy: '--pol none' cannot be used with "
                                                 "'--strict'"},
      {"-m policy --dir in --pol ipsec --mode tunnel --tunnel-src 1.2.3.0/abc",
       "-m policy: invalid mask 'abc' (expected 0..32 or a network mask)"},
      {"-m policy --dir out --pol none",
       "-m policy: only valid in FORWARD, OUTPUT, POSTROUTING; this rule is reached from INPUT"},
      {"-m policy --dir in --pol none",
       "-m policy: only valid in PREROUTING, INPUT, FORWARD; this rule is reached from OUTPUT",
       "nat", "OUTPUT"},
  });
}

TEST_CASE("time", "[misc]") {
  CheckCases({
      {"-m time --timestart 01:00", "-m time --timestart 01:00:00 --timestop 23:59:59 --datestop "
                                    "2038-01-19T03:14:07"},
      {"-m time ! --weekdays Mon", "-m time --weekdays Tue,Wed,Thu,Fri,Sat,Sun --datestop "
                                   "2038-01-19T03:14:07"},
      {"-m time --weekdays Monday,7,Tu", "-m time --weekdays Mon,Tue,Sun --datestop "
                                         "2038-01-19T03:14:07"},
      {"-m time --monthdays 0,31", "-m time --monthdays 31 --datestop 2038-01-19T03:14:07"},
      {"-m time --datestart 2001-02 --datestop 1970-01-01T00:00:00",
       "-m time --datestart 2001-02-01T00:00:00", "filter", "INPUT", Family::kIPv4, false},
      {"-m time --datestart 2000-02-31", "-m time --datestart 2000-03-02T00:00:00 --datestop "
                                         "2038-01-19T03:14:07"},
      {"-m time --timestart 1:2 --timestop 0:0 --contiguous --localtz",
       "-m time --timestart 01:02:00 --timestop 00:00:00 --datestop 2038-01-19T03:14:07 "
       "--kerneltz --contiguous"},
      {"-m time --timestart 01:02:03 --timestop 04:05:06 --monthdays 1,2,3,4,5 --weekdays "
       "Mon,Fri,Sun --datestart 2001-02-03T04:05:06 --datestop 2012-09-08T09:06:05 --kerneltz",
       nullptr},
  });
  CheckBad({
      {"-m time --weekdays Monday,tu", "-m time: 'tu' is not a valid weekday (Mon..Sun or 1..7)"},
      {"-m time --weekdays 0",
       "-m time: weekday 0 does not exist: the week runs from 1 (Mon) to 7 (Sun)"},
      {"-m time --datestart 2039",
       "-m time: invalid date '2039' (expected YYYY[-MM[-DD[Thh[:mm[:ss]]]]], 1970..2038)"},
      {"-m time --timestart 24:00",
       "-m time: invalid time '24:00' (expected hh:mm[:ss], 00:00:00..23:59:59)"},
      {"-m time --monthdays 08", "-m time: '08' is not a valid day of the month (1..31)"},
      {"-m time --timestart 1:2 --timestop 3:0 --contiguous",
       "-m time: '--contiguous' only makes sense when --timestop is before --timestart"},
      {"-m time --utc --kerneltz", "-m time: '--utc' cannot be used together with '--kerneltz'"},
  });
}

TEST_CASE("bpf and nfacct", "[misc]") {
  CheckCases({
      {"-m bpf --bytecode \"4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0\"", nullptr},
      {"-m bpf --bytecode \"2, 48 0 0 9 , 6 0 0 0,\"", "-m bpf --bytecode \"2,48 0 0 9,6 0 0 0\""},
      {"-m bpf --bytecode \"3,2 0 0 3,96 0 0 3,6 0 0 0\"", nullptr},
      {"-m bpf --bytecode \"2,48 0 0 4294963200,6 0 0 0\"", nullptr},
      {"-m bpf --object-pinned /sys/fs/bpf/prog", nullptr},
      {"-m nfacct --nfacct-name test", "-m nfacct --nfacct-name  test"},
      {"-m nfacct --nfacct-name \"a b\"", "-m nfacct --nfacct-name  \"a b\""},
  });
  CheckBad({
      {"-m bpf --bytecode \"0,\"", "-m bpf: invalid program: the instruction count is 0"},
      {"-m bpf --bytecode \"2,6 0 0 0\"",
       "-m bpf: invalid program: 1 instructions, but the count says 2"},
      {"-m bpf --bytecode \"1,6 0 0\"", "-m bpf: invalid program: instruction 0 is not 'CODE JT JF K'"},
      {"-m bpf --bytecode \"65,6 0 0 0\"", "-m bpf: program too long: 65 instructions (at most 64)"},
      {"-m bpf --bytecode \"1,4 0 0 0\"",
       "-m bpf: the kernel refuses the program: the last instruction must be a return"},
      {"-m bpf --bytecode \"2,52 0 0 0,6 0 0 0\"",
       "-m bpf: the kernel refuses the program: instruction 0: division by zero"},
      {"-m bpf --bytecode \"2,96 0 0 3,6 0 0 0\"",
       "-m bpf: the kernel refuses the program: instruction 0: reads M[3] before it is written"},
      {"-m bpf --bytecode \"2,5 0 0 1,6 0 0 0\"",
       "-m bpf: the kernel refuses the program: instruction 0: jump past the end of the program"},
      {"-m bpf --bytecode \"2,48 0 0 4294963264,6 0 0 0\"",
       "-m bpf: the kernel refuses the program: instruction 0: unknown ancillary load"},
      {"-m bpf", "-m bpf: exactly one of '--bytecode' or '--object-pinned' is required"},
      {"-m nfacct", "-m nfacct: '--nfacct-name NAME' is required"},
  });
}

TEST_CASE("rateest and RATEEST", "[misc]") {
  CheckCases({
      {"-m rateest --rateest RE1 --rateest-gt --rateest-bps 5kbit",
       "-m rateest --rateest RE1 --rateest-gt --rateest-bps 5000bit"},
      {"-m rateest --rateest RE1 --rateest-lt --rateest-bps 1.5Gbit",
       "-m rateest --rateest RE1 --rateest-lt --rateest-bps 1500Mbit"},
      {"-m rateest --rateest RE1 --rateest-lt --rateest-bps 1000004bit",
       "-m rateest --rateest RE1 --rateest-lt --rateest-bps 1000Kbit"},
      {"-m rateest --rateest RE1 --rateest-lt --rateest-bps 12",
       "-m rateest --rateest RE1 --rateest-lt --rateest-bps 8bit"},
      {"-m rateest --rateest RE1 --rateest-lt --rateest-gt --rateest-pps 7",
       "-m rateest --rateest RE1 --rateest-gt --rateest-pps 7"},
      {"-m rateest --rateest RE1 --rateest-lt --rateest-pps --rateest-bps 2",
       "-m rateest --rateest RE1 --rateest-lt --rateest-bps 0bit --rateest-lt --rateest-pps 0",
       "filter", "INPUT", Family::kIPv4, false},
      {"-m rateest --rateest1 RE1 --rateest-delta --rateest-bps1 800 --rateest-bps2 "
       "--rateest-gt --rateest2 RE2",
       "-m rateest --rateest-delta --rateest1 RE1 --rateest-bps1 800bit --rateest-gt "
       "--rateest-bps2 0bit --rateest2 RE2"},
      {"-m rateest --rateest1 RE1 ! --rateest-eq --rateest-pps --rateest2 RE2", nullptr},
      {"-j RATEEST --rateest-name RE1 --rateest-interval 250.0ms --rateest-ewmalog 500.0ms",
       nullptr},
      {"-j RATEEST --rateest-name RE4 --rateest-interval 100ms --rateest-ewmalog 1600ms",
       "-j RATEEST --rateest-name RE4 --rateest-interval 250.0ms --rateest-ewmalog 4.0s"},
      {"-j RATEEST --rateest-name RE6 --rateest-interval 8s --rateest-ewmalog 8000s",
       "-j RATEEST --rateest-name RE6 --rateest-interval 8.0s --rateest-ewmalog 2048.0s"},
      {"-j RATEEST --rateest-name RE7 --rateest-interval 1 --rateest-ewmalog 2",
       "-j RATEEST --rateest-name RE7 --rateest-interval 250.0ms --rateest-ewmalog 500.0ms"},
      {"-j RATEEST --rateest-name 0123456789abcdefgh --rateest-interval 3S --rateest-ewmalog "
       "100SECS",
       "-j RATEEST --rateest-name 0123456789abcde --rateest-interval 4.0s --rateest-ewmalog "
       "128.0s"},
  });
  CheckBad({
      {"-m rateest --rateest RE1 --rateest-lt",
       "-m rateest: the kernel needs '--rateest-bps' or '--rateest-pps'"},
      {"-m rateest --rateest RE1 --rateest-bps 8",
       "-m rateest: the kernel needs '--rateest-lt', '--rateest-gt' or '--rateest-eq'"},
      {"-m rateest --rateest RE1 --rateest RE2 --rateest-lt --rateest-bps",
       "-m rateest: option '--rateest' may be given only once"},
      {"-m rateest --rateest RE1 ! --rateest-bps 5 --rateest-lt",
       "option '--rateest-bps' of -m rateest cannot be inverted"},
      {"-m rateest --rateest RE1 --rateest-lt --rateest-bps 5foo",
       "-m rateest: invalid rate '5foo' (expected bits per second, e.g. 800, 10kbit, 2mbit, 1MBps)"},
      {"-j RATEEST --rateest-name X --rateest-interval 3s --rateest-ewmalog 1s",
       "-j RATEEST: the averaging time (--rateest-ewmalog) is out of range for this interval"},
      {"-j RATEEST --rateest-name X --rateest-interval 9s --rateest-ewmalog 100s",
       "-j RATEEST: the interval is too long (at most 8s)"},
      {"-j RATEEST --rateest-name X --rateest-interval 1s",
       "-j RATEEST: '--rateest-ewmalog' is required"},
      {"-j RATEEST --rateest-name X --rateest-interval 1x --rateest-ewmalog 2s",
       "-j RATEEST: invalid time '1x' (expected a number with s, ms or us)"},
  });
}
