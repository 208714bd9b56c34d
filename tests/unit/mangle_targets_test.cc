// Mangle targets and simple matches: TOS, DSCP, TTL, HL, ECN, CLASSIFY,
// CHECKSUM, HMARK, IDLETIMER, LED, AUDIT, SYNPROXY, TRACE, TCPMSS,
// TCPOPTSTRIP.  Parse + canonical save (checked against iptables 1.8.9), and
// the errors iptables or the kernel would give.
#include <catch2/catch.hpp>

#include "tests/unit/test_util.h"

using iptsim::Family;

namespace {

using iptsim::testing::CheckPlacedErrors;
using iptsim::testing::CheckPlacedSaves;
using iptsim::testing::Load;

constexpr Family k4 = Family::kIPv4;
constexpr Family k6 = Family::kIPv6;

}  // namespace

TEST_CASE("TOS, DSCP, TTL, HL: parse and canonical save", "[mangle]") {
  CheckPlacedSaves({
      {"mangle", "PREROUTING", k4, "-j TOS --set-tos 0x1f", "-j TOS --set-tos 0x1f/0xff"},
      {"mangle", "PREROUTING", k4, "-j TOS --set-tos 0xff", "-j TOS --set-tos 0xff/0xff"},
      {"mangle", "PREROUTING", k4, "-j TOS --set-tos 0x1f/077", "-j TOS --set-tos 0x1f/0x3f"},
      {"mangle", "PREROUTING", k4, "-j TOS --set-tos minimize-delay", "-j TOS --set-tos 0x10/0x3f"},
      {"mangle", "PREROUTING", k4, "-j TOS --set-tos Maximize-Throughput",
       "-j TOS --set-tos 0x08/0x3f"},
      {"mangle", "OUTPUT", k6, "-j TOS --and-tos 0x12", "-j TOS --set-tos 0x00/0xed"},
      {"mangle", "OUTPUT", k4, "-j TOS --or-tos 0x12", "-j TOS --set-tos 0x12/0x12"},
      {"mangle", "OUTPUT", k4, "-j TOS --xor-tos 3", "-j TOS --set-tos 0x03/0x00"},
      {"mangle", "FORWARD", k4, "-j DSCP --set-dscp 077", "-j DSCP --set-dscp 0x3f"},
      {"mangle", "FORWARD", k4, "-j DSCP --set-dscp-class EF", "-j DSCP --set-dscp 0x2e"},
      {"mangle", "FORWARD", k6, "-j DSCP --set-dscp-class af41", "-j DSCP --set-dscp 0x22"},
      {"mangle", "FORWARD", k4, "-j DSCP --set-dscp-class AF111", "-j DSCP --set-dscp 0x0a"},
      {"mangle", "FORWARD", k4, "-j DSCP --set-dscp-class be", "-j DSCP --set-dscp 0x00"},
      {"mangle", "PREROUTING", k4, "-j TTL --ttl-set 0", "-j TTL --ttl-set 0"},
      {"mangle", "PREROUTING", k4, "-j TTL --ttl-inc 0xff", "-j TTL --ttl-inc 255"},
      {"mangle", "PREROUTING", k4, "-j TTL --ttl-dec 1", "-j TTL --ttl-dec 1"},
      {"mangle", "POSTROUTING", k6, "-j HL --hl-set 64", "-j HL --hl-set 64"},
      {"mangle", "POSTROUTING", k6, "-j HL --hl-dec 2", "-j HL --hl-dec 2"},
  });
}

