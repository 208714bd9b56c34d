// The packet options (loader/packet_spec.h) and the datagrams built from them
// (engine/packet_builder.h): defaults, every option, whole error messages.
#include <catch2/catch.hpp>

#include <functional>

#include "engine/eval.h"
#include "engine/packet_builder.h"
#include "loader/packet_spec.h"

using namespace iptsim;

namespace {

PacketSpec Spec(const std::string& line, Family f = Family::kIPv4) {
  PacketSpec s;
  Diagnostic d;
  INFO(line);
  bool ok = ParsePacketLine(line, f, &s, &d);
  INFO(FormatDiagnostic(d));
  REQUIRE(ok);
  return s;
}

Packet Pkt(const std::string& line, Family f = Family::kIPv4) { return BuildPacket(Spec(line, f)); }

// The whole diagnostic, as the CLI would print it for line 1 of "packets".
std::string Error(const std::string& line, Family f = Family::kIPv4) {
  PacketSpec s;
  Diagnostic d;
  if (ParsePacketLine(line, f, &s, &d)) return "OK";
  d.file = "packets";
  d.line = 1;
  return FormatDiagnostic(d);
}

uint16_t U16(const std::vector<uint8_t>& b, size_t o) { return static_cast<uint16_t>(b[o] << 8 | b[o + 1]); }
uint32_t U32(const std::vector<uint8_t>& b, size_t o) { return uint32_t{U16(b, o)} << 16 | U16(b, o + 2); }

// One's complement sum over [from, to) plus `extra`, folded: 0xffff when the
// checksum inside is right.  Written out here rather than calling the
// builder's helper.
uint32_t Fold(const std::vector<uint8_t>& b, size_t from, size_t to, uint64_t extra = 0) {
  uint64_t s = extra;
  for (size_t i = from; i < to; i += 2) s += (b[i] << 8) | (i + 1 < to ? b[i + 1] : 0);
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<uint32_t>(s);
}

uint64_t Pseudo4(const std::vector<uint8_t>& b, uint8_t proto, size_t len) {
  return uint64_t{U16(b, 12)} + U16(b, 14) + U16(b, 16) + U16(b, 18) + proto + len;
}

uint64_t Pseudo6(const std::vector<uint8_t>& b, uint8_t proto, size_t len) {
  uint64_t s = proto + len;
  for (size_t i = 8; i < 40; i += 2) s += U16(b, i);
  return s;
}

}  // namespace

TEST_CASE("packet spec: defaults", "[packet_spec]") {
  PacketSpec s = Spec("");
  CHECK(s.proto == ipproto::kTcp);
  CHECK(!s.src);
  CHECK(s.in.empty());
  Packet p = BuildPacket(s);
  const std::vector<uint8_t>& b = p.bytes;
  REQUIRE(b.size() == 40);
  CHECK(b[0] == 0x45);
  CHECK(b[1] == 0);                 // TOS
  CHECK(U16(b, 2) == 40);           // total length
  CHECK(U16(b, 4) == 0);            // ID
  CHECK(U16(b, 6) == 0);            // no flags, offset 0
  CHECK(b[8] == 64);                // TTL
  CHECK(b[9] == 6);                 // TCP
  CHECK(Fold(b, 0, 20) == 0xffff);  // header checksum
  CHECK(U32(b, 12) == 0xc0000201);  // 192.0.2.1
  CHECK(U32(b, 16) == 0xc0000202);  // 192.0.2.2
  CHECK(U16(b, 20) == 40000);
  CHECK(U16(b, 22) == 80);
  CHECK(U32(b, 24) == 1);           // seq
  CHECK(U32(b, 28) == 0);           // ack
  CHECK(b[32] == 0x50);             // data offset 5
  CHECK(b[33] == 0x02);             // SYN
  CHECK(U16(b, 34) == 64240);
  CHECK(Fold(b, 20, 40, Pseudo4(b, 6, 20)) == 0xffff);
  CHECK(p.mac_len == 0);
  CHECK(p.mark == 0);
  CHECK(!p.uid);
  CHECK(p.time == 0);

  Packet p6 = Pkt("", Family::kIPv6);
  const std::vector<uint8_t>& b6 = p6.bytes;
  REQUIRE(b6.size() == 60);
  CHECK(U32(b6, 0) == 0x60000000);
  CHECK(U16(b6, 4) == 20);
  CHECK(b6[6] == 6);
  CHECK(b6[7] == 64);
  CHECK(U32(b6, 8) == 0x20010db8);
  CHECK(b6[23] == 1);
  CHECK(b6[39] == 2);
  CHECK(Fold(b6, 40, 60, Pseudo6(b6, 6, 20)) == 0xffff);
}

