// L4 protocol matches: dccp, sctp, multiport, icmp, icmp6, ah (v4/v6), esp,
// ipcomp, mh, tcpmss.  Parse + canonical save, and the errors iptables or
// the kernel would give.
#include <catch2/catch.hpp>

#include "tests/unit/test_util.h"

using iptsim::Family;

namespace {

using iptsim::testing::CheckErrors;
using iptsim::testing::CheckSaves;
using iptsim::testing::FirstLine;
using iptsim::testing::Load;
using iptsim::testing::Load6;

}  // namespace

TEST_CASE("dccp: parse and save", "[l4]") {
  CheckSaves(
      {
          {"-p dccp -m dccp --sport 1024:", "-p dccp -m dccp --sport 1024:65535"},
          {"-p dccp -m dccp --dport :", "-p dccp -m dccp --dport 0:65535"},
          {"-p dccp -m dccp --sport 4:4 ! --dport 5", "-p dccp -m dccp --sport 4 ! --dport 5"},
          {"-p dccp -m dccp --source-port http", "-p dccp -m dccp --sport 80"},
          {"-p dccp --dccp-types request,ack", "-p dccp -m dccp --dccp-types REQUEST,ACK"},
          {"-p dccp -m dccp --dccp-types ,,SYNC,DATA,", "-p dccp -m dccp --dccp-types DATA,SYNC"},
          {"-p dccp -m dccp ! --dccp-option 5 --dport 7",
           "-p dccp -m dccp --dport 7 ! --dccp-option 5"},
          {"-p dccp -m dccp", "-p dccp -m dccp"},
      },
      Family::kIPv4);
}

TEST_CASE("dccp: errors", "[l4]") {
  CheckErrors(
      {
          {"-p dccp -m dccp --dccp-option 256",
           "t:2:40: error: -m dccp: invalid DCCP option '256' (must be 1..255)"},
          {"-p dccp -m dccp --dccp-option 0",
           "t:2:40: error: -m dccp: invalid DCCP option '0' (must be 1..255)"},
          {"-p dccp -m dccp --dccp-types DATA,FOO",
           "t:2:39: error: -m dccp: unknown DCCP packet type 'FOO' (REQUEST, RESPONSE, DATA, "
           "ACK, DATAACK, CLOSEREQ, CLOSE, RESET, SYNC, SYNCACK, INVALID)"},
          {"-p dccp -m dccp --sport 1 --source-port 2",
           "t:2:36: error: -m dccp: only one '--source-port' allowed"},
          {"-m dccp --sport 1", "t:2:10: error: -m dccp: needs '-p dccp' (this rule has no -p)"},
      },
      Family::kIPv4);
}

TEST_CASE("sctp: parse and save", "[l4]") {
  CheckSaves(
      {
          {"-p sctp -m sctp --sport :", "-p sctp -m sctp --sport 0:65535"},
          {"-p sctp -m sctp --dport 0:0", "-p sctp -m sctp --dport 0"},
          {"-p sctp --chunk-types all INIT --dport 5",
           "-p sctp -m sctp --dport 5 --chunk-types all INIT"},
          {"-p sctp -m sctp --chunk-types any DATA:Be,INIT",
           "-p sctp -m sctp --chunk-types any DATA:Be,INIT"},
          {"-p sctp -m sctp --chunk-types ONLY asconf,init", "-p sctp -m sctp --chunk-types only INIT,ASCONF"},
          {"-p sctp -m sctp ! --chunk-types any all", "-p sctp -m sctp ! --chunk-types any ALL"},
          {"-p sctp -m sctp --chunk-types all none", "-p sctp -m sctp --chunk-types all NONE"},
          {"-p sctp -m sctp --chunk-types any ABORT:T,SHUTDOWN_COMPLETE:t",
           "-p sctp -m sctp --chunk-types any ABORT:T,SHUTDOWN_COMPLETE:t"},
          // '-' is accepted as a flag letter (it is in iptables' flag template).
          {"-p sctp -m sctp --chunk-types any INIT:-", "-p sctp -m sctp --chunk-types any INIT:-"},
      },
      Family::kIPv4);
  // iptables records chunk flags under the chunk's table index, so I_DATA's
  // flags are lost in the save (as with iptables 1.8.9).
  CHECK(Load("-p sctp -m sctp --chunk-types any I_DATA:B") ==
        "-A INPUT -p sctp -m sctp --chunk-types any I_DATA");
}

