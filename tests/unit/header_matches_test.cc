// IP and IPv6 header matches: ttl, hl, realm, length, tos, dscp, ecn,
// pkttype, mac, iprange, addrtype, u32, string, frag, rt, dst, hbh,
// ipv6header, eui64, srh.  Parse + canonical save (checked against
// iptables-legacy 1.8.9 and the 1.8.13 .t files), and the errors iptables or
// the kernel give.
#include <catch2/catch.hpp>

#include "tests/unit/test_util.h"

using iptsim::Family;

namespace {

using iptsim::testing::CheckErrors;
using iptsim::testing::CheckSaves;
using iptsim::testing::ErrCase;
using iptsim::testing::FirstLine;
using iptsim::testing::Load;
using iptsim::testing::SaveCase;

}  // namespace

TEST_CASE("IPv4 header matches save canonically", "[hdr]") {
  CheckSaves(
      {
          {"-m ttl --ttl-eq 0x10", "-m ttl --ttl-eq 16"},
          {"-m ttl ! --ttl-eq 64", "-m ttl ! --ttl-eq 64"},
          {"-m ttl --ttl-lt 5", "-m ttl --ttl-lt 5"},
          {"-m ttl --ttl-gt 255", "-m ttl --ttl-gt 255"},
          {"-m realm --realm 0", "-m realm --realm cosmos"},
          {"-m realm --realm cosmos", "-m realm --realm cosmos"},
          {"-m realm --realm 5/0xffffffff", "-m realm --realm 0x5"},
          {"-m realm ! --realm 5/7", "-m realm ! --realm 0x5/0x7"},
          {"-m realm --realm 0/0xff", "-m realm --realm 0x0/0xff"},
          {"-m iprange --src-range 1.1.1.1", "-m iprange --src-range 1.1.1.1-1.1.1.1"},
          {"-m iprange --src-range 1.1.1-1.2", "-m iprange --src-range 1.1.1.0-1.2.0.0"},
          {"-m iprange --dst-range 2.2.2.2-2.2.2.3 ! --src-range 1.1.1.1-1.1.1.2",
           "-m iprange ! --src-range 1.1.1.1-1.1.1.2 --dst-range 2.2.2.2-2.2.2.3"},
          // A reversed range loads (the kernel only warns) and never matches.
          {"-m iprange --src-range 1.1.1.10-1.1.1.1", "-m iprange --src-range 1.1.1.10-1.1.1.1"},
      },
      Family::kIPv4);
}