TEST_CASE("packet spec: interfaces, MAC and metadata", "[packet_spec]") {
  Packet p = Pkt("-i eth0 -o eth1 --physdev-in e1 --physdev-out e2 --mac-src 0a:0b:0c:0d:0e:0f "
                 "--mac-dst 01:02:03:04:05:06 --mark 0x2a --uid 1000 --time 12.5");
  CHECK(p.in == "eth0");
  CHECK(p.out == "eth1");
  CHECK(p.phys_in == "e1");
  CHECK(p.phys_out == "e2");
  REQUIRE(p.mac_len == 14);
  CHECK(std::vector<uint8_t>(p.mac.begin(), p.mac.end()) ==
        std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 0xa, 0xb, 0xc, 0xd, 0xe, 0xf, 0x08, 0x00});
  CHECK(p.mark == 0x2a);
  CHECK(p.uid == 1000u);
  CHECK(p.gid == 1000u);  // defaults to the UID
  CHECK(p.time == 12.5);
  CHECK(Pkt("--uid 0 --gid 5").gid == 5u);
  Packet d = Pkt("-i eth0", Family::kIPv6);
  CHECK(d.mac[0] == 2);
  CHECK(d.mac[5] == 2);
  CHECK(d.mac[11] == 1);
  CHECK(d.mac[12] == 0x86);
  CHECK(d.mac[13] == 0xdd);
  CHECK(Spec("--ctstate established,related").ctstate == "ESTABLISHED,RELATED");
  // Long options as --opt=value, abbreviations, values attached to short options.
  PacketSpec s = Spec("--in-int=eth0 --src 10.1.2.3 -d10.3.2.1 -pudp --dp 53");
  CHECK(s.in == "eth0");
  CHECK(FormatIpAddr(Family::kIPv4, *s.src) == "10.1.2.3");
  CHECK(FormatIpAddr(Family::kIPv4, *s.dst) == "10.3.2.1");
  CHECK(s.proto == ipproto::kUdp);
  CHECK(s.dport == 53);
}

TEST_CASE("packet spec: IPv4 header options", "[packet_spec]") {
  Packet p = Pkt("-s 10.0.0.1/32 -d 10.0.0.2 --ttl 5 --tos 0xb8 --id 4242 --df --ce --mf "
                 "--ip-option-hex 070704 -p udp --payload abcd");
  const std::vector<uint8_t>& b = p.bytes;
  REQUIRE(b.size() == 24 + 8 + 4);
  CHECK(b[0] == 0x46);
  CHECK(b[1] == 0xb8);
  CHECK(U16(b, 4) == 4242);
  CHECK(U16(b, 6) == 0xe000);
  CHECK(b[8] == 5);
  CHECK(U32(b, 12) == 0x0a000001);
  CHECK(b[20] == 7);
  CHECK(b[23] == 0);  // padded to 4 bytes
  CHECK(Fold(b, 0, 24) == 0xffff);
  CHECK(U16(b, 28) == 12);  // UDP length
  CHECK(Fold(b, 24, 36, Pseudo4(b, 17, 12)) == 0xffff);

  Packet f = Pkt("--frag 1480 -p tcp --payload zz");
  CHECK(U16(f.bytes, 6) == 185);
  CHECK(f.bytes.size() == 22);  // a later fragment: payload only
  // --len pads (lengths include the padding) or cuts.
  Packet pad = Pkt("-p udp --len 100");
  CHECK(pad.bytes.size() == 100);
  CHECK(U16(pad.bytes, 24) == 80);
  CHECK(Fold(pad.bytes, 20, 100, Pseudo4(pad.bytes, 17, 80)) == 0xffff);
  Packet cut = Pkt("-p tcp --len 28");
  CHECK(cut.bytes.size() == 28);
  CHECK(U16(cut.bytes, 2) == 28);
  CHECK(Fold(cut.bytes, 0, 20) == 0xffff);
}

