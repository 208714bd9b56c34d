// The log scanner of `iptsim replay` (loader/log_scanner.h): the prefixes
// of each log form taken off, records told apart, lost-line notes read,
// other lines skipped; the line normalisation of the comparison; and the
// grouping of xtables-monitor lines by trace id (output/replay_monitor.h).
#include <catch2/catch.hpp>

#include "loader/log_scanner.h"
#include "output/replay.h"
#include "output/replay_monitor.h"

using namespace iptsim;

namespace {
constexpr std::string_view kTrace =
    "TRACE: raw:PREROUTING:policy:2 IN=d0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=28 TOS=0x00 "
    "PREC=0x00 TTL=64 ID=1 PROTO=UDP SPT=1 DPT=2 LEN=8 ";
}

TEST_CASE("StripLogPrefix takes off each log form's prefix") {
  const std::string t(kTrace);
  CHECK(StripLogPrefix(t) == t);                                   // dmesg without time, journal -o cat
  CHECK(StripLogPrefix("[  123.456789] " + t) == t);               // dmesg
  CHECK(StripLogPrefix("[12.5]" + t) == t);                         // dmesg, no blank after
  CHECK(StripLogPrefix("[Mon Dec  7 20:29:25 2026] " + t) == t);  // dmesg -T
  CHECK(StripLogPrefix("Dec 07 20:29:25 fw kernel: " + t) == t);  // journal short
  CHECK(StripLogPrefix("Dec  7 20:29:25 fw kernel: [ 12.000001] " + t) == t);  // syslog
  CHECK(StripLogPrefix("2026-12-07T20:29:25+0000 fw kernel: " + t) == t);       // short-iso
  CHECK(StripLogPrefix("2026-12-07T20:29:25.123456+00:00 fw kernel: " + t) == t);  // rsyslog
  CHECK(StripLogPrefix("Dec 07 20:29:25.123456 fw kernel: " + t) == t);     // short-precise
  CHECK(StripLogPrefix("Mon 2026-12-07 20:29:25 UTC fw kernel: " + t) == t);  // short-full
  CHECK(StripLogPrefix("Dec  7 20:29:25 gw-1.example ulogd[812]: " + t) == t);  // any program
  CHECK(StripLogPrefix("6,1234,5678,-;" + t) == t);                            // /dev/kmsg
  CHECK(StripLogPrefix("4,99,100,c,caller=T1;" + t) == t);
  // A LOG prefix that looks like a time is the record's, not a header.
  CHECK(StripLogPrefix("fw: " + t) == "fw: " + t);
}

TEST_CASE("ScanLog finds records, lost-line notes and skips the rest") {
  const std::string log = "[ 1.0] eth0: link up\n"
                          "[ 2.0] " + std::string(kTrace) + "\n"
                          "Dec  7 20:29:25 fw kernel: net_ratelimit: 12 callbacks suppressed\n"
                          "** 3 printk messages dropped **\r\n"
                          "PACKET: 2 262a3b97 IN=hpr0 SRC=10.9.1.1 DST=10.9.1.254 LEN=60 TOS=0x0 TTL=64 ID=1\n"
                          " TRACE: 2 262a3b97 raw:PREROUTING:policy:ACCEPT \n"
                          "\n";
  ScannedLog s = ScanLog(log);
  CHECK(s.lines == 7);
  CHECK(s.skipped == 2);
  REQUIRE(s.records.size() == 5);
  CHECK(s.records[0].kind == LogRecordKind::kKernel);
  CHECK(s.records[0].line == 2);
  CHECK(s.records[0].text == kTrace);
  CHECK(s.records[1].kind == LogRecordKind::kLost);
  CHECK(s.records[1].lost == 12);
  CHECK(s.records[2].kind == LogRecordKind::kLost);
  CHECK(s.records[2].lost == 3);
  CHECK(s.records[3].kind == LogRecordKind::kMonitor);
  CHECK(s.records[4].kind == LogRecordKind::kMonitor);
  CHECK(s.records[4].line == 6);
}