TEST_CASE("Header matches of both families save canonically", "[hdr]") {
  const std::vector<SaveCase> cases = {
      {"-m length --length 0x10:020", "-m length --length 16"},
      {"-m length --length 5:", "-m length --length 5:65535"},
      {"-m length ! --length :", "-m length ! --length 0:65535"},
      {"-m tos --tos minimize-delay", "-m tos --tos 0x10/0x3f"},
      {"-m tos --tos Maximize-Throughput", "-m tos --tos 0x08/0x3f"},
      {"-m tos --tos 0x10/0x10", "-m tos --tos 0x10/0x10"},
      {"-m tos ! --tos 5", "-m tos ! --tos 0x05/0xff"},
      {"-m dscp --dscp-class ef", "-m dscp --dscp 0x2e"},
      {"-m dscp --dscp-class EFX", "-m dscp --dscp 0x2e"},
      {"-m dscp --dscp-class AF11", "-m dscp --dscp 0x0a"},
      {"-m dscp ! --dscp-class cs7", "-m dscp ! --dscp 0x38"},
      {"-m dscp --dscp 010", "-m dscp --dscp 0x08"},
      {"-m ecn --ecn-ip-ect 3", "-m ecn --ecn-ip-ect 3"},
      {"-p tcp -m ecn --ecn-tcp-cwr ! --ecn-tcp-ece", "-p tcp -m ecn ! --ecn-tcp-ece --ecn-tcp-cwr"},
      {"-m pkttype --pkt-type host", "-m pkttype --pkt-type unicast"},
      {"-m pkttype --pkt-type BCAST", "-m pkttype --pkt-type broadcast"},
      {"-m pkttype ! --pkt-type mcast", "-m pkttype ! --pkt-type multicast"},
      {"-m pkttype --pkt-type otherhost", "-m pkttype --pkt-type otherhost"},
      {"-m mac --mac-source AA:BB:CC:DD:EE:0F", "-m mac --mac-source aa:bb:cc:dd:ee:0f"},
      {"-m mac ! --mac-source 00:11:22:33:44:55", "-m mac ! --mac-source 00:11:22:33:44:55"},
      {"-m addrtype --src-type loc", "-m addrtype --src-type LOCAL"},
      {"-m addrtype --src-type U", "-m addrtype --src-type UNSPEC"},
      {"-m addrtype ! --src-type local,UNSPEC ! --dst-type multicast",
       "-m addrtype ! --src-type UNSPEC,LOCAL ! --dst-type MULTICAST"},
      {"-m addrtype --limit-iface-in --dst-type LOCAL",
       "-m addrtype --dst-type LOCAL --limit-iface-in"},
      {"-m u32 ! --u32 \"6 & 0xFF = 6 && 0 >> 22 & 0x3C @ 0 >> 16 = 0x0:0x10,22\"",
       "-m u32 ! --u32 \"0x6&0xff=0x6&&0x0>>0x16&0x3c@0x0>>0x10=0x0:0x10,0x16\""},
      {"-m u32 --u32 \"0&0xffff<<2@4>>3=1:2\"", "-m u32 --u32 \"0x0&0xffff<<0x2@0x4>>0x3=0x1:0x2\""},
      {"-m u32 --u32 \" 0 = 1:0 \"", "-m u32 --u32 \"0x0=0x1:0x0\""},
      {"-m string --algo bm --string test", "-m string --string \"test\" --algo bm"},
      {"-m string --string \"a b\\\"c\" --algo bm", "-m string --string \"a b\\\"c\" --algo bm"},
      {"-m string --string \"it's\" --algo kmp", "-m string --string \"it's\" --algo kmp"},
      {"-m string --string \"ab\\\\\" --algo bm", "-m string --hex-string \"|61625c|\" --algo bm"},
      {"-m string --hex-string \"|41424344|\" --algo bm", "-m string --string \"ABCD\" --algo bm"},
      {"-m string --hex-string \"a|41 42|b|0a|\" --algo kmp --icase",
       "-m string --hex-string \"|614142620a|\" --algo kmp --icase"},
      {"-m string --hex-string \"a\\\\|41|\" --algo bm", "-m string --string \"a|41\" --algo bm"},
      {"-m string --hex-string \"|41|\\\\\" --algo bm", "-m string --hex-string \"|415c|\" --algo bm"},
      {"-m string --string x --algo bm --from 0 --to 65535", "-m string --string \"x\" --algo bm"},
      {"-m string --string x --algo bm --to 0", "-m string --string \"x\" --algo bm --to 0"},
      {"-m string ! --string x --algo kmp --from 5 --to 5",
       "-m string ! --string \"x\" --algo kmp --from 5 --to 5"},
  };
  CheckSaves(cases, Family::kIPv4);
  CheckSaves(cases, Family::kIPv6);
}