TEST_CASE("packet spec: TCP options", "[packet_spec]") {
  Packet p = Pkt("-p tcp --sport 1234 --dport ssh --tcp-flags SYN,ACK SYN,ACK --seq 7 --ack 9 "
                 "--window 100 --urgp 3 --tcp-option-hex 0x02:04:05:b4 --payload x");
  const std::vector<uint8_t>& b = p.bytes;
  REQUIRE(b.size() == 20 + 24 + 1);
  CHECK(U16(b, 20) == 1234);
  CHECK(U16(b, 22) == 22);
  CHECK(U32(b, 24) == 7);
  CHECK(U32(b, 28) == 9);
  CHECK(b[32] == 0x60);
  CHECK(b[33] == 0x12);
  CHECK(U16(b, 34) == 100);
  CHECK(U16(b, 38) == 3);
  CHECK(U32(b, 40) == 0x020405b4);
  CHECK(Fold(b, 20, 45, Pseudo4(b, 6, 25)) == 0xffff);
  CHECK(Spec("--syn").tcp_flags == tcpflag::kSyn);
  CHECK(Spec("--tcp-flags ALL NONE").tcp_flags == 0);
  CHECK(Spec("--tcp-flags ALL ALL").tcp_flags == 0x3f);
  CHECK(Spec("--tcp-flags ALL ece,cwr,ae").tcp_flags == 0x1c0);
  CHECK(Spec("--tcp-flags ALL 0xeff").tcp_flags == 0xeff);
  Packet res = Pkt("--tcp-flags ALL 0xeff");
  CHECK(res.bytes[32] == 0x5e);
  CHECK(res.bytes[33] == 0xff);
  // Options that imply the protocol.
  CHECK(Spec("--window 5").proto == ipproto::kTcp);
}

TEST_CASE("packet spec: ICMP, ICMPv6 and embedded packets", "[packet_spec]") {
  PacketSpec s = Spec("-s 1.1.1.1 -d 2.2.2.2 --icmp-type port-unreachable --inner -p udp --dport 53 "
                      "--id 7");
  CHECK(s.proto == ipproto::kIcmp);
  CHECK(s.icmp_type == 3);
  CHECK(s.icmp_code == 3);
  REQUIRE(s.inner.size() == 1);
  Packet p = BuildPacket(s);
  const std::vector<uint8_t>& b = p.bytes;
  REQUIRE(b.size() == 20 + 8 + 28);
  CHECK(Fold(b, 20, b.size()) == 0xffff);
  CHECK(U32(b, 28 + 12) == 0x02020202);  // the inner packet goes the other way
  CHECK(U32(b, 28 + 16) == 0x01010101);
  CHECK(U16(b, 28 + 4) == 7);
  CHECK(U16(b, 28 + 22) == 53);
  // Echo id/seq, and the ICMP fields of the other types.
  Packet e = Pkt("--icmp-type 8 --icmp-id 0x1234 --icmp-seq 9");
  CHECK(U16(e.bytes, 24) == 0x1234);
  CHECK(U16(e.bytes, 26) == 9);
  CHECK(U16(Pkt("-p icmp --icmp-type 3/4 --mtu 1400").bytes, 26) == 1400);
  CHECK(U16(Pkt("-p icmp --icmp-type 3/4").bytes, 26) == 1500);
  CHECK(U32(Pkt("--icmp-type redirect --gateway 10.0.0.254").bytes, 24) == 0x0a0000fe);
  CHECK(Pkt("--icmp-type 12 --pointer 20").bytes[24] == 20);
  CHECK(Pkt("--icmp-type 13").bytes.size() == 40);

  Packet v6 = Pkt("--icmpv6-type packet-too-big --inner -p tcp", Family::kIPv6);
  const std::vector<uint8_t>& c = v6.bytes;
  REQUIRE(c.size() == 40 + 8 + 60);
  CHECK(c[40] == 2);
  CHECK(U32(c, 44) == 1280);
  CHECK(Fold(c, 40, c.size(), Pseudo6(c, 58, 68)) == 0xffff);
  // An error in an error: --inner repeats.
  PacketSpec two = Spec("-p icmp --icmp-type 3/3 --inner -p icmp --icmp-type 11 --inner -p udp");
  REQUIRE(two.inner.size() == 1);
  REQUIRE(two.inner[0].inner.size() == 1);
  CHECK(BuildPacket(two).bytes.size() == 28 + 28 + 28);
}