TEST_CASE("sctp: errors", "[l4]") {
  CheckErrors(
      {
          {"-p sctp -m sctp --dport 65536",
           "t:2:34: error: -m sctp: invalid port/service '65536' specified"},
          {"-p sctp -m sctp --chunk-types none INIT",
           "t:2:40: error: -m sctp: invalid chunk match type 'none' (all, any or only)"},
          {"-p sctp -m sctp --chunk-types any DATA:X",
           "t:2:44: error: -m sctp: invalid flag 'X' for SCTP chunk DATA"},
          {"-p sctp -m sctp --chunk-types any INIT,ALL",
           "t:2:44: error: -m sctp: unknown SCTP chunk type 'ALL'"},
          {"-p sctp -m sctp --chunk-types all -p",
           "t:2:44: error: -m sctp: '--chunk-types' needs two arguments: {all|any|only} and the "
           "chunk list"},
          {"-p sctp -m sctp --chunk-types any DATA:B,ABORT:T,SHUTDOWN_COMPLETE:T,I_DATA:E,INIT:-",
           "t:2:44: error: -m sctp: flags given for more than 4 chunk types"},
      },
      Family::kIPv4);
}

TEST_CASE("multiport: parse and save", "[l4]") {
  CheckSaves(
      {
          {"-p tcp -m multiport --dports http,ssh", "-p tcp -m multiport --dports 80,22"},
          {"-p udp -m multiport ! --source-ports 53,1024:65535",
           "-p udp -m multiport ! --sports 53,1024:65535"},
          {"-p sctp -m multiport --ports 5", "-p sctp -m multiport --ports 5"},
          {"-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14:15",
           "-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14:15"},
          {"-p tcp -m multiport --destination-ports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15",
           "-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15"},
      },
      Family::kIPv4);
  CHECK(Load6("-p udplite -m multiport --dports 5,6") ==
        "-A INPUT -p udplite -m multiport --dports 5,6");
}

TEST_CASE("multiport: errors", "[l4]") {
  CheckErrors(
      {
          {"-p tcp -m multiport --sports 1024:65536",
           "t:2:39: error: -m multiport: invalid port/service '65536' for tcp"},
          {"-p tcp -m multiport --dports 80:80",
           "t:2:39: error: -m multiport: invalid port range '80:80': start must be below end"},
          {"-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16",
           "t:2:39: error: -m multiport: too many ports in "
           "'1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16' (at most 15, a range counts as 2)"},
          {"-p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15:16",
           "t:2:39: error: -m multiport: too many ports in "
           "'1,2,3,4,5,6,7,8,9,10,11,12,13,14,15:16' (at most 15, a range counts as 2)"},
          {"-p udplite -m multiport --dports http",
           "t:2:43: error: -m multiport: invalid port/service 'http' for udplite"},
          {"-p tcp -m multiport --dports 1,,2",
           "t:2:39: error: -m multiport: invalid port/service '' for tcp"},
          {"-m multiport --dports 1",
           "t:2:23: error: -m multiport: needs '-p tcp', '-p udp', '-p udplite', '-p sctp' or "
           "'-p dccp' before it"},
          {"! -p tcp -m multiport --dports 1",
           "t:2:32: error: -m multiport: only works with -p tcp, udp, udplite, sctp or dccp (not "
           "inverted)"},
          {"-p icmp -m multiport --dports 1",
           "t:2:31: error: -m multiport: only works with -p tcp, udp, udplite, sctp or dccp (not "
           "inverted)"},
          {"-p tcp -m multiport", "t:2:17: error: -m multiport: needs one of '--sports', "
                                  "'--dports' or '--ports'"},
          {"-p tcp -m multiport --dports 1 --sports 2",
           "t:2:41: error: -m multiport: only one of '--sports', '--dports' and '--ports' allowed"},
          {"-p tcp -m multiport --dports 1 --dports 2",
           "t:2:41: error: -m multiport: only one '--destination-ports' allowed"},
      },
      Family::kIPv4);
}

