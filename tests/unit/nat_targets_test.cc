// NAT and verdict targets: DNAT, SNAT, MASQUERADE, REDIRECT, NETMAP, DNPT,
// SNPT, TPROXY, TEE, REJECT, LOG, NFLOG, NFQUEUE.  Every expected saved
// line below was checked against iptables-legacy 1.8.9 on Linux 6.18
// (/work/wt/oracle.sh), except where a comment says iptables 1.8.13.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "loader/loader.h"
#include "loader/printer.h"
#include "tests/unit/test_util.h"

using iptsim::Family;

namespace {

using iptsim::testing::FirstLine;
using iptsim::testing::Load;
using iptsim::testing::Load6;

struct Case {
  const char* rule;
  const char* want;  // saved text after "-A CHAIN ", or "ERROR: ..." in full
};

void RunCases(const std::vector<Case>& cases, const char* table, const char* chain, Family fam) {
  for (const Case& c : cases) {
    INFO("rule: " << c.rule);
    std::string want = c.want;
    if (want.rfind("ERROR: ", 0) != 0) want = std::string("-A ") + chain + " " + want;
    CHECK(FirstLine(Load(c.rule, table, chain, fam)) == want);
  }
}

}  // namespace

TEST_CASE("DNAT: ranges, ports, flags", "[nat]") {
  RunCases(
      {
          {"-j DNAT --to-destination 1.1.1.1", "-j DNAT --to-destination 1.1.1.1"},
          {"-j DNAT --to 1.1.1.1-1.1.1.10", "-j DNAT --to-destination 1.1.1.1-1.1.1.10"},
          {"-p tcp -j DNAT --to-destination 1.1.1.1:ssh",
           "-p tcp -j DNAT --to-destination 1.1.1.1:22"},
          {"-p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/ftp",
           "-p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/21"},
          // The base port keeps only its leading number.
          {"-p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/1000abc",
           "-p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/1000"},
          {"-p tcp -j DNAT --to-destination :0-0", "-p tcp -j DNAT --to-destination :0"},
          {"-p tcp -j DNAT --to-destination 1.1.1.1:0x50",
           "-p tcp -j DNAT --to-destination 1.1.1.1:80"},
          {"-p udp -m udp --dport 53 -j DNAT --to-destination 10.0.0.1-10.0.0.5:5353-5360",
           "-p udp -m udp --dport 53 -j DNAT --to-destination 10.0.0.1-10.0.0.5:5353-5360"},
          // iptables looks at the protocol number only: '!' and icmp pass.
          {"! -p tcp -j DNAT --to-destination 1.1.1.1:80",
           "! -p tcp -j DNAT --to-destination 1.1.1.1:80"},
          {"-p icmp -j DNAT --to-destination 1.1.1.1:80",
           "-p icmp -j DNAT --to-destination 1.1.1.1:80"},
          {"-j DNAT --to-destination 1.1.1.1 --persistent --random",
           "-j DNAT --to-destination 1.1.1.1 --random --persistent"},
          // No range check between the two addresses.
          {"-j DNAT --to-destination 1.1.1.5-1.1.1.1", "-j DNAT --to-destination 1.1.1.5-1.1.1.1"},
          {"-j DNAT --to-destination 1.2.3",
           "ERROR: t:2:40: error: -j DNAT: invalid IPv4 address '1.2.3'"},
          {"-p tcp -j DNAT --to-destination 1.1.1.1:80-70",
           "ERROR: t:2:47: error: -j DNAT: invalid port range '80-70': start is greater than end"},
          {"-p tcp -j DNAT --to-destination 1.1.1.1:80:90",
           "ERROR: t:2:47: error: -j DNAT: invalid IPv4 address '1.1.1.1:80:90'"},
          {"-p tcp -j DNAT --to-destination 1.1.1.1:80x",
           "ERROR: t:2:47: error: -j DNAT: invalid port '80x': unexpected 'x' after the port"},
          {"-p tcp -j DNAT --to-destination 1.1.1.1:22-ssh",
           "ERROR: t:2:47: error: -j DNAT: invalid port 'ssh' in range '22-ssh' (expected "
           "0..65535)"},
          {"-p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/0",
           "ERROR: t:2:47: error: -j DNAT: invalid base port '0' in '1000-2000/0' (expected "
           "1..65535 or "
           "a service name)"},
          {"-p tcp -j DNAT --to-destination [1.1.1.1]:80",
           "ERROR: t:2:47: error: -j DNAT: invalid address '[1.1.1.1]:80': brackets are only for "
           "IPv6 "
           "addresses"},
          {"-j DNAT --to-destination 1.1.1.1:80 -p tcp",
           "ERROR: t:2:40: error: -j DNAT: a port needs '-p tcp', '-p udp', '-p sctp' or '-p dccp' "
           "before this option (the rule has no -p here)"},
          {"-j DNAT --to-destination 1.1.1.1 --to-destination 2.2.2.2",
           "ERROR: t:2:48: error: -j DNAT: '--to-destination' may be given only once"},
          {"-j DNAT --to-destination 1.1.1.1 --random-fully",
           "ERROR: t:2:48: error: unknown option '--random-fully': it belongs to -j MASQUERADE or "
           "-j SNAT, which must be loaded (with -m, -j or -p) before the option"},
          {"-j DNAT", "ERROR: t:2:15: error: -j DNAT: '--to-destination' is required"},
      },
      "nat", "PREROUTING", Family::kIPv4);
}