TEST_CASE("IPv6 header matches save canonically", "[hdr]") {
  CheckSaves(
      {
          {"-m hl --hl-eq 255", "-m hl --hl-eq 255"},
          {"-m hl ! --hl-eq 0", "-m hl ! --hl-eq 0"},
          {"-m hl --hl-lt 2", "-m hl --hl-lt 2"},
          {"-m iprange ! --src-range 2001:db8::1-2001:db8:0::10",
           "-m iprange ! --src-range 2001:db8::1-2001:db8::10"},
          {"-m iprange --dst-range 2001:db8::0:1", "-m iprange --dst-range 2001:db8::1-2001:db8::1"},
          {"-m addrtype --dst-type ANYCAST,UNICAST,UNREACHABLE",
           "-m addrtype --dst-type UNICAST,ANYCAST,UNREACHABLE"},
          {"-m frag --fragid :", "-m frag"},
          {"-m frag ! --fragid :", "-m frag ! --fragid 0:4294967295"},
          {"-m frag --fragid 3:3", "-m frag --fragid 3"},
          {"-m frag --fragid 0x10:", "-m frag --fragid 16:4294967295"},
          {"-m frag --fraglast ! --fraglen 42 --fragres ! --fragid 1 --fragfirst",
           "-m frag ! --fragid 1 ! --fraglen 42 --fragres --fragfirst --fraglast"},
          {"-m rt --rt-type 256", "-m rt --rt-type 256"},
          {"-m rt --rt-len 4294967295 --rt-segsleft 1:5", "-m rt --rt-segsleft 1:5 --rt-len 4294967295"},
          {"-m rt --rt-type 0 --rt-0-addrs ::1,2001:0db8::0005 --rt-0-res --rt-0-not-strict",
           "-m rt --rt-type 0 --rt-0-res --rt-0-addrs ::1,2001:db8::5 --rt-0-not-strict"},
          {"-m rt ! --rt-segsleft :", "-m rt ! --rt-segsleft 0:4294967295"},
          {"-m dst --dst-opts 1:255,2", "-m dst --dst-opts 1,2"},
          {"-m dst --dst-opts 256,1:256", "-m dst --dst-opts 0,1:0"},
          {"-m dst --dst-opts 0x10:0x20,-1", "-m dst --dst-opts 16:32,255"},
          {"-m dst ! --dst-len 0", "-m dst ! --dst-len 0"},
          {"-m hbh --hbh-opts 5 --hbh-len 1", "-m hbh --hbh-len 1 --hbh-opts 5"},
          {"-m hbh", "-m hbh"},
          {"-m ipv6header --header hop,dst,route,frag,auth,esp,none,prot",
           "-m ipv6header --header hop-by-hop,ipv6-opts,ipv6-route,ipv6-frag,ah,esp,ipv6-nonxt,protocol"},
          {"-m ipv6header ! --header 0,60 --soft", "-m ipv6header ! --header hop-by-hop,ipv6-opts --soft"},
          {"-m ipv6header --header ip,,IPSEC-ESP,", "-m ipv6header --header hop-by-hop,esp"},
          {"-m ipv6header --header 255", "-m ipv6header --header protocol"},
          {"-m eui64", "-m eui64"},
          {"-m srh", "-m srh"},
          {"-m srh --srh-psid a::", "-m srh --srh-psid a::/128"},
          {"-m srh --srh-psid a::1/64", "-m srh --srh-psid a::1/64"},
          {"-m srh --srh-psid a::/ffff::", "-m srh --srh-psid a::/16"},
          {"-m srh ! --srh-lsid c::/0", "-m srh ! --srh-lsid c::/0"},
          // One value per field: the last of -eq/-gt/-lt wins for all of them.
          {"-m srh --srh-hdr-len-lt 2 --srh-hdr-len-gt 1 ! --srh-hdr-len-eq 3",
           "-m srh ! --srh-hdr-len-eq 3 --srh-hdr-len-gt 3 --srh-hdr-len-lt 3"},
          {"-m srh --srh-last-entry-lt 1 --srh-segs-left-gt 1 --srh-next-hdr 3 --srh-tag 4 "
           "--srh-lsid ::1 --srh-nsid ::2 --srh-psid ::3",
           "-m srh --srh-next-hdr 3 --srh-segs-left-gt 1 --srh-last-entry-lt 1 --srh-tag 4 "
           "--srh-psid ::3/128 --srh-nsid ::2/128 --srh-lsid ::1/128"},
      },
      Family::kIPv6);
}