TEST_CASE("packet spec: IPv6 header, extension headers, fragments", "[packet_spec]") {
  Packet p = Pkt("-s 2001:db8::10/128 --hoplimit 9 --tos 0xb8 --flowlabel 0x12345 "
                 "--ext-hdr hop,dst,route -p udp",
                 Family::kIPv6);
  const std::vector<uint8_t>& b = p.bytes;
  REQUIRE(b.size() == 40 + 24 + 8);
  CHECK(U32(b, 0) == 0x6b812345);
  CHECK(b[6] == 0);   // hop-by-hop
  CHECK(b[7] == 9);
  CHECK(b[23] == 0x10);
  CHECK(b[40] == 60);  // then destination options
  CHECK(b[48] == 43);  // then routing
  CHECK(b[56] == 17);  // then UDP
  CHECK(Fold(b, 64, 72, Pseudo6(b, 17, 8)) == 0xffff);

  Packet f = Pkt("--frag 64 --mf --id 0xabcdef -p udp --payload 12345678", Family::kIPv6);
  REQUIRE(f.bytes.size() == 40 + 8 + 8);
  CHECK(f.bytes[6] == 44);
  CHECK(f.bytes[40] == 17);
  CHECK(U16(f.bytes, 42) == (64 | 1));
  CHECK(U32(f.bytes, 44) == 0xabcdef);
  Packet ah = Pkt("--ext-hdr ah --spi 0xdeadbeef", Family::kIPv6);
  CHECK(ah.bytes[6] == 51);
  CHECK(ah.bytes[41] == 4);
  CHECK(U32(ah.bytes, 44) == 0xdeadbeef);
  CHECK(ah.bytes.size() == 40 + 24 + 20);
  Packet esp = Pkt("-p esp --spi 0x1001 --len 56", Family::kIPv6);
  CHECK(U32(esp.bytes, 40) == 0x1001);
  CHECK(U16(esp.bytes, 4) == 16);
}

TEST_CASE("packet spec: other protocols", "[packet_spec]") {
  // craft4.py's IGMP packet: 11 64 ee 9b 00 00 00 00.
  Packet igmp = Pkt("-p igmp");
  CHECK(std::vector<uint8_t>(igmp.bytes.begin() + 20, igmp.bytes.end()) ==
        std::vector<uint8_t>{0x11, 0x64, 0xee, 0x9b, 0, 0, 0, 0});
  // craft4.py's GRE packet: 00 00 08 00.
  Packet gre = Pkt("-p gre");
  CHECK(std::vector<uint8_t>(gre.bytes.begin() + 20, gre.bytes.end()) ==
        std::vector<uint8_t>{0, 0, 8, 0});
  Packet sctp = Pkt("-p sctp --sport 1 --dport 2");
  CHECK(sctp.bytes.size() == 20 + 12 + 20);
  CHECK(sctp.bytes[32] == 1);  // INIT chunk
  CHECK(Pkt("-p sctp --payload-hex 0000000400000000").bytes.size() == 20 + 12 + 8);
  Packet dccp = Pkt("-p dccp --seq 5");
  CHECK(dccp.bytes.size() == 40);
  CHECK(Fold(dccp.bytes, 20, 40, Pseudo4(dccp.bytes, 33, 20)) == 0xffff);
  Packet ul = Pkt("-p udplite --payload abc");
  CHECK(U16(ul.bytes, 24) == 11);  // coverage: everything
  CHECK(Fold(ul.bytes, 20, 31, Pseudo4(ul.bytes, 136, 11)) == 0xffff);
  Packet raw = Pkt("-p 253 --payload-hex 01:02:03");
  CHECK(raw.bytes.size() == 23);
  CHECK(raw.bytes[9] == 253);
  CHECK(Spec("-p AH --spi 1").proto == ipproto::kAh);
}