TEST_CASE("DNAT/SNAT IPv6: brackets only with ports", "[nat]") {
  RunCases(
      {
          {"-j DNAT --to-destination dead::beef-dead::fee7",
           "-j DNAT --to-destination dead::beef-dead::fee7"},
          {"-j DNAT --to-destination [dead::beef]", "-j DNAT --to-destination dead::beef"},
          {"-p tcp -j DNAT --to-destination [dead::beef-dead::fee7]:1000-2000/65535",
           "-p tcp -j DNAT --to-destination [dead::beef-dead::fee7]:1000-2000/65535"},
          {"-p tcp -j DNAT --to-destination []:80", "-p tcp -j DNAT --to-destination :80"},
          {"-p tcp -j DNAT --to-destination [::1]x:80", "-p tcp -j DNAT --to-destination [::1]:80"},
          {"-j DNAT --to-destination ::ffff:1.2.3.4", "-j DNAT --to-destination ::ffff:1.2.3.4"},
          {"-p tcp -j DNAT --to-destination [dead::beef",
           "ERROR: t:2:47: error: -j DNAT: invalid address '[dead::beef': '[' without a closing "
           "']'"},
          {"-j DNAT --to-destination 1.2.3.4",
           "ERROR: t:2:40: error: -j DNAT: invalid IPv6 address '1.2.3.4'"
           "; '1.2.3.4' is an IPv4 address, but this ruleset is IPv6 (-6 was given): load iptables-save output for IPv4 rules, or give -4"},
          {"-p tcp -j DNAT --to-destination [dead::beef]:echo-ssh",
           "ERROR: t:2:47: error: -j DNAT: invalid port 'echo-ssh' (expected 0..65535 or a service "
           "name)"},
      },
      "nat", "PREROUTING", Family::kIPv6);
  RunCases(
      {
          {"-p tcp -j SNAT --to-source [dead::beef]:1025-65535",
           "-p tcp -j SNAT --to-source [dead::beef]:1025-65535"},
          // nf_nat_range (SNAT revision 1) has no base port.
          {"-p tcp -j SNAT --to-source [dead::beef]:1000-2000/1000",
           "-p tcp -j SNAT --to-source [dead::beef]:1000-2000/0"},
          {"-j SNAT --to-source dead::beef --persistent --random-fully --random",
           "-j SNAT --to-source dead::beef --random --random-fully --persistent"},
          {"-j SNAT --to-source [dead::beef]:1025-65535",
           "ERROR: t:2:36: error: -j SNAT: a port needs '-p tcp', '-p udp', '-p sctp' or '-p dccp' "
           "before this option (the rule has no -p here)"},
          {"-p ipv6-icmp -j SNAT --to-source [dead::beef]:5",
           "ERROR: t:2:49: error: -j SNAT: a port needs '-p tcp', '-p udp', '-p sctp' or '-p dccp' "
           "before this option (the rule has '-p ipv6-icmp' here)"},
      },
      "nat", "POSTROUTING", Family::kIPv6);
}

