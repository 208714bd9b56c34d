// --from-log with xtables-monitor --trace lines (loader/monitor_trace.h,
// loader/log_text.h), and the body of an ICMP error built from a payload.
#include <catch2/catch.hpp>

#include <string>

#include "engine/log_format.h"
#include "engine/packet_builder.h"
#include "loader/log_text.h"
#include "loader/monitor_trace.h"
#include "loader/packet_spec.h"

using namespace iptsim;

namespace {

PacketSpec Spec(const std::string& line, Family f = Family::kIPv4) {
  PacketSpec s;
  Diagnostic d;
  REQUIRE(ParsePacketLine(line, f, &s, &d));
  return s;
}

// The monitor's PACKET line of a packet, read back (with a matched rule's
// protocol when given), formatted again.
std::string RoundTrip(const std::string& packet, Family f, std::optional<uint8_t> hint = {}) {
  const std::string line = FormatXtablesMonitorPacket(BuildPacket(Spec(packet, f)), 0x0e8a1b1c);
  MonitorPacketLine m;
  Diagnostic d;
  REQUIRE(ParseMonitorPacketLine(line, f, &m, &d));
  CHECK(m.trace_id == 0x0e8a1b1c);
  m.hint_proto = hint;
  m.Resolve();
  const std::string again = FormatXtablesMonitorPacket(BuildPacket(m.spec), 0x0e8a1b1c);
  CHECK(again == line);
  return again;
}

}  // namespace

TEST_CASE("monitor: PACKET lines come back", "[from-log]") {
  RoundTrip("-i eth0 -s 10.0.0.1 -d 10.0.0.2 -p tcp --sport 1000 --dport 22 --syn --len 60 --df --id 7 --ttl 9", Family::kIPv4);
  RoundTrip("-i eth0 -o eth1 -p udp --dport 53 --mark 0x7 --tos 0xc0", Family::kIPv4);
  // IP option bytes of 0x80 and more print as FFFFFFxx.
  CHECK(RoundTrip("-o eth0 -p icmp --ip-option-hex 8307040a000001ff", Family::kIPv4)
            .find("OPT (FFFFFF8307040A000001FFFFFFFF) ") != std::string::npos);
  // A later fragment: the "ports" are its first data bytes.
  RoundTrip("-i eth0 -p udp --frag 24 --mf --id 5 --payload-hex 78797a7b0102", Family::kIPv4);
  RoundTrip("-i lo -p tcp --tcp-flags ALL ACK,PSH,FIN --dport 80", Family::kIPv4);
  RoundTrip("-i eth0 -s 2001:db8::1 -d 2001:db8::2 -p tcp --dport 22 --flowlabel 7 --hoplimit 3",
            Family::kIPv6);
  RoundTrip("-o eth0 -p icmpv6 --icmpv6-type 128 --len 100", Family::kIPv6);
  // IPv6 with an extension header: no ports although the rule says tcp.
  RoundTrip("-i eth0 -p tcp --ext-hdr dst --dport 22", Family::kIPv6, ipproto::kTcp);
}

TEST_CASE("monitor: the protocol", "[from-log]") {
  MonitorPacketLine m;
  Diagnostic d;
  REQUIRE(ParseMonitorPacketLine("PACKET: 2 00000001 OUT=e0 SRC=1.2.3.4 DST=5.6.7.8 LEN=28 TOS=0x0 TTL=64 ID=1 SPORT=1 DPORT=2 ",
                                 Family::kIPv4, &m, &d));
  m.Resolve();
  CHECK(m.spec.proto == ipproto::kUdp);  // ports, no flag, no rule: UDP
  m.hint_proto = ipproto::kSctp;
  m.Resolve();
  CHECK(m.spec.proto == ipproto::kSctp);
  REQUIRE(ParseMonitorPacketLine("PACKET: 2 00000001 OUT=e0 SRC=1.2.3.4 DST=5.6.7.8 LEN=28 TOS=0x0 TTL=64 ID=1 ",
                                 Family::kIPv4, &m, &d));
  m.Resolve();
  CHECK(m.spec.proto == ipproto::kIcmp);  // nothing shown: ICMP echo-request
  CHECK(!m.spec.icmp_type);
  m.hint_icmp = std::make_pair(uint8_t{0}, uint8_t{0});
  m.Resolve();
  CHECK(m.spec.icmp_type == 0);
}