TEST_CASE("NormaliseLogLine masks what the kernel fills at random") {
  CHECK(NormaliseLogLine("TRACE: filter:OUTPUT:rule:1 IN= OUT=d0 SRC=10.0.0.2 DST=10.0.0.1 LEN=56 "
                         "TOS=0x00 PREC=0xC0 TTL=64 ID=4711 PROTO=ICMP TYPE=3 CODE=3 [SRC=10.0.0.1 "
                         "DST=10.0.0.2 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=5 PROTO=UDP SPT=1 DPT=2 "
                         "LEN=8 ]   ") ==
        "TRACE: filter:OUTPUT:rule:1 IN= OUT=d0 SRC=10.0.0.2 DST=10.0.0.1 LEN=56 TOS=0x00 "
        "PREC=0xC0 TTL=64 ID=* PROTO=ICMP TYPE=3 CODE=3 [SRC=10.0.0.1 DST=10.0.0.2 LEN=28 "
        "TOS=0x00 PREC=0x00 TTL=64 ID=5 PROTO=UDP SPT=1 DPT=2 LEN=8 ]");
  // Not an error: the ID stays.
  CHECK(NormaliseLogLine(kTrace) == std::string(kTrace.substr(0, kTrace.size() - 1)));
  CHECK(NormaliseLogLine(" TRACE: 2 262a3b97 raw:PREROUTING:policy:ACCEPT ") ==
        " TRACE: 2 * raw:PREROUTING:policy:ACCEPT");
}

TEST_CASE("xtables-monitor lines grouped by trace id as the log streams by") {
  using replay_internal::MonitorGroups;
  using Front = MonitorGroups::Front;
  MonitorGroups groups(Family::kIPv4);
  size_t other_family = 0;
  const std::string packet =
      "PACKET: 2 0000000a IN=eth0 MACSRC=2:0:0:0:0:1 MACDST=2:0:0:0:0:2 MACPROTO=0800 "
      "SRC=10.0.0.1 DST=10.0.0.2 LEN=28 TOS=0x0 TTL=64 ID=1 SPORT=1 DPORT=2 ";
  const std::string raw = " TRACE: 2 0000000a raw:PREROUTING:policy:ACCEPT ";
  const std::string filter = " TRACE: 2 0000000a filter:INPUT:policy:ACCEPT ";
  auto add = [&](size_t seq, uint32_t line, const std::string& text) {
    return groups.Add(seq, {LogRecordKind::kMonitor, line, text}, &other_family);
  };
  REQUIRE(add(0, 1, packet));
  REQUIRE(add(1, 2, raw));
  REQUIRE(add(2, 3, packet));
  REQUIRE(add(3, 4, filter));
  REQUIRE(add(4, 5, raw));  // back at an earlier hook: the id's next packet
  CHECK_FALSE(add(5, 6, " TRACE: 10 0000000a raw:PREROUTING:policy:ACCEPT "));
  CHECK(other_family == 1);
  std::string id;
  std::vector<size_t> records;
  // The first group is complete (its id restarted): taken at its first line.
  REQUIRE(groups.AtFront(0, 6, false, &id, &records) == Front::kGroup);
  CHECK(id == "0000000a");
  CHECK(records == std::vector<size_t>{0, 1, 2, 3});
  CHECK(groups.AtFront(1, 6, false, &id, &records) == Front::kSkip);
  // The second may still grow, until kWindow lines pass without a line of it.
  CHECK(groups.AtFront(4, 6, false, &id, &records) == Front::kWait);
  CHECK(groups.AtFront(4, 5 + MonitorGroups::kWindow, false, &id, &records) == Front::kWait);
  // A line of the id after the window starts a new packet.
  REQUIRE(add(6, 6 + MonitorGroups::kWindow, filter));
  REQUIRE(groups.AtFront(4, 6 + MonitorGroups::kWindow, false, &id, &records) == Front::kGroup);
  CHECK(records == std::vector<size_t>{4});
  // A PACKET line no event follows joins the id's open group at the end.
  REQUIRE(add(7, 7 + MonitorGroups::kWindow, packet));
  CHECK(groups.AtFront(6, 7 + MonitorGroups::kWindow, false, &id, &records) == Front::kWait);
  groups.End();
  REQUIRE(groups.AtFront(6, 7 + MonitorGroups::kWindow, true, &id, &records) == Front::kGroup);
  CHECK(records == std::vector<size_t>{6, 7});
  CHECK(groups.AtFront(7, 7 + MonitorGroups::kWindow, true, &id, &records) == Front::kSkip);
}