TEST_CASE("IPv4 header match errors", "[hdr]") {
  CheckErrors(
      {
          {"-m ttl", "t:2:10: error: -m ttl: one of '--ttl-eq', '--ttl-lt' or '--ttl-gt' is required"},
          {"-m ttl --ttl-eq -1", "t:2:26: error: -m ttl: invalid TTL value '-1' (must be 0..255)"},
          {"-m ttl --ttl-eq 256", "t:2:26: error: -m ttl: invalid TTL value '256' (must be 0..255)"},
          {"-m ttl ! --ttl-lt 5", "t:2:17: error: option '--ttl-lt' of -m ttl cannot be inverted"},
          {"-m ttl --ttl-eq 5 --ttl-gt 4",
           "t:2:28: error: -m ttl: option '--ttl-gt' cannot be used together with '--ttl-eq'"},
          {"-m ttl --ttl-eq 5 --ttl-eq 6",
           "t:2:28: error: -m ttl: option '--ttl-eq' may be given only once"},
          {"-m realm", "t:2:10: error: -m realm: '--realm VALUE[/MASK]' is required"},
          {"-m realm --realm cosmos/0xff",
           "t:2:27: error: -m realm: invalid realm 'cosmos/0xff' (expected VALUE[/MASK] as 32-bit "
           "numbers, or a realm name from /etc/iproute2/rt_realms)"},
          {"-m iprange --src-range ::1-::2",
           "t:2:33: error: -m iprange: invalid IPv4 address '::1' in range '::1-::2' (expected "
           "FROM[-TO])"
           "; '::1' is an IPv6 address, but this ruleset is IPv4 (-4 was given): load ip6tables-save output for IPv6 rules, or give -6"},
          {"-m iprange --src-range 1.1.1.1/24-1.1.1.5",
           "t:2:33: error: -m iprange: invalid IPv4 address '1.1.1.1/24' in range "
           "'1.1.1.1/24-1.1.1.5' (expected FROM[-TO])"},
          {"-m iprange --src-range 1.1.1.1-",
           "t:2:33: error: -m iprange: invalid IPv4 address '' in range '1.1.1.1-' (expected "
           "FROM[-TO])"},
          {"-m iprange", "t:2:10: error: -m iprange: '--src-range' or '--dst-range' is required"},
      },
      Family::kIPv4);
}