TEST_CASE("SNAT, MASQUERADE, REDIRECT", "[nat]") {
  RunCases(
      {
          {"-s 192.168.0.0/16 -o eth1 -j SNAT --to-source 203.0.113.5",
           "-s 192.168.0.0/16 -o eth1 -j SNAT --to-source 203.0.113.5"},
          {"-j SNAT --to-source 1.1.1.1-1.1.1.5 --persistent",
           "-j SNAT --to-source 1.1.1.1-1.1.1.5 --persistent"},
          {"-p tcp -j SNAT --to-source 1.1.1.1:1000-2000/1000",
           "-p tcp -j SNAT --to-source 1.1.1.1:1000-2000/0"},
          {"-p sctp -j SNAT --to-source :80", "-p sctp -j SNAT --to-source :80"},
          {"-j MASQUERADE", "-j MASQUERADE"},
          {"-o eth2 -p tcp -j MASQUERADE --to-ports 1024-65535 --random",
           "-o eth2 -p tcp -j MASQUERADE --to-ports 1024-65535 --random"},
          {"-j MASQUERADE --random-fully --random", "-j MASQUERADE --random --random-fully"},
          {"-p dccp -j MASQUERADE --to-ports 1000-2000/5",
           "-p dccp -j MASQUERADE --to-ports 1000-2000/0"},
          {"-p udp -j MASQUERADE --to-ports -1",
           "ERROR: t:2:48: error: -j MASQUERADE: invalid port '-1' (expected 0..65535 or a service "
           "name)"},
          {"-p udplite -j MASQUERADE --to-ports 5",
           "ERROR: t:2:52: error: -j MASQUERADE: a port needs '-p tcp', '-p udp', '-p sctp' or '-p "
           "dccp' before this option (the rule has '-p udplite' here)"},
          {"-p tcp -j MASQUERADE --to-ports 5:6",
           "ERROR: t:2:48: error: -j MASQUERADE: invalid port range '5:6': write PORT-PORT, with a "
           "dash"},
          {"-j SNAT", "ERROR: t:2:16: error: -j SNAT: '--to-source' is required"},
      },
      "nat", "POSTROUTING", Family::kIPv4);
  RunCases(
      {
          {"-p tcp -m tcp --dport 2222 -j REDIRECT --to-ports 22",
           "-p tcp -m tcp --dport 2222 -j REDIRECT --to-ports 22"},
          {"-p tcp -j REDIRECT", "-p tcp -j REDIRECT"},
          {"-j REDIRECT --random", "-j REDIRECT --random"},
          {"-p udp -j REDIRECT --to-ports 512-512", "-p udp -j REDIRECT --to-ports 512"},
          {"-p tcp -j REDIRECT --to-ports ftp-data", "-p tcp -j REDIRECT --to-ports 20"},
          {"-p tcp -j REDIRECT --to-ports 42-1234/567",
           "ERROR: t:2:41: error: -j REDIRECT: shifted port maps ('/BASE' after the range) are not "
           "supported by REDIRECT"},
          {"-j REDIRECT --to-ports 42",
           "ERROR: t:2:34: error: -j REDIRECT: a port needs '-p tcp', '-p udp', '-p sctp' or '-p "
           "dccp' before this option (the rule has no -p here)"},
      },
      "nat", "OUTPUT", Family::kIPv4);
}

TEST_CASE("NAT targets: table and hooks", "[nat]") {
  CHECK(FirstLine(Load("-j DNAT --to-destination 1.1.1.1", "filter", "INPUT")) ==
        "ERROR: t:2:10: error: -j DNAT: target is only valid in the nat table, not in 'filter'");
  CHECK(FirstLine(Load("-j DNAT --to-destination 1.1.1.1", "nat", "POSTROUTING")) ==
        "ERROR: t:2:16: error: -j DNAT: only valid in PREROUTING, OUTPUT; this rule is reached "
        "from POSTROUTING");
  CHECK(Load("-j SNAT --to-source 1.1.1.1", "nat", "INPUT") ==
        "-A INPUT -j SNAT --to-source 1.1.1.1");
  CHECK(FirstLine(Load("-j SNAT --to-source 1.1.1.1", "nat", "OUTPUT")) ==
        "ERROR: t:2:11: error: -j SNAT: only valid in INPUT, POSTROUTING; this rule is reached "
        "from OUTPUT");
  CHECK(FirstLine(Load("-j MASQUERADE", "nat", "INPUT")) ==
        "ERROR: t:2:10: error: -j MASQUERADE: only valid in POSTROUTING; this rule is reached from "
        "INPUT");
  CHECK(FirstLine(Load("-p tcp -j REDIRECT", "nat", "POSTROUTING")) ==
        "ERROR: t:2:23: error: -j REDIRECT: only valid in PREROUTING, OUTPUT; this rule is reached "
        "from POSTROUTING");
  for (const char* chain : {"PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"})
    CHECK(Load("-j NETMAP --to 1.2.3.4", "nat", chain) ==
          std::string("-A ") + chain + " -j NETMAP --to 1.2.3.4/32");
  // A user chain takes the hooks of the chains that jump to it.
  std::string text =
      "*nat\n:U - [0:0]\n-A POSTROUTING -j U\n-A U -j DNAT --to-destination 1.2.3.4\nCOMMIT\n";
  iptsim::LoadOptions opts;
  opts.family = Family::kIPv4;
  iptsim::LoadResult r = iptsim::LoadRuleset(text, "t", opts);
  REQUIRE(r.diagnostics.diagnostics().size() == 1);
  CHECK(iptsim::FormatDiagnostic(r.diagnostics.diagnostics()[0]) ==
        "t:4:6: error: -j DNAT: only valid in PREROUTING, OUTPUT; this rule is reached from "
        "POSTROUTING\n"
        "-A U -j DNAT --to-destination 1.2.3.4\n"
        "     ^~~~~~~\n");
}