TEST_CASE("icmp: parse and save", "[l4]") {
  CheckSaves(
      {
          {"-p icmp -m icmp --icmp-type any", "-p icmp -m icmp --icmp-type any"},
          {"-p icmp -m icmp --icmp-type echo-request", "-p icmp -m icmp --icmp-type 8"},
          {"-p icmp --icmp-type port-unr", "-p icmp -m icmp --icmp-type 3/3"},
          {"-p icmp -m icmp ! --icmp-type Echo-Reply", "-p icmp -m icmp ! --icmp-type 0"},
          {"-p icmp -m icmp --icmp-type 255/255", "-p icmp -m icmp --icmp-type 255/255"},
          {"-p icmp -m icmp --icmp-type 255/0:255", "-p icmp -m icmp --icmp-type any"},
          {"-p icmp -m icmp --icmp-type 255", "-p icmp -m icmp --icmp-type any"},
          {"-p icmp -m icmp --icmp-type 0x3/4", "-p icmp -m icmp --icmp-type 3/4"},
      },
      Family::kIPv4);
  // A code range saves only its first code (libipt_icmp does the same).
  CHECK(Load("-p icmp -m icmp --icmp-type 3/0:4") == "-A INPUT -p icmp -m icmp --icmp-type 3/0");
}

TEST_CASE("icmp: errors", "[l4]") {
  CheckErrors(
      {
          {"-m icmp --icmp-type 8", "t:2:10: error: -m icmp: needs '-p icmp' (this rule has no -p)"},
          {"-p icmp -m icmp", "t:2:18: error: -m icmp: '--icmp-type TYPE' is required"},
          {"-p icmp -m icmp --icmp-type ech",
           "t:2:38: error: -m icmp: ambiguous ICMP type 'ech': 'echo-reply' or 'echo-request'?"},
          {"-p icmp -m icmp --icmp-type 3:4",
           "t:2:38: error: -m icmp: invalid ICMP type '3:4': type ranges are not supported"},
          {"-p icmp -m icmp --icmp-type 256",
           "t:2:38: error: -m icmp: unknown ICMP type '256' (a name, or TYPE[/CODE] with numbers "
           "0..255)"},
          {"-p icmp -m icmp --icmp-type 3/x",
           "t:2:38: error: -m icmp: invalid ICMP code in '3/x' (CODE or CODE:CODE, numbers 0..255)"},
          {"-p icmp -m icmp --icmp-type 3/4x",
           "t:2:38: error: -m icmp: invalid ICMP type '3/4x': unexpected 'x'"},
          {"-p icmp -m icmp --icmp-type destination-unreachable/network-unreachable",
           "t:2:38: error: -m icmp: unknown ICMP type "
           "'destination-unreachable/network-unreachable' (a name, or TYPE[/CODE] with numbers "
           "0..255)"},
          {"-p icmp -m icmp --icmp-type 8 --icmp-type 0",
           "t:2:40: error: -m icmp: only one '--icmp-type' allowed"},
      },
      Family::kIPv4);
  // icmp is IPv4 only.
  CHECK(FirstLine(Load6("-p icmp -m icmp --icmp-type 8")) ==
        "ERROR: t:2:21: error: unknown match 'icmp' for IPv6 (it exists only for the other family)");
}