TEST_CASE("TOS, DSCP, TTL, HL: errors", "[mangle]") {
  CheckPlacedErrors({
      {"mangle", "PREROUTING", k4, "-j TOS --set-tos 0x10/",
       "t:2:32: error: -j TOS: invalid TOS value '0x10/' (expected VALUE[/MASK], numbers "
       "0..255, or a name)"},
      {"mangle", "PREROUTING", k4, "-j TOS --set-tos 256",
       "t:2:32: error: -j TOS: unknown TOS name '256' (use a number 0..255 or one of "
       "Minimize-Delay, Maximize-Throughput, Maximize-Reliability, Minimize-Cost, "
       "Normal-Service)"},
      {"mangle", "PREROUTING", k4, "-j TOS --and-tos 3 --or-tos 4",
       "t:2:34: error: -j TOS: '--and-tos' and '--or-tos' cannot be used together (one action "
       "per rule)"},
      {"mangle", "PREROUTING", k4, "-j TOS --set-tos 1 --set-tos 2",
       "t:2:34: error: -j TOS: only one '--set-tos' allowed"},
      {"mangle", "PREROUTING", k4, "-j TOS",
       "t:2:15: error: -j TOS: an action is required: --set-tos, --and-tos, --or-tos or "
       "--xor-tos"},
      {"filter", "INPUT", k4, "-j TOS --set-tos 1",
       "t:2:10: error: -j TOS: target is only valid in the mangle table, not in 'filter'"},
      {"mangle", "PREROUTING", k4, "-j DSCP --set-dscp 0x40",
       "t:2:34: error: -j DSCP: invalid DSCP value '0x40' (must be 0..63)"},
      {"mangle", "PREROUTING", k4, "-j DSCP --set-dscp -1",
       "t:2:34: error: -j DSCP: invalid DSCP value '-1' (must be 0..63)"},
      {"mangle", "PREROUTING", k4, "-j DSCP --set-dscp-class cs8",
       "t:2:40: error: -j DSCP: unknown DSCP class 'cs8' (use CS0..CS7, AF11..AF13, "
       "AF21..AF23, AF31..AF33, AF41..AF43, EF or BE)"},
      {"mangle", "PREROUTING", k4, "-j DSCP --set-dscp 0x3f --set-dscp-class CS0",
       "t:2:39: error: -j DSCP: '--set-dscp' and '--set-dscp-class' cannot be used together"},
      {"mangle", "PREROUTING", k4, "-j DSCP",
       "t:2:15: error: -j DSCP: '--set-dscp VALUE' or '--set-dscp-class CLASS' is required"},
      {"mangle", "PREROUTING", k4, "-j TTL --ttl-set 256",
       "t:2:32: error: -j TTL: invalid TTL value '256' (must be 0..255)"},
      {"mangle", "PREROUTING", k4, "-j TTL --ttl-inc 0",
       "t:2:32: error: -j TTL: invalid TTL increment '0' (must be 1..255)"},
      {"mangle", "PREROUTING", k4, "-j TTL --ttl-dec 1 --ttl-inc 1",
       "t:2:34: error: -j TTL: only one of --ttl-set, --ttl-dec and --ttl-inc allowed"},
      {"mangle", "PREROUTING", k4, "-j TTL --ttl-set --ttl-inc 1",
       "t:2:32: error: -j TTL: invalid TTL value '--ttl-inc' (must be 0..255)"},
      {"mangle", "PREROUTING", k4, "-j TTL",
       "t:2:15: error: -j TTL: one of --ttl-set, --ttl-dec or --ttl-inc is required"},
      {"mangle", "PREROUTING", k6, "-j HL --hl-dec 0",
       "t:2:30: error: -j HL: invalid hop limit decrement '0' (must be 1..255)"},
      {"raw", "PREROUTING", k6, "-j HL --hl-set 3",
       "t:2:15: error: -j HL: target is only valid in the mangle table, not in 'raw'"},
  });
}