TEST_CASE("NETMAP: address and mask as getaddrinfo reads them", "[nat]") {
  RunCases(
      {
          {"-j NETMAP --to 1.2.3.4/24", "-j NETMAP --to 1.2.3.0/24"},
          {"-j NETMAP --to 1.2.3", "-j NETMAP --to 1.2.0.3/32"},
          {"-j NETMAP --to 1.2.3.4/255.255.0.0", "-j NETMAP --to 1.2.0.0/16"},
          // Not a prefix length and not a contiguous mask: all ones.
          {"-j NETMAP --to 1.2.3.4/255.0.255.0", "-j NETMAP --to 1.2.3.4/32"},
          {"-j NETMAP --to 1.2.3.4/33", "-j NETMAP --to 1.2.3.4/32"},
          {"-j NETMAP --to 1.2.3.4/0x8", "-j NETMAP --to 1.0.0.0/8"},
          {"-j NETMAP --to 1.2.3.4/0", "-j NETMAP --to 0.0.0.0/0"},
          {"-j NETMAP --to 1.2.3.4/08",
           "ERROR: t:2:30: error: -j NETMAP: invalid mask '08' (neither a prefix length 0..32 nor "
           "a "
           "network mask)"},
          {"-j NETMAP --to foo",
           "ERROR: t:2:30: error: -j NETMAP: invalid IPv4 address 'foo' (host names are not "
           "resolved)"},
          {"-j NETMAP", "ERROR: t:2:15: error: -j NETMAP: '--to' is required"},
      },
      "nat", "PREROUTING", Family::kIPv4);
  RunCases(
      {
          {"-j NETMAP --to dead::beef", "-j NETMAP --to dead::beef/128"},
          {"-j NETMAP --to dead::beef/64", "-j NETMAP --to dead::/64"},
          {"-j NETMAP --to dead::beef/ffff::", "-j NETMAP --to dead::/16"},
          {"-j NETMAP --to dead::beef/129",
           "ERROR: t:2:30: error: -j NETMAP: invalid mask '129' (neither a prefix length 0..128 "
           "nor "
           "a network mask)"},
      },
      "nat", "PREROUTING", Family::kIPv6);
}

TEST_CASE("DNPT and SNPT", "[nat]") {
  RunCases(
      {
          {"-j DNPT --src-pfx dead::/64 --dst-pfx 1c3::/64",
           "-j DNPT --src-pfx dead::/64 --dst-pfx 1c3::/64"},
          {"-j DNPT --dst-pfx 1c3::/64 --src-pfx dead::/064",
           "-j DNPT --src-pfx dead::/52 --dst-pfx 1c3::/64"},
          // A zero length is not printed (and the saved rule does not load again).
          {"-j DNPT --src-pfx dead::/64 --dst-pfx ::/0", "-j DNPT --src-pfx dead::/64"},
          {"-j DNPT --src-pfx dead::/64", "ERROR: t:2:15: error: -j DNPT: '--dst-pfx' is required"},
          {"-j DNPT", "ERROR: t:2:15: error: -j DNPT: '--src-pfx' is required"},
          {"-j DNPT --src-pfx dead::beef/64 --dst-pfx 1c3::/64",
           "ERROR: t:2:15: error: -j DNPT: the kernel refuses --src-pfx dead::beef/64: bits are "
           "set "
           "after the prefix"},
          {"-j DNPT --src-pfx dead::/48 --dst-pfx 1c3::/65",
           "ERROR: t:2:15: error: -j DNPT: the kernel refuses --dst-pfx longer than /64 (got /65)"},
          {"-j DNPT --src-pfx dead::/ffff:0:ffff:ffff:: --dst-pfx ::/0",
           "ERROR: t:2:15: error: -j DNPT: the kernel refuses --src-pfx longer than /64 (got a "
           "mask "
           "that is no prefix)"},
      },
      "mangle", "PREROUTING", Family::kIPv6);
  CHECK(Load6("-j SNPT --src-pfx dead::/64 --dst-pfx 1c3::/64", "mangle", "POSTROUTING") ==
        "-A POSTROUTING -j SNPT --src-pfx dead::/64 --dst-pfx 1c3::/64");
  CHECK(
      FirstLine(Load6("-j SNPT --src-pfx dead::/64 --dst-pfx 1c3::/64", "mangle", "PREROUTING")) ==
      "ERROR: t:2:15: error: -j SNPT: only valid in INPUT, POSTROUTING; this rule is reached from "
      "PREROUTING");
  CHECK(FirstLine(Load6("-j DNPT --src-pfx dead::/64 --dst-pfx 1c3::/64", "nat", "PREROUTING")) ==
        "ERROR: t:2:15: error: -j DNPT: target is only valid in the mangle table, not in 'nat'");
  CHECK(FirstLine(Load("-j DNPT --src-pfx dead::/64 --dst-pfx 1c3::/64", "mangle", "PREROUTING")) ==
        "ERROR: t:2:18: error: unknown target 'DNPT', did you mean 'DNAT'?");
}

