// Evaluate of the header and L4 matches (dccp sctp multiport icmp icmp6 ah
// esp ipcomp mh tcpmss length tos dscp ecn ttl hl pkttype mac iprange frag
// hbh dst rt ipv6header eui64 u32 string realm addrtype).  Expected results
// follow the kernel functions named in each section.
#include <catch2/catch.hpp>

#include <sstream>

#include "engine/eval.h"
#include "engine/packet_builder.h"
#include "loader/loader.h"
#include "loader/packet_spec.h"
#include "engine/extension.h"
#include "tests/unit/test_util.h"

using iptsim::Family;
using iptsim::Tri;
using iptsim::testing::PacketFromText;

namespace {

struct Result {
  Tri tri = Tri::kUnknown;
  bool hotdrop = false;
  std::string reason;
};

// Loads "-A CHAIN <rule>" and evaluates the rule's last match on the packet.
Result EvalPacket(const std::string& rule, const iptsim::Packet& p, Family fam = Family::kIPv4,
                  const char* chain = "INPUT") {
  iptsim::LoadResult r = iptsim::testing::LoadRule(rule, "filter", chain, fam);
  INFO(rule);
  REQUIRE(r.ok());
  const iptsim::Rule* found = iptsim::testing::FindRule(r, chain);
  REQUIRE(found);
  REQUIRE(!found->matches.empty());
  iptsim::PacketView v = iptsim::PacketView::Of(p);
  iptsim::EvalContext ctx;
  ctx.family = fam;
  Result res;
  res.tri = found->matches[found->matches.size() - 1]->Evaluate(v, ctx);
  res.hotdrop = ctx.hotdrop;
  res.reason = ctx.unknown_reason;
  return res;
}

Result Eval(const std::string& rule, const std::string& pkt, Family fam = Family::kIPv4,
            const char* chain = "INPUT") {
  return EvalPacket(rule, PacketFromText(pkt, fam), fam, chain);
}

// A datagram whose transport bytes are `hex` under protocol number `proto`
// (the builder makes its own headers for the protocols it knows).
Result EvalRaw(const std::string& rule, uint8_t proto, const std::string& hex,
               Family fam = Family::kIPv4) {
  iptsim::Packet p = PacketFromText("-p 59 --payload-hex " + hex, fam);
  p.bytes[fam == Family::kIPv4 ? 9 : 6] = proto;
  return EvalPacket(rule, p, fam);
}

Result Eval6(const std::string& rule, const std::string& pkt, const char* chain = "INPUT") {
  return Eval(rule, pkt, Family::kIPv6, chain);
}

constexpr Tri T = Tri::kTrue, F = Tri::kFalse, U = Tri::kUnknown;

}  // namespace

TEST_CASE("length: total length; IPv6 payload + 40 in 16 bits (xt_length)", "[eval-hdr]") {
  // Default TCP SYN: 20 + 20 bytes.
  CHECK(Eval("-m length --length 40", "-p tcp").tri == T);
  CHECK(Eval("-m length --length 41:100", "-p tcp").tri == F);
  CHECK(Eval("-m length ! --length 41:100", "-p tcp").tri == T);
  CHECK(Eval("-m length --length 0:40", "-p tcp --len 40").tri == T);
  CHECK(Eval("-m length --length 1000", "-p udp --len 1000").tri == T);
  CHECK(Eval6("-m length --length 60", "-p tcp").tri == T);  // 40 + 20
  CHECK(Eval6("-m length --length 20", "-p tcp").tri == F);
}

TEST_CASE("ttl / hl: eq ne lt gt at the boundaries (xt_hl)", "[eval-hdr]") {
  CHECK(Eval("-m ttl --ttl-eq 64", "--ttl 64").tri == T);
  CHECK(Eval("-m ttl ! --ttl-eq 64", "--ttl 64").tri == F);
  CHECK(Eval("-m ttl --ttl-lt 5", "--ttl 4").tri == T);
  CHECK(Eval("-m ttl --ttl-lt 5", "--ttl 5").tri == F);
  CHECK(Eval("-m ttl --ttl-gt 5", "--ttl 5").tri == F);
  CHECK(Eval("-m ttl --ttl-gt 5", "--ttl 6").tri == T);
  CHECK(Eval6("-m hl --hl-eq 255", "--hoplimit 255").tri == T);
  CHECK(Eval6("-m hl ! --hl-eq 255", "--hoplimit 1").tri == T);
  CHECK(Eval6("-m hl --hl-lt 2", "--hoplimit 1").tri == T);
  CHECK(Eval6("-m hl --hl-gt 2", "--hoplimit 2").tri == F);
}

TEST_CASE("tos / dscp / ecn on the TOS byte and the traffic class (xt_dscp, xt_ecn)", "[eval-hdr]") {
  CHECK(Eval("-m tos --tos 0x10/0x3f", "--tos 0x10").tri == T);
  CHECK(Eval("-m tos --tos 0x10/0x3f", "--tos 0xd0").tri == T);  // 0xd0 & 0x3f = 0x10
  CHECK(Eval("-m tos --tos 0x10/0x3f", "--tos 0xd1").tri == F);
  CHECK(Eval("-m tos --tos Minimize-Delay", "--tos 0x12").tri == F);
  CHECK(Eval("-m tos ! --tos 0x10", "--tos 0x11").tri == T);
  CHECK(Eval6("-m tos --tos 0xb8", "--tos 0xb8").tri == T);
  CHECK(Eval("-m dscp --dscp-class EF", "--tos 0xb8").tri == T);  // 46 << 2
  CHECK(Eval("-m dscp --dscp-class EF", "--tos 0xbb").tri == T);  // ECN bits ignored
  CHECK(Eval("-m dscp ! --dscp 46", "--tos 0xb8").tri == F);
  CHECK(Eval6("-m dscp --dscp 46", "--tos 0xb9").tri == T);
  CHECK(Eval6("-m dscp --dscp 46", "--tos 0x2e").tri == F);
  CHECK(Eval("-m ecn --ecn-ip-ect 3", "--tos 0x03").tri == T);
  CHECK(Eval("-m ecn --ecn-ip-ect 2", "--tos 0x03").tri == F);
  CHECK(Eval("-m ecn ! --ecn-ip-ect 2", "--tos 0x03").tri == T);
  CHECK(Eval6("-m ecn --ecn-ip-ect 1", "--tos 0x01").tri == T);
  CHECK(Eval("-p tcp -m ecn --ecn-tcp-ece --ecn-tcp-cwr", "--tcp-flags ALL SYN,ECE,CWR").tri == T);
  CHECK(Eval("-p tcp -m ecn --ecn-tcp-ece --ecn-tcp-cwr", "--tcp-flags ALL SYN,ECE").tri == F);
  CHECK(Eval("-p tcp -m ecn ! --ecn-tcp-cwr", "--tcp-flags ALL SYN,ECE").tri == T);
  // A TCP header that cannot be read: no match, no drop (match_tcp).
  Result r = Eval("-p tcp -m ecn --ecn-tcp-ece", "-p tcp --len 30");
  CHECK(r.tri == F);
  CHECK(!r.hotdrop);
}