TEST_CASE("packet spec: whole error messages", "[packet_spec]") {
  struct Case {
    std::string line;
    std::string expected;
    Family family = Family::kIPv4;
  };
  const Case cases[] = {
      {"-p tcp --dprot 22",
       "packets:1:8: error: unknown packet option '--dprot', did you mean '--dport'?\n"
       "-p tcp --dprot 22\n"
       "       ^~~~~~~\n"},
      {"-p tcp ! --dport 22",
       "packets:1:8: error: '!' is not allowed here: a packet has values, not conditions\n"
       "-p tcp ! --dport 22\n"
       "       ^\n"},
      {"-p tpc",
       "packets:1:4: error: unknown protocol 'tpc', did you mean 'tcp'?\n"
       "-p tpc\n"
       "   ^~~\n"},
      {"-s 10.0.0.0/8",
       "packets:1:4: error: '10.0.0.0/8' is a network: a packet has one address (ADDR or "
       "ADDR/32)\n"
       "-s 10.0.0.0/8\n"
       "   ^~~~~~~~~~\n"},
      {"-d 2001:db8::1",
       "packets:1:4: error: '2001:db8::1' is an IPv6 address, but the packet is IPv4\n"
       "-d 2001:db8::1\n"
       "   ^~~~~~~~~~~\n"},
      {"--ttl 256",
       "packets:1:7: error: invalid TTL '256' (0..255)\n"
       "--ttl 256\n"
       "      ^~~\n"},
      {"-p udp --syn",
       "packets:1:8: error: --syn needs -p tcp (the packet is -p udp)\n"
       "-p udp --syn\n"
       "       ^~~~~\n"},
      {"--dport 1024:65535",
       "packets:1:9: error: a packet has one port, not '1024:65535'\n"
       "--dport 1024:65535\n"
       "        ^~~~~~~~~~\n"},
      {"--frag 5 -p udp",
       "packets:1:8: error: fragment offset '5' is not a multiple of 8 (the offset is in bytes)\n"
       "--frag 5 -p udp\n"
       "       ^\n"},
      {"-p udp --frag 8 --dport 53",
       "packets:1:17: error: --dport has no effect on a later fragment (--frag 8): it carries no "
       "transport header\n"
       "-p udp --frag 8 --dport 53\n"
       "                ^~~~~~~\n"},
      {"--icmp-type echo-request --inner -p udp",
       "packets:1:26: error: --inner is for ICMP errors (3, 4, 5, 11, 12), not type 8\n"
       "--icmp-type echo-request --inner -p udp\n"
       "                         ^~~~~~~\n"},
      {"--icmp-type 3 --inner -i eth0",
       "packets:1:23: error: -i is not for the embedded packet (after --inner): interfaces and "
       "metadata belong to the outer packet\n"
       "--icmp-type 3 --inner -i eth0\n"
       "                      ^~\n"},
      {"--dport 22 --dport 23",
       "packets:1:12: error: option --dport given twice\n"
       "--dport 22 --dport 23\n"
       "           ^~~~~~~\n"},
      {"--ttl 3 --hoplimit 4",
       "packets:1:9: error: the TTL is already set (--ttl and --hoplimit are the same field)\n"
       "--ttl 3 --hoplimit 4\n"
       "        ^~~~~~~~~~\n"},
      {"--s 1.2.3.4",
       "packets:1:1: error: option '--s' is ambiguous (--source, --sport, --syn, --seq, --spi)\n"
       "--s 1.2.3.4\n"
       "^~~\n"},
      {"--tcp-flags SYN SYNN",
       "packets:1:17: error: unknown TCP flag 'SYNN', did you mean 'SYN'?\n"
       "--tcp-flags SYN SYNN\n"
       "                ^~~~\n"},
      {"--ext-hdr hbh,dts -p udp",
       "packets:1:11: error: unknown extension header 'dts', did you mean 'dst'?\n"
       "--ext-hdr hbh,dts -p udp\n"
       "          ^~~~~~~\n",
       Family::kIPv6},
      {"--ext-hdr hbh", "packets:1:1: error: --ext-hdr is for IPv6 packets (IPv4: --ip-option-hex)\n"
                        "--ext-hdr hbh\n"
                        "^~~~~~~~~\n"},
      {"-p icmp", "packets:1:4: error: -p icmp is IPv4's ICMP: an IPv6 packet uses -p icmpv6 "
                  "(ipv6-icmp)\n"
                  "-p icmp\n"
                  "   ^~~~\n",
       Family::kIPv6},
      {"--len 10",
       "packets:1:1: error: --len 10 is shorter than the IPv4 header (20 bytes)\n"
       "--len 10\n"
       "^~~~~\n"},
      {"-i eth+",
       "packets:1:4: error: interface name 'eth+' ends in '+': a packet passes one interface, "
       "give its name\n"
       "-i eth+\n"
       "   ^~~~\n"},
      {"--spi 5",
       "packets:1:1: error: --spi needs -p ah or -p esp\n"
       "--spi 5\n"
       "^~~~~\n"},
      {"--payload 'abc",
       "packets:1:11: error: unterminated single quote\n"
       "--payload 'abc\n"
       "          ^\n"},
      {"--payload-hex 0a0",
       "packets:1:15: error: invalid --payload-hex '0a0': odd number of hex digits\n"
       "--payload-hex 0a0\n"
       "              ^~~\n"},
      {"--ctstate ESTABLISHD",
       "packets:1:11: error: unknown conntrack state 'ESTABLISHD', did you mean 'ESTABLISHED'?\n"
       "--ctstate ESTABLISHD\n"
       "          ^~~~~~~~~~\n"},
      {"-m tcp --dport 22",
       "packets:1:1: error: '-m' belongs to a rule, not to a packet: give the packet's values "
       "instead\n"
       "-m tcp --dport 22\n"
       "^~\n"},
      {"--dport",
       "packets:1:1: error: option --dport needs a value\n"
       "--dport\n"
       "^~~~~~~\n"},
      {"--mtu 1400",
       "packets:1:1: error: --mtu is for ICMP fragmentation-needed (3/4), not type 8\n"
       "--mtu 1400\n"
       "^~~~~\n"},
      {"--gid 5",
       "packets:1:1: error: --gid needs --uid (the socket's owner)\n"
       "--gid 5\n"
       "^~~~~\n"},
      {"tcp",
       "packets:1:1: error: unexpected 'tcp': packet options start with '-'\n"
       "tcp\n"
       "^~~\n"},
      {"--id 5 -p udp",
       "packets:1:1: error: --id of an IPv6 packet is the fragment header's identification: add "
       "--mf, --frag or --ext-hdr frag\n"
       "--id 5 -p udp\n"
       "^~~~\n",
       Family::kIPv6},
  };
  for (const Case& c : cases) {
    INFO(c.line);
    CHECK(Error(c.line, c.family) == c.expected);
  }
}