TEST_CASE("TPROXY", "[nat]") {
  RunCases(
      {
          {"-p tcp -j TPROXY --on-port 80",
           "-p tcp -j TPROXY --on-port 80 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0"},
          {"-p udp -j TPROXY --on-port 12345 --on-ip 10.0.0.1 --tproxy-mark 0x23/0xff",
           "-p udp -j TPROXY --on-port 12345 --on-ip 10.0.0.1 --tproxy-mark 0x23/0xff"},
          {"-p tcp -j TPROXY --on-port http --tproxy-mark 5",
           "-p tcp -j TPROXY --on-port 80 --on-ip 0.0.0.0 --tproxy-mark 0x5/0xffffffff"},
          // A getaddrinfo service: decimal, modulo 65536.
          {"-p tcp -j TPROXY --on-port 70000",
           "-p tcp -j TPROXY --on-port 4464 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0"},
          {"-p tcp -j TPROXY --on-port 080",
           "-p tcp -j TPROXY --on-port 80 --on-ip 0.0.0.0 --tproxy-mark 0x0/0x0"},
          {"-p tcp -j TPROXY --on-port 80 --on-ip 1.256",
           "-p tcp -j TPROXY --on-port 80 --on-ip 1.0.1.0 --tproxy-mark 0x0/0x0"},
          {"-p tcp -j TPROXY --on-port 0x50",
           "ERROR: t:2:42: error: -j TPROXY: invalid port '0x50' (expected a number or a service "
           "name)"},
          {"-p tcp -j TPROXY --on-port -1",
           "ERROR: t:2:42: error: -j TPROXY: invalid port '-1' (expected a number or a service "
           "name)"},
          {"-p tcp -j TPROXY --on-port 80 --tproxy-mark 0x5/0x6/7",
           "ERROR: t:2:59: error: -j TPROXY: invalid mark '0x5/0x6/7': unexpected '/7' after the "
           "value"},
          {"-p tcp -j TPROXY --on-ip 1.2.3.4",
           "ERROR: t:2:22: error: -j TPROXY: '--on-port' is required"},
          {"-j TPROXY --on-port 80",
           "ERROR: t:2:15: error: -j TPROXY: needs '-p tcp' or '-p udp' (the kernel refuses TPROXY "
           "otherwise; this rule has no -p)"},
          {"! -p tcp -j TPROXY --on-port 80",
           "ERROR: t:2:24: error: -j TPROXY: needs '-p tcp' or '-p udp' (the kernel refuses TPROXY "
           "otherwise; this rule has '! -p tcp')"},
      },
      "mangle", "PREROUTING", Family::kIPv4);
  CHECK(Load6("-p udp -j TPROXY --on-port 80 --on-ip dead::1 --tproxy-mark 1", "mangle",
              "PREROUTING") ==
        "-A PREROUTING -p udp -j TPROXY --on-port 80 --on-ip dead::1 --tproxy-mark 0x1/0xffffffff");
  CHECK(Load6("-p tcp -j TPROXY --on-port 80", "mangle", "PREROUTING") ==
        "-A PREROUTING -p tcp -j TPROXY --on-port 80 --on-ip :: --tproxy-mark 0x0/0x0");
  CHECK(FirstLine(Load6("-p tcp -j TPROXY --on-port 80 --on-ip 1.2.3.4", "mangle", "PREROUTING")) ==
        "ERROR: t:2:53: error: -j TPROXY: '1.2.3.4' is not an IPv6 address"
        "; '1.2.3.4' is an IPv4 address, but this ruleset is IPv6 (-6 was given): load iptables-save output for IPv4 rules, or give -4");
  CHECK(
      FirstLine(Load("-p tcp -j TPROXY --on-port 80", "mangle", "INPUT")) ==
      "ERROR: t:2:17: error: -j TPROXY: only valid in PREROUTING; this rule is reached from INPUT");
}