TEST_CASE("Header match errors of both families", "[hdr]") {
  const std::vector<ErrCase> cases = {
      {"-m length", "t:2:10: error: -m length: '--length MIN[:MAX]' is required"},
      {"-m length --length 0:65536",
       "t:2:29: error: -m length: invalid length '0:65536': '65536' is not a number in 0..65535"},
      {"-m length --length -1:65535",
       "t:2:29: error: -m length: invalid length '-1:65535': '-1' is not a number in 0..65535"},
      {"-m tos --tos 16/256", "t:2:23: error: -m tos: invalid TOS mask in '16/256' (must be 0..255)"},
      {"-m tos --tos wrong",
       "t:2:23: error: -m tos: invalid TOS 'wrong' (expected VALUE[/MASK] with 8-bit numbers, or "
       "Minimize-Delay, Maximize-Throughput, Maximize-Reliability, Minimize-Cost, Normal-Service)"},
      {"-m tos", "t:2:10: error: -m tos: '--tos VALUE[/MASK]' is required"},
      {"-m dscp --dscp 64", "t:2:25: error: -m dscp: invalid DSCP value '64' (must be 0..63)"},
      {"-m dscp --dscp 1 --dscp-class EF",
       "t:2:27: error: -m dscp: option '--dscp-class' cannot be used together with '--dscp'"},
      {"-m dscp --dscp-class LE",
       "t:2:31: error: -m dscp: invalid DSCP class 'LE' (expected CS0..CS7, BE, AF11..AF43 or EF)"},
      {"-m dscp", "t:2:10: error: -m dscp: '--dscp VALUE' or '--dscp-class CLASS' is required"},
      {"-m ecn", "t:2:10: error: -m ecn: one of '--ecn-tcp-cwr', '--ecn-tcp-ece' or "
                 "'--ecn-ip-ect' is required"},
      {"-m ecn --ecn-ip-ect 4", "t:2:30: error: -m ecn: invalid ECN codepoint '4' (must be 0..3)"},
      {"-m ecn --ecn-tcp-ece",
       "t:2:10: error: -m ecn: '--ecn-tcp-cwr' and '--ecn-tcp-ece' need '-p tcp' (the kernel "
       "cannot match TCP flags of non-TCP packets)"},
      {"! -p tcp -m ecn --ecn-tcp-cwr",
       "t:2:19: error: -m ecn: '--ecn-tcp-cwr' and '--ecn-tcp-ece' need '-p tcp' (the kernel "
       "cannot match TCP flags of non-TCP packets)"},
      {"-m pkttype --pkt-type outgoing",
       "t:2:32: error: -m pkttype: invalid packet type 'outgoing' (expected unicast, broadcast, "
       "multicast or otherhost)"},
      {"-m pkttype", "t:2:10: error: -m pkttype: '--pkt-type TYPE' is required"},
      {"-m mac --mac-source 42:01:02:03:04",
       "t:2:30: error: -m mac: invalid MAC address '42:01:02:03:04' (expected six hex bytes "
       "separated by ':')"},
      {"-m mac --mac-source 42-01-02-03-04-05",
       "t:2:30: error: -m mac: invalid MAC address '42-01-02-03-04-05' (expected six hex bytes "
       "separated by ':')"},
      {"-m mac", "t:2:10: error: -m mac: '--mac-source ADDRESS' is required"},
      {"-m addrtype", "t:2:10: error: -m addrtype: '--src-type' or '--dst-type' is required"},
      {"-m addrtype --limit-iface-in",
       "t:2:10: error: -m addrtype: '--src-type' or '--dst-type' is required"},
      {"-m addrtype --src-type wrong",
       "t:2:33: error: -m addrtype: unknown address type 'wrong' in 'wrong' (expected UNSPEC,"
       "UNICAST,LOCAL,BROADCAST,ANYCAST,MULTICAST,BLACKHOLE,UNREACHABLE,PROHIBIT,THROW,NAT,"
       "XRESOLVE)"},
      {"-m addrtype --src-type LOCAL,",
       "t:2:33: error: -m addrtype: unknown address type '' in 'LOCAL,' (expected UNSPEC,"
       "UNICAST,LOCAL,BROADCAST,ANYCAST,MULTICAST,BLACKHOLE,UNREACHABLE,PROHIBIT,THROW,NAT,"
       "XRESOLVE)"},
      {"-m addrtype --src-type LOCAL --limit-iface-in --limit-iface-out",
       "t:2:56: error: -m addrtype: option '--limit-iface-out' cannot be used together with "
       "'--limit-iface-in'"},
      {"-m addrtype --dst-type LOCAL --limit-iface-out",
       "t:2:10: error: -m addrtype: only valid in FORWARD, OUTPUT, POSTROUTING; this rule is "
       "reached from INPUT"},
      {"-m u32 --u32 \"0=\"",
       "t:2:23: error: -m u32: invalid u32 expression '0=': at character 2: a value is expected"},
      {"-m u32 --u32 \"=1\"",
       "t:2:23: error: -m u32: invalid u32 expression '=1': at character 0: a location is "
       "expected before '='"},
      {"-m u32 --u32 \"0=4294967296\"",
       "t:2:23: error: -m u32: invalid u32 expression '0=4294967296': at character 2: a 32-bit "
       "number is expected"},
      {"-m u32 --u32 \"0<1=2\"",
       "t:2:23: error: -m u32: invalid u32 expression '0<1=2': at character 1: a second '<' is "
       "expected"},
      {"-m u32 --u32 \"0=1,2,3,4,5,6,7,8,9,10,11\"",
       "t:2:23: error: -m u32: invalid u32 expression '0=1,2,3,4,5,6,7,8,9,10,11': at character "
       "23: too many values in one test (at most 10)"},
      {"-m u32 --u32 \"0&1&2&3&4&5&6&7&8&9&10=1\"",
       "t:2:23: error: -m u32: invalid u32 expression '0&1&2&3&4&5&6&7&8&9&10=1': at character "
       "20: too many operators in one location (at most 10 numbers)"},
      {"-m u32 --u32 \"0=1&&0=2&&0=3&&0=4&&0=5&&0=6&&0=7&&0=8&&0=9&&0=10&&0=11\"",
       "t:2:23: error: -m u32: invalid u32 expression "
       "'0=1&&0=2&&0=3&&0=4&&0=5&&0=6&&0=7&&0=8&&0=9&&0=10&&0=11': at character 51: too many "
       "tests joined with '&&' (at most 10)"},
      {"-m string", "t:2:10: error: -m string: '--string TEXT' or '--hex-string HEX' is required"},
      {"-m string --string x", "t:2:10: error: -m string: '--algo bm|kmp' is required"},
      {"-m string --string x --algo fsm",
       "t:2:38: error: -m string: unknown search algorithm 'fsm' (the kernel offers bm and kmp)"},
      {"-m string --string \"\" --algo bm",
       "t:2:10: error: -m string: the pattern is empty (the kernel refuses it)"},
      {"-m string --string x --algo bm --from 10 --to 5",
       "t:2:10: error: -m string: '--from 10' is beyond '--to 5'"},
      {"-m string --string x --hex-string y --algo bm",
       "t:2:31: error: -m string: option '--hex-string' cannot be used together with '--string'"},
      {"-m string --hex-string \"|4|\" --algo bm",
       "t:2:33: error: -m string: invalid hex string '|4|': unterminated or odd-length |hex| "
       "block"},
      {"-m string --hex-string \"|4g|\" --algo bm",
       "t:2:33: error: -m string: invalid hex string '|4g|': invalid hex digit 'g'"},
      {"-m string --hex-string \"ab\\\\\" --algo bm",
       "t:2:33: error: -m string: invalid hex string 'ab\\': '\\' at the end of the string has "
       "nothing to quote"},
      {"-m string --string "
       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx --algo bm",
       "t:2:29: error: -m string: string is too long (129 bytes; at most 128)"},
  };
  CheckErrors(cases, Family::kIPv4);
  CheckErrors(cases, Family::kIPv6);
}

