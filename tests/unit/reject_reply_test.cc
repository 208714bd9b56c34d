// REJECT's replies (engine/reject_reply.h).  The expected lines are the
// kernel's, from corpus/scenarios/reject-reply-v4 and -v6 (captured with
// scripts/capture-differential.sh); the ICMPv4 ID and ICMPv6 flow label the
// kernel picks at random are written 0 by iptsim (and here).
#include <catch2/catch.hpp>

#include <sstream>

#include "engine/eval.h"
#include "engine/log_format.h"
#include "engine/packet_builder.h"
#include "engine/reject_reply.h"
#include "loader/packet_spec.h"
#include "tests/unit/test_util.h"

namespace iptsim {
namespace {

using testing::PacketFromText;

RejectReply Reply(const Packet& p, uint8_t with, Hook hook = Hook::kLocalIn,
                  std::optional<IpAddr> route_src = std::nullopt) {
  PacketView v = PacketView::Of(p);
  return BuildRejectReply(p, v, p.family == Family::kIPv6, with, hook, route_src);
}

std::string Line(const RejectReply& r) {
  REQUIRE(r.built);
  return FormatTraceLine("raw", "OUTPUT", "policy", 3, r.packet);
}

TEST_CASE("REJECT: ICMPv4 port unreachable quotes the original", "[reject]") {
  Packet p = PacketFromText(
      "-i d0 -s 10.200.3.1 -d 10.200.3.2 -p udp --sport 40000 --dport 6501 --id 100");
  RejectReply r = Reply(p, 3);
  CHECK(r.packet.out.view() == "d0");
  CHECK(Line(r) ==
        "TRACE: raw:OUTPUT:policy:3 IN= OUT=d0 SRC=10.200.3.2 DST=10.200.3.1 LEN=56 TOS=0x00 "
        "PREC=0xC0 TTL=64 ID=0 PROTO=ICMP TYPE=3 CODE=3 [SRC=10.200.3.1 DST=10.200.3.2 LEN=28 "
        "TOS=0x00 PREC=0x00 TTL=64 ID=100 PROTO=UDP SPT=40000 DPT=6501 LEN=8 ] ");
}

TEST_CASE("REJECT: ICMPv4 keeps the TOS bits, sets precedence 0xC0", "[reject]") {
  Packet p = PacketFromText(
      "-i d0 -s 10.200.3.1 -d 10.200.3.2 -p udp --sport 40003 --dport 6503 "
      "--tos 0x10 --payload-hex 0102 --id 103");
  CHECK(Line(Reply(p, 8)) ==
        "TRACE: raw:OUTPUT:policy:3 IN= OUT=d0 SRC=10.200.3.2 DST=10.200.3.1 LEN=58 TOS=0x10 "
        "PREC=0xC0 TTL=64 ID=0 PROTO=ICMP TYPE=3 CODE=13 [SRC=10.200.3.1 DST=10.200.3.2 LEN=30 "
        "TOS=0x10 PREC=0x00 TTL=64 ID=103 PROTO=UDP SPT=40003 DPT=6503 LEN=10 ] ");
}

TEST_CASE("REJECT: ICMPv4 error about a forwarded packet: 576 bytes, source from the route",
          "[reject]") {
  Packet p = PacketFromText(
      "-i d0 -o e0 -s 10.200.3.1 -d 10.200.4.1 -p udp --sport 40006 --dport 6505 "
      "--len 700 --id 106 --ttl 63");
  // Without a host model the source is not known.
  RejectReply none = Reply(p, 0, Hook::kForward);
  CHECK(!none.built);
  CHECK(none.undecided);
  IpAddr src;
  REQUIRE(ParseIpAddr(Family::kIPv4, "10.200.3.2", &src));
  CHECK(Line(Reply(p, 0, Hook::kForward, src)) ==
        "TRACE: raw:OUTPUT:policy:3 IN= OUT=d0 SRC=10.200.3.2 DST=10.200.3.1 LEN=576 TOS=0x00 "
        "PREC=0xC0 TTL=64 ID=0 PROTO=ICMP TYPE=3 CODE=0 [SRC=10.200.3.1 DST=10.200.4.1 LEN=700 "
        "TOS=0x00 PREC=0x00 TTL=63 ID=106 PROTO=UDP SPT=40006 DPT=6505 LEN=680 ] ");
}

TEST_CASE("REJECT: TCP reset to a SYN acknowledges it", "[reject]") {
  Packet p = PacketFromText(
      "-i d0 -s 10.200.3.1 -d 10.200.3.2 -p tcp --sport 40001 --dport 6502 --syn "
      "--seq 1000 --id 101");
  CHECK(Line(Reply(p, kRejectTcpReset4)) ==
        "TRACE: raw:OUTPUT:policy:3 IN= OUT=d0 SRC=10.200.3.2 DST=10.200.3.1 LEN=40 TOS=0x00 "
        "PREC=0x00 TTL=64 ID=0 DF PROTO=TCP SPT=6502 DPT=40001 SEQ=0 ACK=1001 WINDOW=0 "
        "RES=0x00 ACK RST URGP=0 ");
}

TEST_CASE("REJECT: TCP reset to an ACK takes its sequence from the ACK number", "[reject]") {
  Packet p = PacketFromText(
      "-i d0 -s 10.200.3.1 -d 10.200.3.2 -p tcp --sport 40002 --dport 6502 "
      "--tcp-flags ACK,PSH ACK,PSH --seq 5 --ack 77 --payload hello --id 102");
  CHECK(Line(Reply(p, kRejectTcpReset4)) ==
        "TRACE: raw:OUTPUT:policy:3 IN= OUT=d0 SRC=10.200.3.2 DST=10.200.3.1 LEN=40 TOS=0x00 "
        "PREC=0x00 TTL=64 ID=0 DF PROTO=TCP SPT=6502 DPT=40002 SEQ=77 ACK=0 WINDOW=0 RES=0x00 "
        "RST URGP=0 ");
  // A forwarded packet's reset comes from the original's destination.
  Packet f = PacketFromText(
      "-i d0 -o e0 -s 10.200.3.1 -d 10.200.4.1 -p tcp --sport 40007 --dport 6506 "
      "--tcp-flags FIN,ACK FIN,ACK --seq 9 --ack 10 --id 107");
  CHECK(Line(Reply(f, kRejectTcpReset4, Hook::kForward)) ==
        "TRACE: raw:OUTPUT:policy:3 IN= OUT=d0 SRC=10.200.4.1 DST=10.200.3.1 LEN=40 TOS=0x00 "
        "PREC=0x00 TTL=64 ID=0 DF PROTO=TCP SPT=6506 DPT=40007 SEQ=10 ACK=0 WINDOW=0 RES=0x00 "
        "RST URGP=0 ");
}

TEST_CASE("REJECT: packets the kernel does not answer", "[reject]") {
  // A reset for a reset.
  CHECK(!Reply(PacketFromText("-i d0 -p tcp --tcp-flags RST RST"), kRejectTcpReset4).built);
  // A reset for UDP.
  CHECK(!Reply(PacketFromText("-i d0 -p udp"), kRejectTcpReset4).built);
  // A non-first fragment.
  CHECK(!Reply(PacketFromText("-i d0 -p udp --frag 8"), 3).built);
  // An ICMP error about an ICMP error; an echo request does get one.
  CHECK(!Reply(PacketFromText("-i d0 -p icmp --icmp-type 3/3"), 3).built);
  CHECK(Reply(PacketFromText("-i d0 -p icmp --icmp-type 8"), 3).built);
  // Broadcast and multicast destinations.
  CHECK(!Reply(PacketFromText("-i d0 -d 255.255.255.255 -p udp"), 3).built);
  CHECK(!Reply(PacketFromText("-i d0 -d 224.0.0.1 -p udp"), 3).built);
  // A bad transport checksum (the datagram cut short by --len).
  CHECK(!Reply(PacketFromText("-i d0 -p tcp --payload hello --len 44"), kRejectTcpReset4).built);
  // None of these is "undecided": the kernel sends nothing.
  CHECK(!Reply(PacketFromText("-i d0 -p tcp --tcp-flags RST RST"), kRejectTcpReset4).undecided);
}

TEST_CASE("REJECT: ICMPv6 errors and resets", "[reject]") {
  Packet p = PacketFromText(
      "-i d0 -s fd00:200:3::1 -d fd00:200:3::2 -p udp --sport 40003 --dport 6503 "
      "--tos 0x10 --flowlabel 77 --payload-hex 0102",
      Family::kIPv6);
  CHECK(Line(Reply(p, 1)) ==
        "TRACE: raw:OUTPUT:policy:3 IN= OUT=d0 SRC=fd00:0200:0003:0000:0000:0000:0000:0002 "
        "DST=fd00:0200:0003:0000:0000:0000:0000:0001 LEN=98 TC=0 HOPLIMIT=64 FLOWLBL=0 "
        "PROTO=ICMPv6 TYPE=1 CODE=1 [SRC=fd00:0200:0003:0000:0000:0000:0000:0001 "
        "DST=fd00:0200:0003:0000:0000:0000:0000:0002 LEN=50 TC=16 HOPLIMIT=64 FLOWLBL=77 "
        "PROTO=UDP SPT=40003 DPT=6503 LEN=10 ] ");
  // At most 1280 bytes.
  Packet big =
      PacketFromText("-i d0 -s fd00:200:3::1 -d fd00:200:3::2 -p udp --len 1400", Family::kIPv6);
  RejectReply rb = Reply(big, 4);
  REQUIRE(rb.built);
  CHECK(rb.packet.bytes.size() == 1280);
  Packet syn = PacketFromText(
      "-i d0 -s fd00:200:3::1 -d fd00:200:3::2 -p tcp --sport 40001 --dport 6502 "
      "--syn --seq 1000",
      Family::kIPv6);
  CHECK(Line(Reply(syn, kRejectTcpReset6)) ==
        "TRACE: raw:OUTPUT:policy:3 IN= OUT=d0 SRC=fd00:0200:0003:0000:0000:0000:0000:0002 "
        "DST=fd00:0200:0003:0000:0000:0000:0000:0001 LEN=60 TC=0 HOPLIMIT=64 FLOWLBL=0 "
        "PROTO=TCP SPT=6502 DPT=40001 SEQ=0 ACK=1001 WINDOW=0 RES=0x00 ACK RST URGP=0 ");
  // No error about an ICMPv6 error; multicast destinations get none.
  CHECK(!Reply(PacketFromText("-i d0 -p icmpv6 --icmpv6-type 1/4", Family::kIPv6), 4).built);
  CHECK(!Reply(PacketFromText("-i d0 -d ff02::1 -p udp", Family::kIPv6), 4).built);
}

}  // namespace
}  // namespace iptsim