TEST_CASE("icmp6: parse, save, aliases and implicit loading", "[l4]") {
  CheckSaves(
      {
          {"-p ipv6-icmp -m icmp6 --icmpv6-type echo-request",
           "-p ipv6-icmp -m icmp6 --icmpv6-type 128"},
          {"-p icmpv6 --icmpv6-type neighbour-solicitation",
           "-p ipv6-icmp -m icmp6 --icmpv6-type 135"},
          {"-p 58 -m icmpv6 --icmpv6-type mld-listener-done",
           "-p ipv6-icmp -m icmp6 --icmpv6-type 132"},
          {"-p icmpv6 -m ipv6-icmp ! --icmpv6-type no-route",
           "-p ipv6-icmp -m icmp6 ! --icmpv6-type 1/0"},
          {"-p ipv6-icmp -m icmp6 --icmpv6-type 255", "-p ipv6-icmp -m icmp6 --icmpv6-type 255"},
      },
      Family::kIPv6);
}

TEST_CASE("icmp6: errors", "[l4]") {
  CheckErrors(
      {
          {"-m icmpv6", "t:2:10: error: -m icmp6: '--icmpv6-type TYPE' is required"},
          {"-m icmp6 --icmpv6-type 1",
           "t:2:10: error: -m icmp6: needs '-p ipv6-icmp' (this rule has no -p)"},
          {"-p ipv6-icmp -m icmp6 --icmpv6-type any",
           "t:2:46: error: -m icmp6: unknown ICMPv6 type 'any' (a name, or TYPE[/CODE] with "
           "numbers 0..255)"},
          {"-p ipv6-icmp -m icmp6 --icmpv6-type no-route --icmpv6-type packet-too-big",
           "t:2:55: error: -m icmp6: only one '--icmpv6-type' allowed"},
          {"-p tcp --icmpv6-type 1",
           "t:2:17: error: unknown option '--icmpv6-type': it belongs to -m icmp6, which must "
           "be loaded (with -m, -j or -p) before the option"},
      },
      Family::kIPv6);
}

TEST_CASE("ah: IPv4 and IPv6", "[l4]") {
  CheckSaves(
      {
          {"-p ah -m ah --ahspi 0:4294967295", "-p ah -m ah"},
          {"-p ah -m ah ! --ahspi :", "-p ah -m ah ! --ahspi 0:4294967295"},
          {"-p ah -m ah --ahspi 0x10:", "-p ah -m ah --ahspi 16:4294967295"},
          {"-p ah --ahspi 3:3", "-p ah -m ah --ahspi 3"},
      },
      Family::kIPv4);
  CheckSaves(
      {
          {"-m ah", "-m ah"},
          {"-p tcp -m ah --ahspi :3", "-p tcp -m ah --ahspi 0:3"},
          {"-m ah --ahlen 32 --ahres", "-m ah --ahlen 32 --ahres"},
          {"-m ah ! --ahlen 0 ! --ahspi 5", "-m ah ! --ahspi 5 ! --ahlen 0"},
      },
      Family::kIPv6);
  CheckErrors(
      {
          {"-m ah --ahspi 0", "t:2:10: error: -m ah: needs '-p ah' (this rule has no -p)"},
          {"-p ah -m ah --ahspi 4294967296",
           "t:2:30: error: -m ah: invalid SPI '4294967296' (must be 0..4294967295)"},
          {"-p ah -m ah --ahspi -1", "t:2:30: error: -m ah: invalid SPI '-1' (must be 0..4294967295)"},
          {"-p ah -m ah --ahspi 0:invalid",
           "t:2:30: error: -m ah: invalid SPI 'invalid' in '0:invalid' (must be 0..4294967295)"},
          {"-p ah -m ah --ahlen 5", "t:2:22: error: unknown option '--ahlen'"},
      },
      Family::kIPv4);
  CheckErrors(
      {
          {"-m ah --ahspi 1:2:3",
           "t:2:24: error: -m ah: invalid SPI range '1:2:3': at most two values (FROM:TO)"},
          {"-m ah --ahspi 5 --ahspi 6", "t:2:26: error: -m ah: only one '--ahspi' allowed"},
          {"-m ah ! --ahres", "t:2:16: error: option '--ahres' of -m ah cannot be inverted"},
      },
      Family::kIPv6);
}