TEST_CASE("IPv6 header match errors", "[hdr]") {
  CheckErrors(
      {
          {"-m hl", "t:2:10: error: -m hl: one of '--hl-eq', '--hl-lt' or '--hl-gt' is required"},
          {"-m hl --hl-gt 42 --hl-eq 42",
           "t:2:27: error: -m hl: option '--hl-eq' cannot be used together with '--hl-gt'"},
          {"-m ttl --ttl-eq 1",
           "t:2:13: error: unknown match 'ttl' for IPv6 (it exists only for the other family)"},
          {"-m addrtype --src-type BROADCAST",
           "t:2:10: error: -m addrtype: IPv6 has no BROADCAST address type"},
          {"-m addrtype --dst-type BLACKHOLE",
           "t:2:10: error: -m addrtype: IPv6 cannot match the BLACKHOLE address type"},
          {"-m addrtype --dst-type THROW",
           "t:2:10: error: -m addrtype: IPv6 cannot match the PROHIBIT, THROW, NAT and XRESOLVE "
           "address types"},
          {"-m iprange --src-range 1.2.3.4-1.2.3.5",
           "t:2:33: error: -m iprange: invalid IPv6 address '1.2.3.4' in range '1.2.3.4-1.2.3.5' "
           "(expected FROM[-TO])"
           "; '1.2.3.4' is an IPv4 address, but this ruleset is IPv6 (-6 was given): load iptables-save output for IPv4 rules, or give -4"},
          {"-m frag --fragid 1:2:3",
           "t:2:27: error: -m frag: invalid fragment id '1:2:3': too many ':' (expected N, N:M, N: "
           "or :M)"},
          {"-m frag --fraglast --fragmore",
           "t:2:29: error: -m frag: option '--fragmore' cannot be used together with '--fraglast'"},
          {"-m frag ! --fragres", "t:2:18: error: option '--fragres' of -m frag cannot be inverted"},
          {"-m rt --rt-0-res",
           "t:2:16: error: -m rt: '--rt-0-res' needs '--rt-type 0' (not inverted) before it"},
          {"-m rt ! --rt-type 0 --rt-0-addrs ::1",
           "t:2:30: error: -m rt: '--rt-0-addrs' needs '--rt-type 0' (not inverted) before it"},
          {"-m rt --rt-type 0 --rt-0-not-strict --rt-0-addrs ::1",
           "t:2:28: error: -m rt: '--rt-0-not-strict' needs '--rt-0-addrs' before it"},
          {"-m rt --rt-type 0 --rt-0-addrs ::1/64",
           "t:2:41: error: -m rt: invalid IPv6 address '::1/64' in '::1/64'"},
          {"-m rt --rt-type 0 --rt-0-addrs "
           "::1,::2,::3,::4,::5,::6,::7,::8,::9,::10,::11,::12,::13,::14,::15,::16,::17",
           "t:2:41: error: -m rt: too many addresses in "
           "'::1,::2,::3,::4,::5,::6,::7,::8,::9,::10,::11,::12,::13,::14,::15,::16,::17' (at most "
           "16)"},
          {"-m dst --dst-opts 0:5",
           "t:2:28: error: -m dst: option type 0 (Pad1) has no length in '0:5'"},
          {"-m dst --dst-opts 1,",
           "t:2:28: error: -m dst: invalid option type '' in '1,' (expected TYPE[:LENGTH],...)"},
          {"-m dst --dst-opts 1:2:3", "t:2:28: error: -m dst: invalid option length '2:3' in '1:2:3'"},
          {"-m hbh --hbh-opts 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17",
           "t:2:28: error: -m hbh: too many options in '1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17' "
           "(at most 16)"},
          {"-m hbh ! --hbh-opts 1", "t:2:17: error: option '--hbh-opts' of -m hbh cannot be inverted"},
          {"-m ipv6header --soft",
           "t:2:10: error: -m ipv6header: '--header HEADER[,HEADER...]' is required"},
          {"-m ipv6header --header 060",
           "t:2:33: error: -m ipv6header: unknown extension header '060' (expected hop-by-hop, "
           "ipv6-opts, ipv6-route, ipv6-frag, ah, esp, ipv6-nonxt or protocol)"},
          {"-m ipv6header --header ipv6-icmp",
           "t:2:33: error: -m ipv6header: unknown extension header 'ipv6-icmp' (expected "
           "hop-by-hop, ipv6-opts, ipv6-route, ipv6-frag, ah, esp, ipv6-nonxt or protocol)"},
          {"-m ipv6header --header ,", "t:2:33: error: -m ipv6header: no header names in ','"},
          {"-m srh --srh-tag 65536", "t:2:27: error: -m srh: invalid tag '65536' (must be 0..65535)"},
          {"-m srh --srh-psid a::/129",
           "t:2:28: error: -m srh: invalid segment ID 'a::/129' (expected "
           "IPV6-ADDRESS[/PREFIX-LENGTH])"},
          {"-m srh --srh-tag 1 --srh-tag 2",
           "t:2:29: error: -m srh: option '--srh-tag' may be given only once"},
      },
      Family::kIPv6);
}