TEST_CASE("ECN, CLASSIFY, CHECKSUM, TRACE: parse, save and errors", "[mangle]") {
  CheckPlacedSaves({
      {"mangle", "POSTROUTING", k4, "-p tcp -j ECN --ecn-tcp-remove",
       "-p tcp -j ECN --ecn-tcp-remove"},
      {"mangle", "POSTROUTING", k4, "-p tcp -j ECN --ecn-tcp-cwr 0 --ecn-tcp-ece 0",
       "-p tcp -j ECN --ecn-tcp-remove"},
      {"mangle", "POSTROUTING", k4, "-p tcp -j ECN --ecn-tcp-cwr 0 --ecn-tcp-ece 1 --ecn-ip-ect 2",
       "-p tcp -j ECN --ecn-tcp-ece 1 --ecn-tcp-cwr 0 --ecn-ip-ect 2"},
      {"mangle", "POSTROUTING", k4, "-p tcp -j ECN --ecn-tcp-remove --ecn-ip-ect 1",
       "-p tcp -j ECN --ecn-tcp-ece 0 --ecn-tcp-cwr 0 --ecn-ip-ect 1"},
      // --ecn-tcp-remove replaces the operation, as in iptables.
      {"mangle", "POSTROUTING", k4, "-p tcp -j ECN --ecn-ip-ect 1 --ecn-tcp-remove",
       "-p tcp -j ECN --ecn-tcp-remove"},
      {"mangle", "PREROUTING", k4, "-j ECN --ecn-ip-ect 0x3", "-j ECN --ecn-ip-ect 3"},
      {"mangle", "POSTROUTING", k4, "-j CLASSIFY --set-class 1:2",
       "-j CLASSIFY --set-class 0001:0002"},
      {"mangle", "OUTPUT", k6, "-j CLASSIFY --set-class 0x10:ffffffff",
       "-j CLASSIFY --set-class 0010:ffff"},
      {"mangle", "FORWARD", k4, "-j CLASSIFY --set-class 1:-1", "-j CLASSIFY --set-class 0001:ffff"},
      {"mangle", "FORWARD", k4, "-j CLASSIFY --set-class 10000:1",
       "-j CLASSIFY --set-class 0000:0001"},
      {"mangle", "INPUT", k4, "-p udp -j CHECKSUM --checksum-fill",
       "-p udp -j CHECKSUM --checksum-fill"},
      {"raw", "OUTPUT", k6, "-j TRACE", "-j TRACE"},
  });
  CheckPlacedErrors({
      {"mangle", "POSTROUTING", k4, "-j ECN",
       "t:2:16: error: -j ECN: an operation is required: --ecn-tcp-remove, --ecn-tcp-cwr, "
       "--ecn-tcp-ece or --ecn-ip-ect"},
      {"mangle", "POSTROUTING", k4, "-j ECN --ecn-tcp-remove",
       "t:2:16: error: -j ECN: the TCP operations (--ecn-tcp-remove, --ecn-tcp-cwr, "
       "--ecn-tcp-ece) need '-p tcp'"},
      {"mangle", "POSTROUTING", k4, "! -p tcp -j ECN --ecn-tcp-cwr 1",
       "t:2:25: error: -j ECN: the TCP operations (--ecn-tcp-remove, --ecn-tcp-cwr, "
       "--ecn-tcp-ece) need '-p tcp'"},
      {"mangle", "POSTROUTING", k4, "-p tcp -j ECN --ecn-tcp-cwr 2",
       "t:2:44: error: -j ECN: invalid CWR value '2' (must be 0..1)"},
      {"mangle", "POSTROUTING", k4, "-j ECN --ecn-ip-ect 4",
       "t:2:36: error: -j ECN: invalid ECT codepoint '4' (must be 0..3)"},
      {"mangle", "POSTROUTING", k4, "-p tcp -j ECN --ecn-tcp-remove --ecn-tcp-cwr 1",
       "t:2:47: error: -j ECN: '--ecn-tcp-cwr' cannot be used together with '--ecn-tcp-remove'"},
      {"mangle", "POSTROUTING", k4, "-p tcp -j ECN --ecn-tcp-ece 1 --ecn-tcp-remove",
       "t:2:46: error: -j ECN: '--ecn-tcp-remove' cannot be used together with '--ecn-tcp-ece'"},
      {"filter", "INPUT", k4, "-j ECN --ecn-ip-ect 1",
       "t:2:10: error: -j ECN: target is only valid in the mangle table, not in 'filter'"},
      {"mangle", "POSTROUTING", k4, "-j CLASSIFY --set-class 10",
       "t:2:40: error: -j CLASSIFY: invalid class '10' (expected MAJOR:MINOR in hexadecimal)"},
      {"mangle", "POSTROUTING", k4, "-j CLASSIFY",
       "t:2:16: error: -j CLASSIFY: '--set-class MAJOR:MINOR' is required"},
      {"mangle", "PREROUTING", k4, "-j CLASSIFY --set-class 1:1",
       "t:2:15: error: -j CLASSIFY: only valid in FORWARD, OUTPUT, POSTROUTING; this rule is "
       "reached from PREROUTING"},
      {"mangle", "POSTROUTING", k4, "-j CHECKSUM",
       "t:2:16: error: -j CHECKSUM: '--checksum-fill' is required"},
      {"filter", "INPUT", k4, "-j TRACE",
       "t:2:10: error: -j TRACE: target is only valid in the raw table, not in 'filter'"},
      {"raw", "OUTPUT", k4, "-j TRACE --foo", "t:2:20: error: unknown option '--foo'"},
  });
}

