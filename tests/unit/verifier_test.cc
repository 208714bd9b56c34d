// The verifier's pure parts (no root): /dev/kmsg records, which log lines
// belong to a lab, hex and frames to packets, lab specs, the caveats of
// injection.
#include <catch2/catch.hpp>

#include "verifier/capture.h"
#include "verifier/inject.h"
#include "verifier/kmsg.h"
#include "verifier/lab.h"

using namespace iptsim;
using namespace iptsim::verifier;

TEST_CASE("kmsg records", "[verifier]") {
  KmsgRecord r;
  REQUIRE(ParseKmsgRecord("4,2731,1234567,-;TRACE: raw:PREROUTING:policy:2 IN=d0 OUT= \n", &r));
  CHECK(r.seq == 2731);
  CHECK(r.level == 4);
  CHECK(r.usec == 1234567);
  CHECK(r.text == "TRACE: raw:PREROUTING:policy:2 IN=d0 OUT= ");  // trailing space kept

  // Facility bits above the level; continuation lines dropped; \xNN undone.
  REQUIRE(ParseKmsgRecord("15,7,8,c,more;a\\x5cb\\x01c\n SUBSYSTEM=net\n", &r));
  CHECK(r.level == 7);
  CHECK(r.text == std::string("a\\b\x01" "c"));

  CHECK_FALSE(ParseKmsgRecord("no semicolon", &r));
  CHECK_FALSE(ParseKmsgRecord("x,1,2,-;text", &r));
}

TEST_CASE("which kernel-log lines belong to a lab", "[verifier]") {
  const std::vector<std::string> devs = {"d0", "b0", "lo"};
  CHECK(IsLabLogLine("TRACE: raw:PREROUTING:policy:2 IN=d0 OUT= MAC=02:00", devs));
  CHECK(IsLabLogLine("TRACE: raw:OUTPUT:policy:2 IN= OUT=lo SRC=10.0.0.1", devs));
  CHECK(IsLabLogLine("TRACE: filter:FORWARD:rule:1 IN=d0 OUT=b0 MAC=", devs));
  CHECK(IsLabLogLine("N1-LOG: IN=b0 OUT= MAC=02:00", devs));
  CHECK(IsLabLogLine("noSpaceIN=d0 OUT= MAC=02:00", devs));  // LOG prefix without a space
  // A prefix that itself looks like the device part.
  CHECK(IsLabLogLine("IN=x OUT=y IN=d0 OUT= MAC=", devs));
  // Other namespaces' devices, and lines that are not netfilter's.
  CHECK_FALSE(IsLabLogLine("TRACE: raw:PREROUTING:policy:2 IN=eth0 OUT= MAC=", devs));
  CHECK_FALSE(IsLabLogLine("TRACE: filter:FORWARD:rule:1 IN=d0 OUT=eth1 MAC=", devs));
  CHECK_FALSE(IsLabLogLine("IN= OUT= SRC=1.2.3.4", devs));
  CHECK_FALSE(IsLabLogLine("e1000e: eth0 NIC Link is Up", devs));
  CHECK_FALSE(IsLabLogLine("IN=d0", devs));
}

TEST_CASE("hex and frames to packets", "[verifier]") {
  std::vector<uint8_t> b;
  CHECK(ParseHex("45 00:00-1c\n", &b));
  CHECK(b == std::vector<uint8_t>{0x45, 0x00, 0x00, 0x1c});
  CHECK_FALSE(ParseHex("4", &b));
  CHECK_FALSE(ParseHex("4 5", &b));
  CHECK_FALSE(ParseHex("zz", &b));

  std::vector<uint8_t> frame;
  REQUIRE(ParseHex("020000000302" "020000000301" "0800" "4500001c", &frame));
  Packet p;
  std::string err;
  REQUIRE(PacketFromFrame(frame, "d0", &p, &err));
  CHECK(p.family == Family::kIPv4);
  CHECK(p.mac_len == 14);
  CHECK(p.mac[5] == 0x02);
  CHECK(p.mac[11] == 0x01);
  CHECK(p.bytes == std::vector<uint8_t>{0x45, 0x00, 0x00, 0x1c});
  CHECK(p.in == "d0");
  CHECK_FALSE(PacketFromFrame(frame, "", &p, &err));
  frame[12] = 0x08;
  frame[13] = 0x06;  // ARP
  CHECK_FALSE(PacketFromFrame(frame, "d0", &p, &err));
  CHECK(err == "ethertype 0x0806 is neither IPv4 (0x0800) nor IPv6 (0x86dd)");

  REQUIRE(PacketFromDatagram({0x60, 0, 0, 0}, "", &p, &err));
  CHECK(p.family == Family::kIPv6);
  CHECK(p.in.empty());
  CHECK(p.mac_len == 0);
  CHECK_FALSE(PacketFromDatagram({0x50}, "", &p, &err));
}

TEST_CASE("lab specs are checked", "[verifier]") {
  LabSpec spec;
  spec.interfaces.push_back(LabInterface{});
  spec.interfaces[0].name = "d0";
  spec.interfaces[0].mac = "02:00:00:00:03:02";
  spec.interfaces[0].addresses = {"10.200.3.2/24", "fd00:200:3::2/64"};
  CHECK(ValidateLabSpec(spec).ok());
  LabSpec bad = spec;
  bad.interfaces[0].name = "lo";
  CHECK(ValidateLabSpec(bad).message() == "'lo' exists in every namespace and cannot be a lab interface");
  bad = spec;
  bad.interfaces[0].name = "averyveryverylong0";
  CHECK(ValidateLabSpec(bad).message() == "interface name 'averyveryverylong0' must have 1 to 15 characters");
  bad = spec;
  bad.interfaces[0].mac = "03:00:00:00:00:01";
  CHECK(ValidateLabSpec(bad).message() == "MAC address '03:00:00:00:00:01' is a multicast address");
  bad = spec;
  bad.interfaces[0].addresses = {"10.200.3.2"};
  CHECK(ValidateLabSpec(bad).message() == "invalid address '10.200.3.2' (want ADDRESS/PREFIXLEN)");
  bad = spec;
  bad.interfaces.push_back(bad.interfaces[0]);
  CHECK(ValidateLabSpec(bad).message() == "interface 'd0' given twice");
}

TEST_CASE("a spec is completed from the packets", "[verifier]") {
  std::vector<uint8_t> frame;
  REQUIRE(ParseHex("020000000302" "020000000301" "0800" "45", &frame));
  Packet rx, tun, tx;
  std::string err;
  REQUIRE(PacketFromFrame(frame, "d0", &rx, &err));
  REQUIRE(PacketFromDatagram({0x45}, "tun0", &tun, &err));
  REQUIRE(PacketFromDatagram({0x45}, "", &tx, &err));
  tx.out = IfaceName("e1");
  LabSpec spec;
  spec.interfaces.push_back(LabInterface{});
  spec.interfaces[0].name = "d0";  // MACs left open
  LabSpec full = CompleteLabSpec(spec, {rx, tun, tx});
  REQUIRE(full.interfaces.size() == 3);
  CHECK(full.interfaces[0].mac == "02:00:00:00:03:02");
  CHECK(full.interfaces[0].peer_mac == "02:00:00:00:03:01");
  CHECK(full.interfaces[1].name == "tun0");
  CHECK(full.interfaces[1].tun);
  CHECK(full.interfaces[2].name == "e1");
  CHECK_FALSE(full.interfaces[2].tun);
}