TEST_CASE("TEE", "[nat]") {
  RunCases(
      {
          {"-j TEE --gateway 1.1.1.1", "-j TEE --gateway 1.1.1.1"},
          {"-j TEE --gateway 1.2.3 --oif eth0", "-j TEE --gateway 1.2.0.3 --oif eth0"},
          {"-j TEE --gateway 1.1.1.1 --oif 0123456789abcdef",
           "-j TEE --gateway 1.1.1.1 --oif 0123456789abcde"},
          {"-j TEE --gateway 1.1.1.1 --oif \"\"", "-j TEE --gateway 1.1.1.1"},
          {"-j TEE --oif eth0", "ERROR: t:2:12: error: -j TEE: '--gateway' is required"},
          {"-j TEE --gateway 0.0.0.0",
           "ERROR: t:2:12: error: -j TEE: the kernel refuses the unspecified address as TEE "
           "gateway"},
          {"-j TEE ! --gateway 1.1.1.1",
           "ERROR: t:2:19: error: option '--gateway' of -j TEE cannot be inverted"},
      },
      "filter", "FORWARD", Family::kIPv4);
  CHECK(Load("-j TEE --gateway 1.1.1.1", "raw", "PREROUTING") ==
        "-A PREROUTING -j TEE --gateway 1.1.1.1");
  CHECK(Load6("-j TEE --gateway dead::1 --oif eth0") ==
        "-A INPUT -j TEE --gateway dead::1 --oif eth0");
}

TEST_CASE("REJECT: names, abbreviations, defaults", "[nat]") {
  RunCases(
      {
          {"-j REJECT", "-j REJECT --reject-with icmp-port-unreachable"},
          {"-j REJECT --reject-with net-unreach", "-j REJECT --reject-with icmp-net-unreachable"},
          {"-j REJECT --reject-with ICMP-HOST-PROHIB",
           "-j REJECT --reject-with icmp-host-prohibited"},
          {"-j REJECT --reject-with proto-unreach",
           "-j REJECT --reject-with icmp-proto-unreachable"},
          {"-j REJECT --reject-with admin", "-j REJECT --reject-with icmp-admin-prohibited"},
          // The first entry the text is a prefix of wins.
          {"-j REJECT --reject-with h", "-j REJECT --reject-with icmp-host-unreachable"},
          {"-j REJECT --reject-with \"\"", "-j REJECT --reject-with icmp-net-unreachable"},
          {"-p tcp -j REJECT --reject-with tcp-rst", "-p tcp -j REJECT --reject-with tcp-reset"},
          {"! -s 10.1.2.0/24 -p tcp -m tcp ! --dport 25 -j REJECT --reject-with tcp-reset",
           "! -s 10.1.2.0/24 -p tcp -m tcp ! --dport 25 -j REJECT --reject-with tcp-reset"},
          {"-j REJECT --reject-with tcp-reset",
           "ERROR: t:2:10: error: -j REJECT: '--reject-with tcp-reset' needs '-p tcp' (the kernel "
           "refuses it otherwise; this rule has no -p)"},
          {"-j REJECT --reject-with echo-reply",
           "ERROR: t:2:34: error: -j REJECT: '--reject-with echo-reply' is no longer supported"},
          {"-j REJECT --reject-with prot-unreach",
           "ERROR: t:2:34: error: -j REJECT: unknown reject type 'prot-unreach' (valid: "
           "icmp-net-unreachable, icmp-host-unreachable, icmp-proto-unreachable, "
           "icmp-port-unreachable, icmp-net-prohibited, icmp-host-prohibited, tcp-reset, "
           "icmp-admin-prohibited)"},
          {"-j REJECT --reject-with icmp-net-unreachable --reject-with icmp-net-unreachable",
           "ERROR: t:2:55: error: -j REJECT: '--reject-with' may be given only once"},
      },
      "filter", "INPUT", Family::kIPv4);
  CHECK(
      FirstLine(Load("-j REJECT", "mangle", "INPUT")) ==
      "ERROR: t:2:10: error: -j REJECT: target is only valid in the filter table, not in 'mangle'");
  RunCases(
      {
          {"-j REJECT", "-j REJECT --reject-with icmp6-port-unreachable"},
          {"-j REJECT --reject-with adm-prohibited",
           "-j REJECT --reject-with icmp6-adm-prohibited"},
          {"-j REJECT --reject-with policy-fail", "-j REJECT --reject-with icmp6-policy-fail"},
          {"-j REJECT --reject-with icmp6-", "-j REJECT --reject-with icmp6-no-route"},
          {"-p 6 -j REJECT --reject-with tcp-reset", "-p tcp -j REJECT --reject-with tcp-reset"},
          // ip6tables 1.8.9 has no "tcp-rst" alias.
          {"-p tcp -j REJECT --reject-with tcp-rst",
           "ERROR: t:2:42: error: -j REJECT: unknown reject type 'tcp-rst' (valid: icmp6-no-route, "
           "icmp6-adm-prohibited, icmp6-addr-unreachable, icmp6-port-unreachable, tcp-reset, "
           "icmp6-policy-fail, icmp6-reject-route)"},
      },
      "filter", "OUTPUT", Family::kIPv6);
}