TEST_CASE("iprange: inclusive unsigned ranges, each '!' on its own (xt_iprange)", "[eval-hdr]") {
  CHECK(Eval("-m iprange --src-range 10.0.0.1-10.0.0.50", "-s 10.0.0.1").tri == T);
  CHECK(Eval("-m iprange --src-range 10.0.0.1-10.0.0.50", "-s 10.0.0.50").tri == T);
  CHECK(Eval("-m iprange --src-range 10.0.0.1-10.0.0.50", "-s 10.0.0.51").tri == F);
  CHECK(Eval("-m iprange ! --src-range 10.0.0.1-10.0.0.50", "-s 10.0.0.0").tri == T);
  CHECK(Eval("-m iprange --src-range 10.0.0.1-10.0.0.50 ! --dst-range 192.0.2.2",
             "-s 10.0.0.2 -d 192.0.2.2").tri == F);
  CHECK(Eval("-m iprange --dst-range 200.0.0.0-10.0.0.0", "-d 100.0.0.0").tri == F);  // reversed
  CHECK(Eval6("-m iprange --src-range 2001:db8::1-2001:db8::ff", "-s 2001:db8::80").tri == T);
  CHECK(Eval6("-m iprange --src-range 2001:db8::1-2001:db8::ff", "-s 2001:db8::100").tri == F);
}

TEST_CASE("pkttype: from the destination MAC of a received frame, host otherwise", "[eval-hdr]") {
  CHECK(Eval("-m pkttype --pkt-type broadcast", "-i eth0 --mac-dst ff:ff:ff:ff:ff:ff").tri == T);
  CHECK(Eval("-m pkttype --pkt-type multicast", "-i eth0 --mac-dst 01:00:5e:00:00:01").tri == T);
  CHECK(Eval("-m pkttype --pkt-type broadcast", "-i eth0 --mac-dst 01:00:5e:00:00:01").tri == F);
  CHECK(Eval("-m pkttype --pkt-type unicast", "-i eth0").tri == T);
  CHECK(Eval("-m pkttype ! --pkt-type unicast", "-i eth0").tri == F);
  CHECK(Eval("-m pkttype --pkt-type otherhost", "-i eth0").tri == F);  // dropped before the hooks
  // Locally generated: PACKET_HOST even to a broadcast address.
  CHECK(Eval("-m pkttype --pkt-type unicast", "-o eth0 -d 255.255.255.255", Family::kIPv4,
             "OUTPUT").tri == T);
  CHECK(Eval6("-m pkttype --pkt-type multicast", "-i eth0 --mac-dst 33:33:00:00:00:01").tri == T);
}

TEST_CASE("mac: the Ethernet source, no MAC header never matches (xt_mac)", "[eval-hdr]") {
  CHECK(Eval("-m mac --mac-source 02:00:00:00:00:01", "-i eth0").tri == T);
  CHECK(Eval("-m mac --mac-source 02:00:00:00:00:09", "-i eth0").tri == F);
  CHECK(Eval("-m mac ! --mac-source 02:00:00:00:00:09", "-i eth0").tri == T);
  CHECK(Eval("-m mac --mac-source AA:bb:cc:00:00:01", "-i eth0 --mac-src aa:bb:cc:00:00:01").tri == T);
  iptsim::Packet p = PacketFromText("-i tun0", Family::kIPv4);
  p.mac_len = 0;
  CHECK(EvalPacket("-m mac ! --mac-source 02:00:00:00:00:09", p).tri == F);
  CHECK(Eval("-m mac ! --mac-source 02:00:00:00:00:09", "-i lo").tri == F);
}

TEST_CASE("icmp / icmp6: type and code range, fragments, short headers", "[eval-hdr]") {
  CHECK(Eval("-p icmp -m icmp --icmp-type echo-request", "-p icmp").tri == T);
  CHECK(Eval("-p icmp -m icmp --icmp-type echo-reply", "-p icmp").tri == F);
  CHECK(Eval("-p icmp -m icmp ! --icmp-type echo-reply", "-p icmp").tri == T);
  CHECK(Eval("-p icmp -m icmp --icmp-type any", "-p icmp --icmp-type 13").tri == T);
  CHECK(Eval("-p icmp -m icmp --icmp-type port-unreachable", "--icmp-type 3/3").tri == T);
  CHECK(Eval("-p icmp -m icmp --icmp-type port-unreachable", "--icmp-type 3/1").tri == F);
  CHECK(Eval("-p icmp -m icmp --icmp-type 3", "--icmp-type 3/15").tri == T);
  // Later fragment: no match even with '!'.
  CHECK(Eval("-p icmp -m icmp ! --icmp-type 3", "-p icmp --frag 8").tri == F);
  // 4 bytes of ICMP header: dropped.
  Result r = Eval("-p icmp -m icmp --icmp-type 8", "-p icmp --len 24");
  CHECK(r.tri == F);
  CHECK(r.hotdrop);
  CHECK(Eval6("-p icmpv6 -m icmp6 --icmpv6-type echo-request", "-p icmpv6").tri == T);
  CHECK(Eval6("-p icmpv6 -m icmp6 --icmpv6-type 1/0", "--icmpv6-type 1/3").tri == F);
  CHECK(Eval6("-p icmpv6 -m icmp6 ! --icmpv6-type 1", "--icmpv6-type 128").tri == T);
  r = Eval6("-p icmpv6 -m icmp6 --icmpv6-type 128", "-p icmpv6 --len 44");
  CHECK(r.hotdrop);
}