TEST_CASE("HMARK: parse, save and errors", "[mangle]") {
  CheckPlacedSaves({
      {"filter", "INPUT", k4,
       "-j HMARK --hmark-src-prefix 32 --hmark-dst-prefix 32 --hmark-sport-mask 0xffff "
       "--hmark-dport-mask 0xffff --hmark-proto-mask 0xffff --hmark-rnd 0x00000004 --hmark-mod "
       "42 --hmark-offset 1 --hmark-tuple ct",
       "-j HMARK --hmark-src-prefix 32 --hmark-dst-prefix 32 --hmark-sport-mask 0xffff "
       "--hmark-dport-mask 0xffff --hmark-proto-mask 0xffff --hmark-rnd 0x00000004 --hmark-mod "
       "42 --hmark-offset 1 --hmark-tuple ct"},
      {"filter", "INPUT", k4, "-j HMARK --hmark-mod 42 --hmark-rnd 1 --hmark-tuple s,d,sp,dp,p,ct",
       "-j HMARK --hmark-src-prefix 32 --hmark-dst-prefix 32 --hmark-sport-mask 0xffff "
       "--hmark-dport-mask 0xffff --hmark-proto-mask 0xffff --hmark-rnd 0x00000001 --hmark-mod "
       "42 --hmark-tuple ct"},
      {"filter", "INPUT", k4, "-j HMARK --hmark-mod 4 --hmark-rnd 1 --hmark-tuple SRC,spi",
       "-j HMARK --hmark-src-prefix 32 --hmark-spi-mask 0xffffffff --hmark-rnd 0x00000001 "
       "--hmark-mod 4"},
      {"filter", "INPUT", k6, "-j HMARK --hmark-mod 1 --hmark-rnd 1 --hmark-src-prefix 64 "
       "--hmark-tuple dst",
       "-j HMARK --hmark-src-prefix 64 --hmark-dst-prefix 128 --hmark-rnd 0x00000001 "
       "--hmark-mod 1"},
      // Netmasks; iptables turns a non-contiguous or out-of-range one into a full mask.
      {"filter", "INPUT", k4, "-j HMARK --hmark-mod 1 --hmark-rnd 1 --hmark-src-prefix 255.255.0.0",
       "-j HMARK --hmark-src-prefix 16 --hmark-rnd 0x00000001 --hmark-mod 1"},
      {"filter", "INPUT", k4, "-j HMARK --hmark-mod 1 --hmark-rnd 1 --hmark-src-prefix 33",
       "-j HMARK --hmark-src-prefix 32 --hmark-rnd 0x00000001 --hmark-mod 1"},
      {"filter", "INPUT", k6, "-j HMARK --hmark-mod 1 --hmark-rnd 1 --hmark-src-prefix ffff:ff00::",
       "-j HMARK --hmark-src-prefix 24 --hmark-rnd 0x00000001 --hmark-mod 1"},
      {"filter", "INPUT", k4, "-j HMARK --hmark-mod 1 --hmark-rnd 1 --hmark-sport 5 "
       "--hmark-dport 3 --hmark-offset 0x10 --hmark-proto-mask 3",
       "-j HMARK --hmark-sport 0x0005 --hmark-dport 0x0003 --hmark-proto-mask 0x03 --hmark-rnd "
       "0x00000001 --hmark-mod 1 --hmark-offset 16"},
  });
  CheckPlacedErrors({
      {"filter", "INPUT", k4, "-j HMARK", "t:2:10: error: -j HMARK: '--hmark-mod N' is required"},
      {"filter", "INPUT", k4, "-j HMARK --hmark-mod 42",
       "t:2:10: error: -j HMARK: '--hmark-rnd VALUE' is required"},
      {"filter", "INPUT", k4, "-j HMARK --hmark-mod 42 --hmark-rnd 1",
       "t:2:10: error: -j HMARK: nothing to hash: give --hmark-tuple or at least one of the "
       "prefix/mask/port/spi options"},
      {"filter", "INPUT", k4, "-j HMARK --hmark-mod 42 --hmark-rnd 1 --hmark-tuple spi,sport",
       "t:2:10: error: -j HMARK: an SPI mask (--hmark-spi-mask or tuple 'spi') cannot be "
       "combined with port masks (--hmark-sport-mask/--hmark-dport-mask or tuple "
       "'sport'/'dport')"},
      {"filter", "INPUT", k4, "-j HMARK --hmark-mod 1 --hmark-rnd 1 --hmark-tuple ct,",
       "t:2:61: error: -j HMARK: invalid --hmark-tuple 'ct,' at '' (a comma-separated list of "
       "ct, src, dst, sport, dport, proto, spi)"},
      {"filter", "INPUT", k4, "-j HMARK --hmark-mod 1 --hmark-rnd 1 --hmark-tuple src,x",
       "t:2:61: error: -j HMARK: invalid --hmark-tuple 'src,x' at 'x' (a comma-separated list "
       "of ct, src, dst, sport, dport, proto, spi)"},
      {"filter", "INPUT", k4, "-j HMARK --hmark-mod 0 --hmark-rnd 1 --hmark-tuple ct",
       "t:2:31: error: -j HMARK: invalid mod '0' (must be 1..4294967295)"},
      {"filter", "INPUT", k4, "-j HMARK --hmark-mod 1 --hmark-rnd 1 --hmark-tuple src "
       "--hmark-src-prefix 24",
       "t:2:65: error: -j HMARK: only one '--hmark-src-prefix' allowed (--hmark-tuple already "
       "set it)"},
      {"filter", "INPUT", k4, "-j HMARK --hmark-mod 1 --hmark-rnd 1 --hmark-src-prefix abc",
       "t:2:66: error: -j HMARK: invalid prefix 'abc' (a length 0..32 or a netmask)"},
      {"filter", "INPUT", k6, "-j HMARK --hmark-mod 1 --hmark-rnd 1 --hmark-src-prefix 129",
       "t:2:66: error: -j HMARK: invalid prefix '129' (a length 0..128 or a netmask)"},
      {"filter", "INPUT", k4, "-j HMARK --hmark-mod 1 --hmark-rnd 1 --hmark-spi 5 --hmark-sport 3",
       "t:2:10: error: -j HMARK: the kernel refuses --hmark-spi together with --hmark-sport or "
       "--hmark-dport"},
  });
}