TEST_CASE("packet spec: words and quoting", "[packet_spec]") {
  std::vector<SpecWord> w;
  uint32_t col = 0;
  REQUIRE(SplitPacketLine(R"(-p udp --payload "a \"b\" c" --payload-hex 'x y' a\ b # comment)", &w,
                          &col)
              .ok());
  REQUIRE(w.size() == 7);
  CHECK(w[3].text == "a \"b\" c");
  CHECK(w[3].col == 18);
  CHECK(w[3].len == 11);
  CHECK(w[5].text == "x y");
  CHECK(w[6].text == "a b");
  CHECK(Spec("--payload 'hello world'").payload.size() == 11);
}

TEST_CASE("packet spec: defaults merged with a packet's own words", "[packet_spec]") {
  auto merged = [](const std::string& defaults, const std::string& own) {
    std::vector<SpecWord> dw, ow;
    uint32_t col = 0;
    REQUIRE(SplitPacketLine(defaults, &dw, &col).ok());
    REQUIRE(SplitPacketLine(own, &ow, &col).ok());
    std::vector<std::string> d, o;
    for (const SpecWord& w : dw) d.push_back(w.text);
    for (const SpecWord& w : ow) o.push_back(w.text);
    std::string out;
    for (const MergedWord& m : MergePacketWords(d, o, Family::kIPv4))
      out += (out.empty() ? "" : " ") + (m.from_defaults ? d : o)[m.index];
    return out;
  };
  // The same option, an alias, an abbreviation, an attached value: replaced.
  CHECK(merged("-i eth0 -p tcp", "-i eth1") == "-p tcp -i eth1");
  CHECK(merged("--in-interface eth0 -s 10.0.0.1", "-i eth1 --src 10.0.0.2") ==
        "-i eth1 --src 10.0.0.2");
  CHECK(merged("-ptcp --dport 22", "--dp=80 -p udp") == "--dp=80 -p udp");
  CHECK(merged("--ttl 5", "--hoplimit 7") == "--hoplimit 7");
  // One field, two spellings.
  CHECK(merged("-p tcp --syn", "--tcp-flags ALL ACK") == "-p tcp --tcp-flags ALL ACK");
  CHECK(merged("--payload abc", "--payload-hex 00") == "--payload-hex 00");
  // Other options stay, defaults first.
  CHECK(merged("-i eth0", "-o eth1") == "-i eth0 -o eth1");
  CHECK(merged("", "-p udp") == "-p udp");
  CHECK(merged("-p udp", "") == "-p udp");
  // The embedded packet: the packet's --inner replaces the defaults' whole
  // embedded packet; else the defaults' comes after the packet's words.
  CHECK(merged("-p icmp --icmp-type 3/3 --inner -p udp", "-s 10.0.0.1") ==
        "-p icmp --icmp-type 3/3 -s 10.0.0.1 --inner -p udp");
  CHECK(merged("--icmp-type 3/3 --inner -p udp", "--inner -p tcp") ==
        "--icmp-type 3/3 --inner -p tcp");
  // Words that are not options stay where they are (the parser reports them).
  CHECK(merged("-i eth0 stray", "-i eth1") == "stray -i eth1");
}