TEST_CASE("Header matches: kernel hook restrictions", "[hdr]") {
  CHECK(FirstLine(Load("-m mac --mac-source 42:01:02:03:04:05", "filter", "OUTPUT")) ==
        "ERROR: t:2:11: error: -m mac: only valid in PREROUTING, INPUT, FORWARD; this rule is "
        "reached from OUTPUT");
  CHECK(Load("-m mac --mac-source 42:01:02:03:04:05", "mangle", "PREROUTING") ==
        "-A PREROUTING -m mac --mac-source 42:01:02:03:04:05");
  CHECK(FirstLine(Load("-m realm --realm 1", "mangle", "PREROUTING")) ==
        "ERROR: t:2:15: error: -m realm: only valid in INPUT, FORWARD, OUTPUT, POSTROUTING; this "
        "rule is reached from PREROUTING");
  CHECK(Load("-m realm --realm 1", "nat", "POSTROUTING") == "-A POSTROUTING -m realm --realm 0x1");
  CHECK(Load("-m addrtype --src-type LOCAL --limit-iface-out", "filter", "OUTPUT") ==
        "-A OUTPUT -m addrtype --src-type LOCAL --limit-iface-out");
  CHECK(FirstLine(Load("-m addrtype --dst-type LOCAL --limit-iface-in", "nat", "POSTROUTING")) ==
        "ERROR: t:2:16: error: -m addrtype: only valid in PREROUTING, INPUT, FORWARD; this rule "
        "is reached from POSTROUTING");
  // A user chain is checked by the hooks that reach it; unreachable, anything goes.
  CHECK(Load("-m mac --mac-source 42:01:02:03:04:05", "filter", "USER") ==
        "-A USER -m mac --mac-source 42:01:02:03:04:05");
  CHECK(Load("-m eui64", "raw", "PREROUTING", Family::kIPv6) == "-A PREROUTING -m eui64");
  CHECK(FirstLine(Load("-m eui64", "mangle", "POSTROUTING", Family::kIPv6)) ==
        "ERROR: t:2:16: error: -m eui64: only valid in PREROUTING, INPUT, FORWARD; this rule is "
        "reached from POSTROUTING");
}