TEST_CASE("IDLETIMER, LED, AUDIT: parse, save and errors", "[mangle]") {
  CheckPlacedSaves({
      {"filter", "INPUT", k4, "-j IDLETIMER --timeout 42 --label bar --alarm",
       "-j IDLETIMER --timeout 42 --label bar --alarm"},
      {"filter", "FORWARD", k6, "-j IDLETIMER --alarm --label x --timeout 0x10",
       "-j IDLETIMER --timeout 16 --label x --alarm"},
      // iptables cuts the label to 27 characters.
      {"filter", "INPUT", k4, "-j IDLETIMER --timeout 1 --label abcdefghijklmnopqrstuvwxyz01",
       "-j IDLETIMER --timeout 1 --label abcdefghijklmnopqrstuvwxyz0"},
      {"filter", "INPUT", k4, "-j LED --led-trigger-id \"foo\" --led-delay 42 --led-always-blink",
       "-j LED --led-trigger-id \"foo\" --led-delay 42 --led-always-blink"},
      {"filter", "INPUT", k6, "-j LED --led-trigger-id ssh --led-delay 0",
       "-j LED --led-trigger-id \"ssh\""},
      {"filter", "INPUT", k4, "-j AUDIT --type ACCEPT", "-j AUDIT --type accept"},
      {"raw", "PREROUTING", k4, "-j AUDIT --type Drop", "-j AUDIT --type drop"},
  });
  // iptables-save prints an infinite delay as -1, which it cannot read back.
  CHECK(Load("-j LED --led-trigger-id \"a\\\"b\" --led-delay inf") ==
        "-A INPUT -j LED --led-trigger-id \"a\\\"b\" --led-delay -1");
  CheckPlacedErrors({
      {"filter", "INPUT", k4, "-j IDLETIMER --timeout",
       "t:2:23: error: -j IDLETIMER: option '--timeout' requires an argument"},
      {"filter", "INPUT", k4, "-j IDLETIMER --timeout 42",
       "t:2:10: error: -j IDLETIMER: '--label NAME' is required"},
      {"filter", "INPUT", k4, "-j IDLETIMER --label x",
       "t:2:10: error: -j IDLETIMER: '--timeout SECONDS' is required"},
      {"filter", "INPUT", k4, "-j IDLETIMER --timeout 0 --label x",
       "t:2:10: error: -j IDLETIMER: the kernel refuses a timeout of 0 seconds"},
      {"filter", "INPUT", k4, "-j IDLETIMER --timeout 2147483 --label x",
       "t:2:10: error: -j IDLETIMER: the kernel refuses timeout 2147483 (at most 2147482 "
       "seconds)"},
      {"filter", "INPUT", k4, "-j IDLETIMER --timeout 1 --label power",
       "t:2:10: error: -j IDLETIMER: the kernel refuses label 'power': it cannot be a file in "
       "/sys/class/xt_idletimer/timers"},
      {"filter", "INPUT", k4, "-j IDLETIMER --timeout 1 --label \"\"",
       "t:2:10: error: -j IDLETIMER: the kernel refuses an empty label"},
      {"filter", "INPUT", k4, "-j LED",
       "t:2:10: error: -j LED: '--led-trigger-id NAME' is required"},
      {"filter", "INPUT", k4, "-j LED --led-trigger-id abcdefghijklmnopq",
       "t:2:34: error: -j LED: trigger id 'abcdefghijklmnopq' is too long (17 characters; at "
       "most 16)"},
      {"filter", "INPUT", k4, "-j LED --led-trigger-id a --led-delay soon",
       "t:2:48: error: -j LED: invalid delay 'soon' (milliseconds 0..4294967295, or inf)"},
      {"filter", "INPUT", k4, "-j AUDIT", "t:2:10: error: -j AUDIT: '--type accept|drop|reject' is required"},
      {"filter", "INPUT", k4, "-j AUDIT --type wrong",
       "t:2:26: error: -j AUDIT: invalid audit type 'wrong' (must be accept, drop or reject)"},
  });
}