TEST_CASE("packet spec: what the wire cannot carry is refused with its size") {
  // 8190 destination options headers (65520 bytes) and a UDP header: 65528
  // bytes of payload, whole; the UDP header lies past offset 65535.
  std::string ext = "dst";
  for (int i = 1; i < 8190; ++i) ext += ",dst";
  Packet p = Pkt("-p udp --dport 53 --ext-hdr " + ext, Family::kIPv6);
  CHECK(p.bytes.size() == 40 + 65528);
  CHECK(PacketView::Of(p).thoff == 65560);
  CHECK(Error("-p udp --dport 53 --ext-hdr " + ext + ",dst", Family::kIPv6).rfind(
            "packets:1:29: error: the packet would have 65536 bytes of IPv6 payload: at most 65535 "
            "without jumbograms (its payload length field)\n", 0) == 0);
  CHECK(Error("-p icmp --icmp-type 3 --inner --len 65535") ==
        "packets:1:23: error: the packet would be 65563 bytes long: an IPv4 datagram is at most "
        "65535 bytes (its total length field)\n"
        "-p icmp --icmp-type 3 --inner --len 65535\n"
        "                      ^~~~~~~\n");
  // The first embedded packet holds the second whole and is too long.
  CHECK(Error("-p icmp --icmp-type 3 --inner -p icmp --icmp-type 3 --inner --len 65520") ==
        "packets:1:23: error: the packet after --inner would be 65548 bytes long: an IPv4 datagram "
        "is at most 65535 bytes (its total length field)\n"
        "-p icmp --icmp-type 3 --inner -p icmp --icmp-type 3 --inner --len 65520\n"
        "                      ^~~~~~~\n");
  // At the limit: built whole.
  CHECK(Pkt("-p icmp --icmp-type 3 --inner --len 65507").bytes.size() == 65535);
  CHECK(Pkt("--len 65535 -p udp").bytes.size() == 65535);
}