TEST_CASE("ah / esp / ipcomp: SPI ranges, IPv6 AH found in the chain", "[eval-hdr]") {
  CHECK(Eval("-p ah -m ah --ahspi 500", "-p ah --spi 500").tri == T);
  CHECK(Eval("-p ah -m ah --ahspi 501:600", "-p ah --spi 500").tri == F);
  CHECK(Eval("-p ah -m ah ! --ahspi 501:600", "-p ah --spi 500").tri == T);
  CHECK(Eval("-p ah -m ah --ahspi 500", "-p ah --len 30").hotdrop);  // 10 bytes of AH
  CHECK(Eval("-p ah -m ah ! --ahspi 500", "-p ah --frag 8").tri == F);
  // IPv6: AH (24 bytes: length field 4) before TCP.
  CHECK(Eval6("-m ah --ahspi 0x100 --ahlen 24 --ahres", "-p tcp --ext-hdr ah").tri == T);
  CHECK(Eval6("-m ah --ahlen 16", "-p tcp --ext-hdr ah").tri == F);
  CHECK(Eval6("-m ah ! --ahlen 16", "-p tcp --ext-hdr ah").tri == T);
  CHECK(Eval6("-m ah ! --ahspi 0x100", "-p tcp --ext-hdr hbh,ah").tri == F);
  Result r = Eval6("-m ah", "-p tcp");  // no AH header: no match, no drop
  CHECK(r.tri == F);
  CHECK(!r.hotdrop);
  CHECK(!Eval6("-m ah", "-p tcp --ext-hdr ah --len 56").hotdrop);  // 16 bytes of AH: enough
  CHECK(Eval6("-m ah", "-p tcp --ext-hdr ah --len 50").hotdrop);  // 10 bytes: dropped
  CHECK(Eval("-p esp -m esp --espspi 0x100:0x1ff", "-p esp --spi 0x1ff").tri == T);
  CHECK(Eval("-p esp -m esp --espspi 0x100:0x1ff", "-p esp --spi 0x200").tri == F);
  CHECK(Eval("-p esp -m esp ! --espspi 0x100:0x1ff", "-p esp --spi 0x200").tri == T);
  CHECK(Eval("-p esp -m esp", "-p esp --len 27").hotdrop);
  CHECK(Eval6("-p esp -m esp --espspi 7", "-p esp --spi 7").tri == T);
  // IPComp: 4-byte header, CPI in bytes 2-3.
  CHECK(Eval("-p ipcomp -m ipcomp --ipcompspi 18", "-p ipcomp --payload-hex 04000012").tri == T);
  CHECK(Eval("-p ipcomp -m ipcomp --ipcompspi 19:", "-p ipcomp --payload-hex 04000012").tri == F);
  CHECK(Eval("-p ipcomp -m ipcomp ! --ipcompspi 19:", "-p ipcomp --payload-hex 04000012").tri == T);
  CHECK(Eval("-p ipcomp -m ipcomp", "-p ipcomp --payload-hex 0400").hotdrop);
}

TEST_CASE("mh: type range; payload proto must be 59 (ip6t_mh)", "[eval-hdr]") {
  // proto 59, hdrlen 0, type 5 (binding update), reserved, checksum.
  CHECK(Eval6("-p mh -m mh --mh-type binding-update", "-p 135 --payload-hex 3b0005000000").tri == T);
  CHECK(Eval6("-p mh -m mh --mh-type 0:4", "-p 135 --payload-hex 3b0005000000").tri == F);
  CHECK(Eval6("-p mh -m mh ! --mh-type 0:4", "-p 135 --payload-hex 3b0005000000").tri == T);
  Result r = Eval6("-p mh -m mh", "-p 135 --payload-hex 060005000000");  // proto 6
  CHECK(r.tri == F);
  CHECK(r.hotdrop);
  CHECK(Eval6("-p mh -m mh", "-p 135 --payload-hex 3b0005").hotdrop);
}

TEST_CASE("tcpmss: the MSS option, none matches only with '!' (xt_tcpmss)", "[eval-hdr]") {
  CHECK(Eval("-p tcp -m tcpmss --mss 1460", "--tcp-option-hex 020405b4").tri == T);
  CHECK(Eval("-p tcp -m tcpmss --mss 1:500", "--tcp-option-hex 020405b4").tri == F);
  CHECK(Eval("-p tcp -m tcpmss ! --mss 1:500", "--tcp-option-hex 020405b4").tri == T);
  // NOP, NOP, then MSS.
  CHECK(Eval("-p tcp -m tcpmss --mss 1460", "--tcp-option-hex 0101020405b4").tri == T);
  // No options: matches only inverted.
  CHECK(Eval("-p tcp -m tcpmss --mss 0:65535", "-p tcp").tri == F);
  CHECK(Eval("-p tcp -m tcpmss ! --mss 0:65535", "-p tcp").tri == T);
  // Options cut off: dropped.
  CHECK(Eval("-p tcp -m tcpmss --mss 1460", "--tcp-option-hex 020405b4 --len 42").hotdrop);
  CHECK(Eval("-p tcp -m tcpmss --mss 1460", "-p tcp --len 30").hotdrop);
}