TEST_CASE("SYNPROXY, TCPMSS, TCPOPTSTRIP: parse, save and kernel checks", "[mangle]") {
  CheckPlacedSaves({
      {"filter", "INPUT", k4, "-p tcp -j SYNPROXY --ecn --mss 3 --wscale 2 --timestamp --sack-perm",
       "-p tcp -j SYNPROXY --sack-perm --timestamp --wscale 2 --mss 3 --ecn"},
      // iptables keeps the low 8 / 16 bits.
      {"filter", "FORWARD", k6, "-p tcp -j SYNPROXY --wscale 256 --mss 4294967295",
       "-p tcp -j SYNPROXY --wscale 0 --mss 65535"},
      {"mangle", "FORWARD", k4, "-p tcp -j SYNPROXY", "-p tcp -j SYNPROXY"},
      {"mangle", "FORWARD", k4, "-p tcp --syn -j TCPMSS --set-mss 42",
       "-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j TCPMSS --set-mss 42"},
      {"filter", "OUTPUT", k4, "-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu",
       "-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu"},
      {"mangle", "INPUT", k4, "-p tcp -m tcp --tcp-flags ACK SYN -j TCPMSS --set-mss 65515",
       "-p tcp -m tcp --tcp-flags ACK SYN -j TCPMSS --set-mss 65515"},
      {"mangle", "POSTROUTING", k6, "-p tcp -m tcp --dport 22 -m tcp --syn -j TCPMSS --set-mss 65495",
       "-p tcp -m tcp --dport 22 -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j TCPMSS --set-mss "
       "65495"},
      // Both options: the last one counts (iptables 1.8.9).
      {"mangle", "FORWARD", k4, "-p tcp --syn -j TCPMSS --set-mss 42 --clamp-mss-to-pmtu",
       "-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j TCPMSS --clamp-mss-to-pmtu"},
      {"mangle", "PREROUTING", k4, "-p tcp -j TCPOPTSTRIP", "-p tcp -j TCPOPTSTRIP"},
      {"mangle", "PREROUTING", k6,
       "-p tcp -j TCPOPTSTRIP --strip-options md5,mss,wscale,sack-permitted,sack,timestamp,0x1e",
       "-p tcp -j TCPOPTSTRIP --strip-options 2,3,4,5,8,19,30"},
  });
  CheckPlacedErrors({
      {"filter", "INPUT", k4, "-j SYNPROXY --mss 1460",
       "t:2:10: error: -j SYNPROXY: needs '-p tcp' (this rule has no -p)"},
      {"filter", "OUTPUT", k4, "-p tcp -j SYNPROXY",
       "t:2:18: error: -j SYNPROXY: only valid in INPUT, FORWARD; this rule is reached from OUTPUT"},
      {"filter", "INPUT", k4, "-p tcp -j SYNPROXY --timestamp --timestamp",
       "t:2:41: error: -j SYNPROXY: only one '--timestamp' allowed"},
      {"filter", "INPUT", k4, "-p tcp -j SYNPROXY --mss 4294967296",
       "t:2:35: error: -j SYNPROXY: invalid MSS '4294967296' (must be 0..4294967295)"},
      {"mangle", "FORWARD", k4, "-p tcp -j TCPMSS --set-mss 42",
       "t:2:19: error: -j TCPMSS: only works on TCP SYN packets: the rule needs a tcp match "
       "whose --tcp-flags compare value includes SYN (e.g. '-m tcp --tcp-flags SYN,RST SYN' or "
       "'--syn')"},
      {"mangle", "FORWARD", k4, "-p tcp ! --syn -j TCPMSS --set-mss 42",
       "t:2:27: error: -j TCPMSS: only works on TCP SYN packets: the rule needs a tcp match "
       "whose --tcp-flags compare value includes SYN (e.g. '-m tcp --tcp-flags SYN,RST SYN' or "
       "'--syn')"},
      {"mangle", "FORWARD", k4, "-p tcp -m tcp --tcp-flags SYN NONE -j TCPMSS --set-mss 42",
       "t:2:47: error: -j TCPMSS: only works on TCP SYN packets: the rule needs a tcp match "
       "whose --tcp-flags compare value includes SYN (e.g. '-m tcp --tcp-flags SYN,RST SYN' or "
       "'--syn')"},
      {"mangle", "INPUT", k4, "-p tcp --syn -j TCPMSS --clamp-mss-to-pmtu",
       "t:2:23: error: -j TCPMSS: only valid in FORWARD, OUTPUT, POSTROUTING; this rule is "
       "reached from INPUT"},
      {"mangle", "FORWARD", k4, "-p udp -j TCPMSS --set-mss 42",
       "t:2:19: error: -j TCPMSS: needs '-p tcp' (this rule has '-p udp')"},
      {"mangle", "FORWARD", k4, "-p tcp --syn -j TCPMSS",
       "t:2:25: error: -j TCPMSS: '--set-mss VALUE' or '--clamp-mss-to-pmtu' is required"},
      {"mangle", "FORWARD", k4, "-p tcp --syn -j TCPMSS --set-mss 65516",
       "t:2:45: error: -j TCPMSS: invalid MSS '65516' (must be 0..65515)"},
      {"mangle", "FORWARD", k6, "-p tcp --syn -j TCPMSS --set-mss 65496",
       "t:2:45: error: -j TCPMSS: invalid MSS '65496' (must be 0..65495)"},
      {"mangle", "PREROUTING", k4, "-j TCPOPTSTRIP",
       "t:2:15: error: -j TCPOPTSTRIP: needs '-p tcp' (this rule has no -p)"},
      {"filter", "INPUT", k4, "-p tcp -j TCPOPTSTRIP",
       "t:2:17: error: -j TCPOPTSTRIP: target is only valid in the mangle table, not in 'filter'"},
      {"mangle", "PREROUTING", k4, "-p tcp -j TCPOPTSTRIP --strip-options 1,2",
       "t:2:53: error: -j TCPOPTSTRIP: TCP option 1 (end of list / NOP) cannot be stripped"},
      {"mangle", "PREROUTING", k4, "-p tcp -j TCPOPTSTRIP --strip-options 7,3,3",
       "t:2:53: error: -j TCPOPTSTRIP: TCP option '3' is listed twice"},
      {"mangle", "PREROUTING", k4, "-p tcp -j TCPOPTSTRIP --strip-options 3,",
       "t:2:53: error: -j TCPOPTSTRIP: unknown TCP option '' (a number 2..255, or mss, wscale, "
       "sack-permitted, sack, timestamp, md5)"},
      {"mangle", "PREROUTING", k4, "-p tcp -j TCPOPTSTRIP --strip-options MSS",
       "t:2:53: error: -j TCPOPTSTRIP: unknown TCP option 'MSS' (a number 2..255, or mss, "
       "wscale, sack-permitted, sack, timestamp, md5)"},
  });
}