TEST_CASE("LOG", "[nat]") {
  RunCases(
      {
          {"-j LOG", "-j LOG"},
          {"-j LOG --log-level warning", "-j LOG"},
          {"-j LOG --log-level info --log-prefix \"ssh: \"",
           "-j LOG --log-prefix \"ssh: \" --log-level 6"},
          {"-j LOG --log-level 0x7", "-j LOG --log-level 7"},
          {"-j LOG --log-level panic", "-j LOG --log-level 0"},
          {"-j LOG --log-level \" 5\"", "-j LOG --log-level 5"},
          {"-j LOG --log-macdecode --log-uid --log-ip-options --log-tcp-options --log-tcp-sequence "
           "--log-level 7 --log-prefix x",
           "-j LOG --log-prefix x --log-level 7 --log-tcp-sequence --log-tcp-options "
           "--log-ip-options "
           "--log-uid --log-macdecode"},
          // Cut to 29 characters without a word.
          {"-j LOG --log-prefix 012345678901234567890123456789ABC",
           "-j LOG --log-prefix 01234567890123456789012345678"},
          {"-j LOG --log-prefix \"a'b\\\\c\"", "-j LOG --log-prefix \"a\\'b\\\\c\""},
          {"-j LOG --log-level 8",
           "ERROR: t:2:29: error: -j LOG: unknown log level '8' (0..7, emerg, alert, crit, error, "
           "warning, notice, info or debug)"},
          {"-j LOG --log-level INFO",
           "ERROR: t:2:29: error: -j LOG: unknown log level 'INFO' (0..7, emerg, alert, crit, "
           "error, "
           "warning, notice, info or debug)"},
          {"-j LOG --log-prefix \"\"", "ERROR: t:2:30: error: -j LOG: empty log prefix"},
          {"-j LOG --log-prefix",
           "ERROR: t:2:17: error: -j LOG: option '--log-prefix' requires an argument"},
          {"-j LOG --log-uid --log-uid",
           "ERROR: t:2:27: error: -j LOG: '--log-uid' may be given only once"},
      },
      "filter", "INPUT", Family::kIPv4);
  CHECK(Load("-j LOG", "nat", "PREROUTING") == "-A PREROUTING -j LOG");
  CHECK(Load6("-j LOG --log-prefix \"test: \" --log-tcp-sequence") ==
        "-A INPUT -j LOG --log-prefix \"test: \" --log-tcp-sequence");
}

TEST_CASE("NFLOG", "[nat]") {
  RunCases(
      {
          {"-j NFLOG", "-j NFLOG"},
          {"-j NFLOG --nflog-group 0", "-j NFLOG"},
          {"-j NFLOG --nflog-group 0x10", "-j NFLOG --nflog-group 16"},
          {"-j NFLOG --nflog-threshold 2 --nflog-size 0 --nflog-group 3 --nflog-prefix \"a b\"",
           "-j NFLOG --nflog-prefix \"a b\" --nflog-group 3 --nflog-size 0 --nflog-threshold 2"},
          {"-j NFLOG --nflog-range 0", "-j NFLOG"},
          {"-j NFLOG --nflog-range 4294967295", "-j NFLOG --nflog-range 4294967295"},
          {"-j NFLOG --nflog-threshold 0", "-j NFLOG"},
          {"-j NFLOG --nflog-group 65536",
           "ERROR: t:2:33: error: -j NFLOG: invalid group '65536' (must be 0..65535)"},
          {"-j NFLOG --nflog-size -1",
           "ERROR: t:2:32: error: -j NFLOG: invalid size '-1' (must be 0..4294967295)"},
          {"-j NFLOG --nflog-size 5 --nflog-range 3",
           "ERROR: t:2:34: error: -j NFLOG: '--nflog-range' and '--nflog-size' cannot be used "
           "together"},
          {"-j NFLOG --nflog-threshold 65536",
           "ERROR: t:2:37: error: -j NFLOG: invalid threshold '65536' (must be 0..65535)"},
      },
      "filter", "INPUT", Family::kIPv4);
  // Cut to 63 characters.
  std::string x65(65, 'x'), x63(63, 'x');
  CHECK(Load("-j NFLOG --nflog-prefix " + x65) == "-A INPUT -j NFLOG --nflog-prefix " + x63);
}