TEST_CASE("multiport: lists and ranges, either direction (xt_multiport v1)", "[eval-hdr]") {
  CHECK(Eval("-p tcp -m multiport --dports 22,80,443", "--dport 80").tri == T);
  CHECK(Eval("-p tcp -m multiport --dports 22,8000:8080", "--dport 8080").tri == T);
  CHECK(Eval("-p tcp -m multiport --dports 22,8000:8080", "--dport 8081").tri == F);
  CHECK(Eval("-p tcp -m multiport ! --dports 22,8000:8080", "--dport 8081").tri == T);
  CHECK(Eval("-p udp -m multiport --sports 53", "-p udp --sport 53").tri == T);
  CHECK(Eval("-p udp -m multiport --ports 53", "-p udp --sport 1000 --dport 53").tri == T);
  CHECK(Eval("-p udp -m multiport --ports 5:10", "-p udp --sport 1000 --dport 53").tri == F);
  CHECK(Eval("-p tcp -m multiport ! --dports 1", "-p tcp --frag 8").tri == F);
  CHECK(Eval("-p tcp -m multiport --dports 1", "-p tcp --len 22").hotdrop);
}

TEST_CASE("dccp: ports, types, options (xt_dccp)", "[eval-hdr]") {
  // The builder's DCCP packet: a Request (type 0) with X=1.
  CHECK(Eval("-p dccp -m dccp --dport 80 --dccp-types REQUEST", "-p dccp").tri == T);
  CHECK(Eval("-p dccp -m dccp --dccp-types DATA,ACK", "-p dccp").tri == F);
  CHECK(Eval("-p dccp -m dccp ! --dccp-types DATA,ACK", "-p dccp").tri == T);
  CHECK(Eval("-p dccp -m dccp --sport 1:100", "-p dccp").tri == F);
  // No options (data offset = header): not found.
  CHECK(Eval("-p dccp -m dccp --dccp-option 32", "-p dccp").tri == F);
  CHECK(Eval("-p dccp -m dccp ! --dccp-option 32", "-p dccp").tri == T);
  CHECK(Eval("-p dccp -m dccp --dport 80", "-p dccp --len 31").hotdrop);
  CHECK(Eval("-p dccp -m dccp ! --dport 80", "-p dccp --frag 8").tri == F);
  // DATA packet, X=0 (12-byte header), doff 4 (16 bytes): options 20 00 00 00 hold 32.
  const std::string data = "00010002040000000400000020000000";
  CHECK(EvalRaw("-p dccp -m dccp --dccp-types DATA --dccp-option 32", 33, data).tri == T);
  CHECK(EvalRaw("-p dccp -m dccp --dccp-option 33", 33, data).tri == F);
  // doff 2 (8 bytes) is below the 12-byte header: dropped; with '!' the
  // test itself passes (the kernel drops the packet all the same).
  const std::string bad = "00010002020000000400000020000000";
  Result r = EvalRaw("-p dccp -m dccp --dccp-option 32", 33, bad);
  CHECK(r.tri == F);
  CHECK(r.hotdrop);
  r = EvalRaw("-p dccp -m dccp ! --dccp-option 32", 33, bad);
  CHECK(r.tri == T);
  CHECK(r.hotdrop);
}

TEST_CASE("sctp: ports and chunk types any/all/only with flags (xt_sctp)", "[eval-hdr]") {
  CHECK(Eval("-p sctp -m sctp --dport 80 --chunk-types any INIT", "-p sctp").tri == T);
  CHECK(Eval("-p sctp -m sctp --chunk-types any DATA,SACK", "-p sctp").tri == F);
  CHECK(Eval("-p sctp -m sctp ! --chunk-types any DATA,SACK", "-p sctp").tri == T);
  CHECK(Eval("-p sctp -m sctp --chunk-types only INIT", "-p sctp").tri == T);
  CHECK(Eval("-p sctp -m sctp --chunk-types all INIT,DATA", "-p sctp").tri == F);
  // Two chunks: DATA (flags 0x03: B E, length 16) and SACK (length 16).
  const std::string two = "-p sctp --payload-hex 00030010000000010000000000000000"
                          "03000010000000010000000000000000";
  CHECK(Eval("-p sctp -m sctp --chunk-types all DATA,SACK", two).tri == T);
  CHECK(Eval("-p sctp -m sctp --chunk-types only DATA", two).tri == F);
  CHECK(Eval("-p sctp -m sctp --chunk-types any DATA:BE", two).tri == T);
  CHECK(Eval("-p sctp -m sctp --chunk-types any DATA:Be", two).tri == F);
  CHECK(Eval("-p sctp -m sctp --chunk-types all DATA:Be,SACK", two).tri == F);
  // A chunk of length 0: dropped.
  Result r = Eval("-p sctp -m sctp --chunk-types any INIT", "-p sctp --payload-hex 01000000");
  CHECK(r.tri == F);
  CHECK(r.hotdrop);
  // No chunk at all: the first chunk header cannot be read.
  CHECK(Eval("-p sctp -m sctp --chunk-types only INIT", "-p sctp --len 32").hotdrop);
  CHECK(Eval("-p sctp -m sctp --dport 80", "-p sctp --len 31").hotdrop);
  // Ports only: the chunks are not looked at.
  CHECK(Eval("-p sctp -m sctp --dport 80", "-p sctp --len 32").tri == T);
  CHECK(Eval("-p sctp -m sctp ! --dport 80", "-p sctp --frag 8").tri == F);
}

TEST_CASE("frag: IPv6 fragment header fields (ip6t_frag)", "[eval-hdr]") {
  CHECK(Eval6("-m frag", "-p tcp").tri == F);
  CHECK(Eval6("-m frag --fragid 100:200 --fragfirst --fragmore", "-p tcp --id 150 --mf").tri == T);
  CHECK(Eval6("-m frag --fragid 100:200", "-p tcp --id 201 --mf").tri == F);
  CHECK(Eval6("-m frag ! --fragid 100:200", "-p tcp --id 201 --mf").tri == T);
  CHECK(Eval6("-m frag --fragfirst", "-p tcp --frag 8").tri == F);
  CHECK(Eval6("-m frag --fraglast", "-p tcp --frag 8").tri == T);
  CHECK(Eval6("-m frag --fragmore", "-p tcp --frag 8").tri == F);
  CHECK(Eval6("-m frag --fragres", "-p tcp --frag 8 --mf").tri == T);
  // A later fragment behind a hop-by-hop header is still found.
  CHECK(Eval6("-m frag --fraglast", "-p udp --ext-hdr hbh,frag --frag 16").tri == T);
}