TEST_CASE("monitor: the lines of a trace id", "[from-log]") {
  const std::string text =
      "PACKET: 2 0000000a IN=a0 MACSRC=2:0:0:0:0:1 MACDST=2:0:0:0:0:2 MACPROTO=0800 SRC=10.0.0.1 DST=10.1.0.1 LEN=28 TOS=0x0 TTL=64 ID=1 \n"
      " TRACE: 2 0000000a raw:PREROUTING:rule:0x3:CONTINUE  -4 -t raw -A PREROUTING -p icmp -m icmp --icmp-type 0 -j TRACE\n"
      "xtables-monitor says something\n"
      "PACKET: 2 0000000a IN=a0 OUT=b0 MACSRC=2:0:0:0:0:1 MACDST=2:0:0:0:0:2 MACPROTO=0800 SRC=10.0.0.1 DST=10.1.0.1 LEN=28 TOS=0x0 TTL=63 ID=1 \n"
      " TRACE: 2 0000000a filter:FORWARD:policy:ACCEPT \n"
      // The same id again, from the first hook: another packet.
      "PACKET: 2 0000000a IN=a0 MACSRC=2:0:0:0:0:1 MACDST=2:0:0:0:0:2 MACPROTO=0800 SRC=10.0.0.1 DST=10.1.0.1 LEN=28 TOS=0x0 TTL=64 ID=2 \n"
      " TRACE: 2 0000000a raw:PREROUTING:policy:ACCEPT \n"
      "PACKET: 10 0000000b OUT=e0 SRC=::1 DST=::2 LEN=28 TC=0 HOPLIMIT=64 FLOWLBL=0 \n";
  LogText t;
  Diagnostic d;
  REQUIRE(ReadLogText(text, Family::kIPv4, false, &t, &d));
  REQUIRE(t.packets.size() == 2);
  CHECK(t.other_family == 1);
  CHECK(t.packets[0].line == 1);
  CHECK(t.packets[0].spec.out == "b0");  // from the FORWARD line
  CHECK(t.packets[0].spec.ttl == 64);    // from the first line
  CHECK(t.packets[0].spec.proto == ipproto::kIcmp);
  CHECK(t.packets[0].spec.icmp_type == 0);  // the matched rule's --icmp-type
  CHECK(t.packets[1].line == 6);
  CHECK(t.packets[1].spec.id == 2);
  CHECK(t.packets[1].spec.out.empty());
  // A line of the other family given alone is an error.
  CHECK(!ReadLogText("PACKET: 10 0000000b OUT=e0 SRC=::1 DST=::2 LEN=28 TC=0 HOPLIMIT=64 FLOWLBL=0 ",
                     Family::kIPv4, true, &t, &d));
  CHECK(d.message == "an IPv6 packet, but the ruleset is IPv4");
  CHECK(d.col == 9);
}

TEST_CASE("ICMP error body from a payload", "[packet_spec]") {
  // Without --inner the payload is the whole body after the 8-byte header.
  Packet p = BuildPacket(Spec("-p icmp --icmp-type 3/3 --payload-hex 45000014"));
  REQUIRE(p.bytes.size() == 20 + 8 + 4);
  CHECK(p.bytes[28] == 0x45);
  // With --inner: the embedded packet, then the payload.
  p = BuildPacket(Spec("-p icmp --icmp-type 3/3 --payload-hex abcd --inner -p udp"));
  REQUIRE(p.bytes.size() == 20 + 8 + 28 + 2);
  CHECK(p.bytes[28] == 0x45);
  CHECK(p.bytes[56] == 0xab);
  p = BuildPacket(Spec("-p icmpv6 --icmpv6-type 1 --payload-hex 60", Family::kIPv6));
  CHECK(p.bytes.size() == 40 + 8 + 1);
}