TEST_CASE("NFQUEUE", "[nat]") {
  RunCases(
      {
          {"-j NFQUEUE", "-j NFQUEUE --queue-num 0"},
          {"-j NFQUEUE --queue-bypass", "-j NFQUEUE --queue-num 0 --queue-bypass"},
          {"-j NFQUEUE --queue-num 0x10", "-j NFQUEUE --queue-num 16"},
          {"-j NFQUEUE --queue-balance 0x1:0x3", "-j NFQUEUE --queue-balance 1:3"},
          {"-j NFQUEUE --queue-balance \" 1: 3\"", "-j NFQUEUE --queue-balance 1:3"},
          // iptables 1.8.13: the balance range ends at 65534.
          {"-j NFQUEUE --queue-balance :", "-j NFQUEUE --queue-balance 0:65534"},
          {"-j NFQUEUE --queue-balance 4:", "-j NFQUEUE --queue-balance 4:65534"},
          {"-j NFQUEUE --queue-cpu-fanout --queue-bypass --queue-balance 0:6",
           "-j NFQUEUE --queue-balance 0:6 --queue-bypass --queue-cpu-fanout"},
          {"-j NFQUEUE --queue-balance 0:65535",
           "ERROR: t:2:37: error: -j NFQUEUE: invalid queue number in '0:65535' (queues are "
           "0..65534)"},
          {"-j NFQUEUE --queue-balance 4:4",
           "ERROR: t:2:37: error: -j NFQUEUE: invalid queue range '4:4': the first queue must be "
           "less than the last"},
          {"-j NFQUEUE --queue-balance 4",
           "ERROR: t:2:37: error: -j NFQUEUE: invalid queue range '4' (expected FIRST:LAST)"},
          {"-j NFQUEUE --queue-balance 1-3",
           "ERROR: t:2:37: error: -j NFQUEUE: invalid queue range '1-3': unexpected '-3'"},
          {"-j NFQUEUE --queue-balance 1:2:3",
           "ERROR: t:2:37: error: -j NFQUEUE: invalid queue range '1:2:3' (expected FIRST:LAST, "
           "two "
           "numbers)"},
          {"-j NFQUEUE --queue-num 3 --queue-balance 4:5",
           "ERROR: t:2:35: error: -j NFQUEUE: '--queue-num' and '--queue-balance' cannot be used "
           "together"},
          {"-j NFQUEUE --queue-num 3 --queue-cpu-fanout",
           "ERROR: t:2:10: error: -j NFQUEUE: '--queue-cpu-fanout' needs '--queue-balance'"},
      },
      "filter", "INPUT", Family::kIPv4);
}

TEST_CASE("Reference ruleset nat table round-trips", "[nat]") {
  // kernel-trace.md §7.3, real iptables-legacy-save output.
  const std::string text =
      "*nat\n"
      ":PREROUTING ACCEPT [0:0]\n"
      ":INPUT ACCEPT [0:0]\n"
      ":OUTPUT ACCEPT [0:0]\n"
      ":POSTROUTING ACCEPT [0:0]\n"
      "-A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 192.168.1.20:80\n"
      "-A PREROUTING -p tcp -m tcp --dport 2222 -j REDIRECT --to-ports 22\n"
      "-A PREROUTING -p udp -m udp --dport 53 -j DNAT --to-destination "
      "10.0.0.1-10.0.0.5:5353-5360\n"
      "-A PREROUTING -p tcp -m tcp --dport 81 -j DNAT --to-destination :8081\n"
      "-A PREROUTING -p tcp -j REDIRECT\n"
      "-A OUTPUT -d 1.2.3.4/32 -j DNAT --to-destination 5.6.7.8\n"
      "-A POSTROUTING -o eth0 -j MASQUERADE\n"
      "-A POSTROUTING -s 192.168.0.0/16 -o eth1 -j SNAT --to-source 203.0.113.5\n"
      "-A POSTROUTING -o eth2 -p tcp -j MASQUERADE --to-ports 1024-65535 --random\n"
      "-A POSTROUTING -j SNAT --to-source 1.1.1.1-1.1.1.5 --persistent\n"
      "COMMIT\n";
  iptsim::LoadOptions opts;
  opts.family = Family::kIPv4;
  iptsim::LoadResult r = iptsim::LoadRuleset(text, "t", opts);
  REQUIRE(r.ok());
  iptsim::SaveOptions so;
  so.header = false;
  CHECK(iptsim::SaveRuleset(r.ruleset, so) == text);
}