TEST_CASE("hbh / dst: header length and options in order (ip6t_hbh)", "[eval-hdr]") {
  // The builder's options headers: 8 bytes, one PadN option (type 1, length 4).
  CHECK(Eval6("-m hbh", "-p tcp --ext-hdr hbh").tri == T);
  CHECK(Eval6("-m hbh", "-p tcp --ext-hdr dst").tri == F);
  CHECK(Eval6("-m dst", "-p tcp --ext-hdr dst").tri == T);
  CHECK(Eval6("-m hbh --hbh-len 8", "-p tcp --ext-hdr hbh").tri == T);
  CHECK(Eval6("-m hbh --hbh-len 16", "-p tcp --ext-hdr hbh").tri == F);
  CHECK(Eval6("-m hbh ! --hbh-len 16", "-p tcp --ext-hdr hbh").tri == T);
  CHECK(Eval6("-m hbh --hbh-opts 1:4", "-p tcp --ext-hdr hbh").tri == T);
  CHECK(Eval6("-m hbh --hbh-opts 1", "-p tcp --ext-hdr hbh").tri == T);
  CHECK(Eval6("-m hbh --hbh-opts 1:3", "-p tcp --ext-hdr hbh").tri == F);
  CHECK(Eval6("-m hbh --hbh-opts 5", "-p tcp --ext-hdr hbh").tri == F);
  // A second option past the header's end: the loop stops, no match.
  CHECK(Eval6("-m dst --dst-opts 1:4,1", "-p tcp --ext-hdr dst").tri == F);
  // Header cut off after 1 byte: ipv6_find_hdr fails, dropped.
  CHECK(Eval6("-m hbh", "-p tcp --ext-hdr hbh --len 41").hotdrop);
  // Header cut off after 4 bytes: shorter than its length, no match, no drop.
  Result r = Eval6("-m hbh", "-p tcp --ext-hdr hbh --len 44");
  CHECK(r.tri == F);
  CHECK(!r.hotdrop);
}

TEST_CASE("rt: routing header fields (ip6t_rt)", "[eval-hdr]") {
  // The builder's routing header: type 0, segments left 0, 8 bytes.
  CHECK(Eval6("-m rt", "-p tcp --ext-hdr rt").tri == T);
  CHECK(Eval6("-m rt", "-p tcp").tri == F);
  CHECK(Eval6("-m rt --rt-type 0 --rt-segsleft 0:2 --rt-len 8 --rt-0-res", "-p tcp --ext-hdr rt").tri == T);
  CHECK(Eval6("-m rt --rt-type 2", "-p tcp --ext-hdr rt").tri == F);
  CHECK(Eval6("-m rt ! --rt-type 2", "-p tcp --ext-hdr rt").tri == T);
  CHECK(Eval6("-m rt --rt-segsleft 1:", "-p tcp --ext-hdr rt").tri == F);
  CHECK(Eval6("-m rt ! --rt-segsleft 1:", "-p tcp --ext-hdr rt").tri == T);
  // Addresses wanted but the header carries none.
  CHECK(Eval6("-m rt --rt-type 0 --rt-0-addrs ::1", "-p tcp --ext-hdr rt").tri == F);
  // Type 0 header with two addresses (hdr ext len 4), next header 59.
  const std::string two =
      "3b04000200000000"
      "20010db8000000000000000000000001"
      "20010db8000000000000000000000002";
  const Family v6 = Family::kIPv6;
  CHECK(EvalRaw("-m rt --rt-type 0 --rt-0-addrs 2001:db8::1,2001:db8::2", 43, two, v6).tri == T);
  CHECK(EvalRaw("-m rt --rt-type 0 --rt-0-addrs 2001:db8::1", 43, two, v6).tri == F);  // strict
  CHECK(EvalRaw("-m rt --rt-type 0 --rt-0-addrs 2001:db8::2 --rt-0-not-strict", 43, two, v6).tri == T);
  CHECK(EvalRaw("-m rt --rt-type 0 --rt-0-addrs 2001:db8::2,2001:db8::1 --rt-0-not-strict", 43, two,
                v6).tri == F);
  CHECK(EvalRaw("-m rt --rt-segsleft 2 --rt-len 40", 43, two, v6).tri == T);
  // Claims 40 bytes, 24 present: no match, no drop.
  Result r = EvalRaw("-m rt", 43, two.substr(0, 48), v6);
  CHECK(r.tri == F);
  CHECK(!r.hotdrop);
}

TEST_CASE("ipv6header: exact set or --soft subset (ip6t_ipv6header)", "[eval-hdr]") {
  CHECK(Eval6("-m ipv6header --header protocol", "-p tcp").tri == T);
  CHECK(Eval6("-m ipv6header --header hop,protocol", "-p tcp").tri == F);
  CHECK(Eval6("-m ipv6header --header hop,dst,protocol", "-p tcp --ext-hdr hbh,dst").tri == T);
  CHECK(Eval6("-m ipv6header ! --header hop,dst,protocol", "-p tcp --ext-hdr hbh,dst").tri == F);
  CHECK(Eval6("-m ipv6header --header frag --soft", "-p tcp --ext-hdr hbh,frag").tri == T);
  CHECK(Eval6("-m ipv6header ! --header frag --soft", "-p tcp --ext-hdr hbh,frag").tri == F);
  CHECK(Eval6("-m ipv6header ! --header frag,route --soft", "-p tcp --ext-hdr hbh").tri == T);
  CHECK(Eval6("-m ipv6header --header esp", "-p esp").tri == T);
  CHECK(Eval6("-m ipv6header --header none", "-p 59").tri == T);
  // A later fragment: the walk passes the fragment header, TCP counts.
  CHECK(Eval6("-m ipv6header --header frag,protocol", "-p tcp --frag 8").tri == T);
}