TEST_CASE("esp and ipcomp", "[l4]") {
  CheckSaves(
      {
          {"-p esp -m esp --espspi :32", "-p esp -m esp --espspi 0:32"},
          {"-p esp -m esp ! --espspi :", "-p esp -m esp ! --espspi 0:4294967295"},
          {"-p esp --espspi 4:4", "-p esp -m esp --espspi 4"},
          {"-p ipcomp -m ipcomp --ipcompspi :", "-p ipcomp -m ipcomp"},
          {"-p 108 -m ipcomp --compres ! --ipcompspi 18", "-p ipcomp -m ipcomp ! --ipcompspi 18 --compres"},
      },
      Family::kIPv4);
  CHECK(Load6("-p esp -m esp --espspi 7") == "-A INPUT -p esp -m esp --espspi 7");
  CheckErrors(
      {
          {"-m esp", "t:2:10: error: -m esp: needs '-p esp' (this rule has no -p)"},
          {"-p udp -m ipcomp", "t:2:17: error: -m ipcomp: needs '-p ipcomp' (this rule has '-p udp')"},
      },
      Family::kIPv4);
}

TEST_CASE("mh", "[l4]") {
  CheckSaves(
      {
          {"-p mh -m mh --mh-type hot", "-p mobility-header -m mh --mh-type 3"},
          {"-p ipv6-mh -m mh --mh-type b:be", "-p mobility-header -m mh --mh-type 0:7"},
          {"-p mh --mh-type 3:", "-p mobility-header -m mh --mh-type 3:255"},
          {"-p mobility-header -m mh ! --mh-type Binding-Update",
           "-p mobility-header -m mh ! --mh-type 5"},
      },
      Family::kIPv6);
  // The full range is not saved, even inverted (libip6t_mh).
  CHECK(Load6("-p mh -m mh ! --mh-type :") == "-A INPUT -p mobility-header -m mh");
  CheckErrors(
      {
          {"-m mh", "t:2:10: error: -m mh: needs '-p mobility-header' (this rule has no -p)"},
          {"-p mh -m mh --mh-type xyz",
           "t:2:32: error: -m mh: invalid MH type 'xyz' (a number 0..255 or a name such as "
           "binding-update)"},
          {"-p mh -m mh --mh-type 5:3",
           "t:2:32: error: -m mh: invalid MH type range '5:3': start is greater than end"},
          {"-p mh -m mh --mh-type 256",
           "t:2:32: error: -m mh: invalid MH type '256' (a number 0..255 or a name such as "
           "binding-update)"},
      },
      Family::kIPv6);
}

TEST_CASE("tcpmss", "[l4]") {
  CheckSaves(
      {
          {"-p tcp -m tcpmss --mss :", "-p tcp -m tcpmss --mss 0:65535"},
          {"-p tcp -m tcpmss ! --mss 42:", "-p tcp -m tcpmss ! --mss 42:65535"},
          {"-p tcp -m tcpmss --mss 42:42", "-p tcp -m tcpmss --mss 42"},
      },
      Family::kIPv4);
  CHECK(Load6("-p tcp -m tcpmss --mss 1:500") == "-A INPUT -p tcp -m tcpmss --mss 1:500");
  CheckErrors(
      {
          {"-p tcp -m tcpmss", "t:2:17: error: -m tcpmss: '--mss VALUE[:VALUE]' is required"},
          {"-p tcp -m tcpmss --mss 42:65536",
           "t:2:33: error: -m tcpmss: invalid MSS '65536' in '42:65536' (must be 0..65535)"},
          {"-p tcp -m tcpmss --mss 65535:1000",
           "t:2:33: error: -m tcpmss: invalid MSS range '65535:1000': end 1000 is below start "
           "65535"},
          {"-p udp -m tcpmss --mss 5", "t:2:17: error: -m tcpmss: needs '-p tcp' (this rule has '-p udp')"},
      },
      Family::kIPv4);
}

TEST_CASE("l4: a whole formatted diagnostic", "[l4]") {
  CHECK(Load("-p tcp -m multiport --dports 80:80") ==
        "ERROR: t:2:39: error: -m multiport: invalid port range '80:80': start must be below end\n"
        "-A INPUT -p tcp -m multiport --dports 80:80\n"
        "                                      ^~~~~\n");
}