TEST_CASE("eui64: source interface id from the Ethernet source (ip6t_eui64)", "[eval-hdr]") {
  // 02:00:00:00:00:01 -> 00:00:00:ff:fe:00:00:01.
  CHECK(Eval6("-m eui64", "-i eth0 -s fe80::ff:fe00:1").tri == T);
  CHECK(Eval6("-m eui64", "-i eth0 -s fe80::ff:fe00:2").tri == F);
  CHECK(Eval6("-m eui64", "-i eth0 -s fe80::200:ff:fe00:1").tri == F);
  iptsim::Packet p = PacketFromText("-i tun0 -s fe80::ff:fe00:1", Family::kIPv6);
  p.mac_len = 0;
  Result r = EvalPacket("-m eui64", p, Family::kIPv6);
  CHECK(r.tri == U);
  CHECK(r.reason.find("--assume eui64") != std::string::npos);
  p = PacketFromText("-i tun0 -p tcp --frag 8", Family::kIPv6);
  p.mac_len = 0;
  CHECK(EvalPacket("-m eui64", p, Family::kIPv6).hotdrop);
}

TEST_CASE("u32: words, masks, shifts and @ jumps (xt_u32)", "[eval-hdr]") {
  // IPv4 version/IHL 0x45, protocol TCP.
  CHECK(Eval("-m u32 --u32 \"0>>28=4\"", "-p tcp").tri == T);
  CHECK(Eval("-m u32 --u32 \"6&0xFF=6\"", "-p tcp").tri == T);
  CHECK(Eval("-m u32 --u32 \"6&0xFF=17\"", "-p tcp").tri == F);
  CHECK(Eval("-m u32 ! --u32 \"6&0xFF=17\"", "-p tcp").tri == T);
  CHECK(Eval("-m u32 --u32 \"6&0xFF=1,6,17\"", "-p tcp").tri == T);
  CHECK(Eval("-m u32 --u32 \"6&0xFF=6&&0>>22&0x3C@0>>16=40000\"", "-p tcp --sport 40000").tri == T);
  CHECK(Eval("-m u32 --u32 \"0>>22&0x3C@4=0:0x10\"", "-p tcp --seq 5").tri == T);
  // Past the end: no match (and '!' makes it a match).
  CHECK(Eval("-m u32 --u32 \"37=0:0xffffffff\"", "-p tcp").tri == F);
  CHECK(Eval("-m u32 --u32 \"36=0:0xffffffff\"", "-p tcp").tri == T);
  CHECK(Eval("-m u32 ! --u32 \"0>>22&0x3C@20=0:0xffffffff\"", "-p tcp").tri == T);
}

TEST_CASE("string: from/to window from the network header (xt_string)", "[eval-hdr]") {
  const std::string pkt = "-p tcp --payload GET/admin";  // payload at offset 40
  CHECK(Eval("-m string --string admin --algo bm", pkt).tri == T);
  CHECK(Eval("-m string --string admin --algo kmp", pkt).tri == T);
  CHECK(Eval("-m string ! --string admin --algo bm", pkt).tri == F);
  CHECK(Eval("-m string --string ADMIN --algo bm", pkt).tri == F);
  CHECK(Eval("-m string --string ADMIN --algo kmp --icase", pkt).tri == T);
  CHECK(Eval("-m string --string admin --algo bm --from 44", pkt).tri == T);
  CHECK(Eval("-m string --string admin --algo bm --from 45", pkt).tri == F);
  CHECK(Eval("-m string --string admin --algo bm --to 49", pkt).tri == T);
  CHECK(Eval("-m string --string admin --algo bm --to 48", pkt).tri == F);
  CHECK(Eval("-m string --hex-string \"|45|\" --algo kmp --to 1", pkt).tri == T);
  CHECK(Eval("-m string --hex-string \"|df|\" --algo bm --icase", pkt).tri == F);
  // Latin-1 case folding of the kernel's toupper with kmp: 0xe9 ~ 0xc9.
  CHECK(Eval("-m string --hex-string \"|c9|\" --algo kmp --icase", "-p udp --payload-hex e9").tri == T);
}

TEST_CASE("string --algo bm: the kernel's Boyer-Moore, quirks included (lib/ts_bm.c)",
          "[eval-hdr]") {
  // --icase: the pattern byte 0xff is upper-cased to 0xdf; the bad-character
  // table knows 0xdf and tolower(0xdf) = 0xdf, not 0xff, so at a text byte
  // 0xff it shifts by the whole pattern and steps over the occurrence at 1
  // that kmp finds (the kernel does the same: scenario match-string-bm).
  const std::string quirk = "-p udp --payload-hex ffff41";
  const std::string bm = "-m string --hex-string \"|ff|A\" --from 28 --icase --algo ";
  CHECK(Eval(bm + "bm", quirk).tri == F);
  CHECK(Eval(bm + "kmp", quirk).tri == T);
  CHECK(Eval(bm + "bm", "-p udp --payload-hex 00ff41").tri == F);  // stepped over too
  CHECK(Eval(bm + "bm", "-p udp --payload-hex 0000ff41").tri == T);  // reached from the 'A'
  CHECK(Eval(bm + "bm", "-p udp --payload-hex dfdf41").tri == F);  // toupper(0xdf) is 0xbf
  // Without --icase bm finds what kmp finds, also in repetitive text.
  for (const char* p : {"abab", "aab", "abcab", "aaaa", "abaab"}) {
    for (const char* t : {"6162616261626162", "61616162", "6162636162636162", "6161616161",
                          "6162616162616261"}) {
      std::string pkt = std::string("-p udp --payload-hex ") + t;
      std::string rule = std::string("-m string --string ") + p + " --algo ";
      INFO(p << " in " << t);
      CHECK(Eval(rule + "bm", pkt).tri == Eval(rule + "kmp", pkt).tri);
    }
  }
  // The search runs past --to; only an occurrence ending by --to counts.
  CHECK(Eval("-m string --string ab --algo bm --to 29", "-p udp --payload-hex 616261").tri == F);
  CHECK(Eval("-m string --string ab --algo bm --to 30", "-p udp --payload-hex 616261").tri == T);
}

TEST_CASE("realm: unknown unless the value and mask decide (xt_realm)", "[eval-hdr]") {
  Result r = Eval("-m realm --realm 5", "-p tcp");
  CHECK(r.tri == U);
  CHECK(r.reason.find("--assume realm") != std::string::npos);
  CHECK(Eval("-m realm --realm 0x5/0x4", "-p tcp").tri == F);
  CHECK(Eval("-m realm ! --realm 0x5/0x4", "-p tcp").tri == T);
  CHECK(Eval("-m realm --realm 0/0", "-p tcp").tri == T);
}

TEST_CASE("addrtype: only what the address decides (xt_addrtype)", "[eval-hdr]") {
  CHECK(Eval("-m addrtype --dst-type BROADCAST", "-d 255.255.255.255").tri == T);
  CHECK(Eval("-m addrtype --dst-type BROADCAST", "-d 0.1.2.3").tri == T);
  CHECK(Eval("-m addrtype --dst-type UNSPEC", "-d 0.0.0.0").tri == F);  // 0/8 is BROADCAST
  CHECK(Eval("-m addrtype --dst-type MULTICAST", "-d 224.0.0.1").tri == T);
  CHECK(Eval("-m addrtype --dst-type LOCAL", "-d 239.255.255.255").tri == F);
  CHECK(Eval("-m addrtype ! --dst-type MULTICAST", "-d 239.1.1.1").tri == F);
  Result r = Eval("-m addrtype --dst-type LOCAL", "-d 192.0.2.2");
  CHECK(r.tri == U);
  CHECK(r.reason.find("192.0.2.2") != std::string::npos);
  // Whatever the source's type, the destination fails: no match.
  CHECK(Eval("-m addrtype --src-type MULTICAST --dst-type LOCAL", "-s 10.0.0.1 -d 224.0.0.1").tri == F);
  CHECK(Eval("-m addrtype --src-type BROADCAST --dst-type LOCAL", "-s 10.0.0.1").tri == U);
  CHECK(Eval("-m addrtype --src-type MULTICAST --dst-type LOCAL", "-s 0.0.0.0").tri == F);
  CHECK(Eval6("-m addrtype --dst-type MULTICAST", "-d ff02::1").tri == T);
  CHECK(Eval6("-m addrtype --dst-type UNICAST", "-d ff02::1").tri == F);
  CHECK(Eval6("-m addrtype --dst-type UNICAST", "-d 2001:db8::2").tri == T);
  CHECK(Eval6("-m addrtype --dst-type UNICAST", "-d ::ffff:10.0.0.1").tri == F);
  CHECK(Eval6("-m addrtype --src-type UNSPEC", "-s ::").tri == T);
  CHECK(Eval6("-m addrtype --dst-type LOCAL", "-d 2001:db8::2").tri == U);
  CHECK(Eval6("-m addrtype --dst-type MULTICAST,LOCAL", "-d 2001:db8::2").tri == F);
}

// ---- bpf (xt_bpf.c bpf_mt: the classic program on the skb; checked against
// the kernel in corpus/scenarios/match-bpf) ----

TEST_CASE("bpf: a classic BPF interpreter over the packet", "[eval][bpf]") {
  // ldb [9]; jeq #6: the protocol is TCP.
  CHECK(Eval("-m bpf --bytecode \"4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0\"", "-p tcp").tri == T);
  CHECK(Eval("-m bpf --bytecode \"4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0\"", "-p udp").tri == F);
  // ldx msh [0]; ldh [x+2]; jeq #22: the destination port, past IP options.
  const std::string port22 = "-m bpf --bytecode \"5,177 0 0 0,72 0 0 2,21 0 1 22,6 0 0 1,6 0 0 0\"";
  CHECK(Eval(port22, "-p tcp --dport 22").tri == T);
  CHECK(Eval(port22, "-p udp --dport 22").tri == T);
  CHECK(Eval(port22, "-p tcp --dport 22 --ip-option-hex 01010101").tri == T);
  CHECK(Eval(port22, "-p tcp --dport 23").tri == F);
  // ld len; jgt #100.
  CHECK(Eval("-m bpf --bytecode \"4,128 0 0 0,37 0 1 100,6 0 0 1,6 0 0 0\"", "-p tcp --len 101")
            .tri == T);
  CHECK(Eval("-m bpf --bytecode \"4,128 0 0 0,37 0 1 100,6 0 0 1,6 0 0 0\"", "-p tcp --len 100")
            .tri == F);
  // A load past the end returns 0; so does a division by X = 0.
  CHECK(Eval("-m bpf --bytecode \"2,32 0 0 1000,6 0 0 1\"", "-p tcp").tri == F);
  CHECK(Eval("-m bpf --bytecode \"2,32 0 0 36,6 0 0 1\"", "-p tcp").tri == T);  // bytes 36..39
  CHECK(Eval("-m bpf --bytecode \"2,32 0 0 37,6 0 0 1\"", "-p tcp").tri == F);
  CHECK(Eval("-m bpf --bytecode \"4,1 0 0 0,0 0 0 5,60 0 0 0,22 0 0 0\"", "-p tcp").tri == F);
  CHECK(Eval("-m bpf --bytecode \"4,1 0 0 2,0 0 0 5,60 0 0 0,22 0 0 0\"", "-p tcp").tri == T);
  // Ancillary: protocol (the ethertype), mark; others unknown.
  CHECK(Eval("-m bpf --bytecode \"4,32 0 0 4294963200,21 0 1 2048,6 0 0 1,6 0 0 0\"", "-p tcp")
            .tri == T);
  CHECK(Eval("-m bpf --bytecode \"4,32 0 0 4294963200,21 0 1 34525,6 0 0 1,6 0 0 0\"",
             "-p tcp", Family::kIPv6)
            .tri == T);
  CHECK(Eval("-m bpf --bytecode \"4,32 0 0 4294963220,21 0 1 7,6 0 0 1,6 0 0 0\"",
             "-p tcp --mark 7")
            .tri == T);
  Result cpu = Eval("-m bpf --bytecode \"2,32 0 0 4294963236,22 0 0 0\"", "-p tcp");
  CHECK(cpu.tri == U);
  CHECK(cpu.reason.find("ancillary") != std::string::npos);
  // SKF_LL_OFF + 12: the ethertype of the Ethernet header (a received packet).
  const std::string ll = "-m bpf --bytecode \"4,40 0 0 4292870156,21 0 1 2048,6 0 0 1,6 0 0 0\"";
  CHECK(Eval(ll, "-i eth0 -p tcp").tri == T);
  CHECK(Eval(ll, "-p tcp").tri == F);  // no link-layer header: the load fails
  // SKF_NET_OFF + 9 is the same as 9.
  CHECK(Eval("-m bpf --bytecode \"4,48 0 0 4293918729,21 0 1 17,6 0 0 1,6 0 0 0\"", "-p udp")
            .tri == T);
  // Shifts by X use its low 5 bits; ret A.
  CHECK(Eval("-m bpf --bytecode \"4,1 0 0 33,0 0 0 1,108 0 0 0,22 0 0 0\"", "-p tcp").tri == T);
  // --object-pinned cannot be seen.
  CHECK(Eval("-m bpf --object-pinned /sys/fs/bpf/x", "-p tcp").tri == U);
}

TEST_CASE("ipvs: no packet belongs to IPVS", "[eval]") {
  CHECK(Eval("-m ipvs --ipvs", "-p tcp").tri == F);
  CHECK(Eval("-m ipvs ! --ipvs", "-p tcp").tri == T);
  CHECK(Eval("-m ipvs --vproto 6", "-p tcp").tri == F);
  CHECK(Eval("-m ipvs ! --vproto 6", "-p tcp").tri == F);
  CHECK(Eval("-m ipvs --vaddr 1.2.3.4 --vdir ORIGINAL", "-p tcp").tri == F);
}

// ---- srh (ip6t_srh.c srh1_mt6) on hand-made packets: the packet builder
// makes routing headers of type 0 only ----

namespace {
// An IPv6 packet to a routing header of type `type` with 2 segments
// (2001:db8::a, 2001:db8::b), segments left `segs`, last entry 1, tag 7,
// next header 59, cut to `keep` bytes of the routing header.
iptsim::Packet SrhPacket(uint8_t type, uint8_t segs, size_t keep = 40) {
  iptsim::Packet p;
  p.family = Family::kIPv6;
  std::vector<uint8_t> rh = {59, 4, type, segs, 1, 0, 0, 7};
  for (uint8_t last : {0x0a, 0x0b}) {
    std::vector<uint8_t> seg = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, last};
    rh.insert(rh.end(), seg.begin(), seg.end());
  }
  rh.resize(keep);
  p.bytes = {0x60, 0, 0, 0, 0, static_cast<uint8_t>(keep), 43, 64};
  for (int i = 0; i < 2; ++i) {
    std::vector<uint8_t> a = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                              static_cast<uint8_t>(i + 1)};
    p.bytes.insert(p.bytes.end(), a.begin(), a.end());
  }
  p.bytes.insert(p.bytes.end(), rh.begin(), rh.end());
  return p;
}
}  // namespace

TEST_CASE("srh: fields, SIDs, type and length", "[eval-hdr]") {
  auto ev = [](const std::string& rule, const iptsim::Packet& p) {
    return EvalPacket(rule, p, Family::kIPv6).tri;
  };
  const iptsim::Packet one = SrhPacket(4, 1), zero = SrhPacket(4, 0);
  CHECK(ev("-m srh", one) == T);
  CHECK(ev("-m srh", SrhPacket(0, 1)) == F);      // type 0: no SRH
  CHECK(ev("-m srh", SrhPacket(4, 2)) == F);      // segments left > last entry
  CHECK(ev("-m srh", SrhPacket(4, 1, 16)) == F);  // cut short
  CHECK(ev("-m srh", PacketFromText("-p udp", Family::kIPv6)) == F);
  // The kernel compares the host-order --srh-tag with the header's
  // network-order field: on x86 the header's tag 7 matches --srh-tag 1792.
  CHECK(ev("-m srh --srh-next-hdr 59 --srh-tag 1792", one) == T);
  CHECK(ev("-m srh --srh-tag 7", one) == F);
  CHECK(ev("-m srh --srh-next-hdr 6", one) == F);
  CHECK(ev("-m srh ! --srh-tag 1792", one) == F);
  CHECK(ev("-m srh ! --srh-segs-left-eq 0", one) == T);
  CHECK(ev("-m srh ! --srh-segs-left-eq 0", zero) == F);
  CHECK(ev("-m srh --srh-segs-left-gt 0 --srh-segs-left-lt 2", one) == F);  // one value: 2
  CHECK(ev("-m srh --srh-last-entry-gt 0 --srh-hdr-len-lt 5", one) == T);
  CHECK(ev("-m srh --srh-hdr-len-eq 4", one) == T);
  CHECK(ev("-m srh --srh-hdr-len-gt 4", one) == F);
  // Previous SID: index segments-left + 1 (none when segments left = last).
  CHECK(ev("-m srh --srh-psid 2001:db8::b/128", zero) == T);
  CHECK(ev("-m srh --srh-psid 2001:db8::/64", one) == F);
  CHECK(ev("-m srh ! --srh-psid 2001:db8::/64", one) == F);
  // Next SID: index segments-left - 1 (none when 0).
  CHECK(ev("-m srh --srh-nsid 2001:db8::a", one) == T);
  CHECK(ev("-m srh --srh-nsid 2001:db8::/32", zero) == F);
  CHECK(ev("-m srh ! --srh-nsid 2001:db8::b", one) == T);
  // Last SID: index 0.
  CHECK(ev("-m srh --srh-lsid 2001:db8::a/128", one) == T);
  CHECK(ev("-m srh ! --srh-lsid 2001:db8::a/128", one) == F);
  CHECK(ev("-m srh --srh-lsid 2001:db9::/32", one) == F);
}
