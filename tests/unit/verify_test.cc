// `iptsim verify`'s parts that need no root (verifier/verify.h,
// verifier/host_spec.h): the added TRACE rules, the lab implied by the
// packets, the normalisations, the unified diff, the host file.
#include "verifier/verify.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "loader/host_file.h"
#include "engine/packet_builder.h"
#include "loader/loader.h"
#include "loader/packet_spec.h"

using namespace iptsim;
using namespace iptsim::verifier;

namespace {

Packet Build(const std::string& line, Family f = Family::kIPv4) {
  PacketSpec spec;
  Diagnostic d;
  REQUIRE(ParsePacketLine(line, f, &spec, &d));
  return BuildPacket(spec);
}

}  // namespace

TEST_CASE("AddTraceRules inserts into the raw table or appends one", "[verify]") {
  const std::string with_raw =
      "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p tcp -j ACCEPT\n"
      "COMMIT\n*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -j ACCEPT\nCOMMIT\n";
  uint32_t at = 0, n = 0;
  std::string out = AddTraceRules(with_raw, true, true, &at, &n);
  CHECK(at == 5);
  CHECK(n == 2);
  CHECK(out ==
        "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p tcp -j ACCEPT\n"
        "-I PREROUTING 1 -j TRACE\n-I OUTPUT 1 -m owner --socket-exists -j TRACE\n"
        "COMMIT\n*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp -j ACCEPT\nCOMMIT\n");
  LoadResult r = LoadRuleset(out, "x");
  REQUIRE(r.ok());
  CHECK(HasTraceRule(r.ruleset));
  const Chain* pre = r.ruleset.FindTable(TableId::kRaw)->FindChain("PREROUTING");
  REQUIRE(pre->rules.size() == 2);
  CHECK(pre->rules[0].text == "-I PREROUTING 1 -j TRACE");  // rule 1: the trace starts at rule 2
  CHECK_FALSE(HasTraceRule(LoadRuleset(with_raw, "x").ruleset));

  // No raw table: one appended (no newline at the end of the input).
  const std::string no_raw = "*filter\n:INPUT DROP [0:0]\nCOMMIT";
  CHECK(AddTraceRules(no_raw, true, false, &at, &n) ==
        "*filter\n:INPUT DROP [0:0]\nCOMMIT\n*raw\n:PREROUTING ACCEPT [0:0]\n"
        "-I PREROUTING 1 -j TRACE\nCOMMIT\n");
  CHECK(at == 4);
  CHECK(n == 4);
  CHECK(AddTraceRules(no_raw, false, false) == no_raw);
  CHECK(LoadRuleset(AddTraceRules(no_raw, false, true), "x").ok());
}

TEST_CASE("PathLabSpec gives the kernel the paths the simulation assumes", "[verify]") {
  std::vector<Packet> p = {
      Build("-i a0 -d 10.9.0.1 -p udp"),          // local: address on a0
      Build("-i a0 -o b0 -d 10.9.0.2 -p udp"),    // forwarded: route via b0, forwarding
      Build("-o b0 -d 10.9.0.3 -p tcp --uid 5"),  // local out: route via b0
      Build("-i a0 -o b0 -d 10.9.0.1 -p udp"),    // conflicts with packet 1
      Build("-i a0 -d 255.255.255.255 -p udp"),   // broadcast: nothing
  };
  std::vector<std::string> notes;
  LabSpec s = PathLabSpec(p, &notes);
  REQUIRE(s.interfaces.size() == 2);
  CHECK(s.interfaces[0].name == "a0");
  CHECK(s.interfaces[0].addresses == std::vector<std::string>{"10.9.0.1/32"});
  CHECK(s.interfaces[1].name == "b0");
  CHECK(s.ip_forward);
  CHECK(s.routes == std::vector<std::string>{"10.9.0.2/32 dev b0", "10.9.0.3/32 dev b0"});
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].rfind("packet 4: the lab makes 10.9.0.1 local for packet 1", 0) == 0);

  LabSpec v6 = PathLabSpec({Build("-i a0 -d fd00::5 -p udp", Family::kIPv6)});
  REQUIRE(v6.interfaces.size() == 1);
  CHECK(v6.interfaces[0].addresses == std::vector<std::string>{"fd00::5/128"});
  CHECK_FALSE(v6.ip_forward);
}

TEST_CASE("nf_tables trace ids: the kernel's take the simulation's in order", "[verify]") {
  std::vector<std::string> kernel = {
      "PACKET: 2 9a8b7c6d IN=d0 SRC=1.2.3.4",
      " TRACE: 2 9a8b7c6d raw:PREROUTING:policy:ACCEPT ",
      " TRACE: 2 01020304 raw:OUTPUT:policy:ACCEPT ",  // a second packet (kernel-made)
      "LOG: IN=d0 ID=5",
  };
  const std::vector<std::string> sim = {
      "PACKET: 2 514e28b7 IN=d0 SRC=1.2.3.4",
      " TRACE: 2 514e28b7 raw:PREROUTING:policy:ACCEPT ",
  };
  MatchNftTraceIds(&kernel, sim);
  CHECK(kernel[0] == sim[0]);
  CHECK(kernel[1] == sim[1]);
  CHECK(kernel[2] == " TRACE: 2 01020304 raw:OUTPUT:policy:ACCEPT ");  // no counterpart: kept
  CHECK(kernel[3] == "LOG: IN=d0 ID=5");
}

TEST_CASE("a generated IPv4 ID is shown as the simulated 0", "[verify]") {
  std::vector<std::string> lines = {
      "TRACE: raw:OUTPUT:policy:2 IN= OUT=e0 SRC=1.1.1.1 DST=2.2.2.2 LEN=28 TOS=0x00 PREC=0x00 "
      "TTL=64 ID=57842 PROTO=UDP",
      "x: IN= OUT=e0 SRC=1.1.1.1 LEN=56 ID=4 PROTO=ICMP TYPE=3 [SRC=2.2.2.2 LEN=28 ID=77 ]"};
  std::vector<std::string> copy = lines;
  MatchGeneratedIpv4Id(Build("-o e0 -p udp --id 9 --uid 0"), &copy);  // ID given: untouched
  CHECK(copy == lines);
  MatchGeneratedIpv4Id(Build("-i d0 -p udp"), &copy);  // received: untouched
  CHECK(copy == lines);
  MatchGeneratedIpv4Id(Build("-o e0 -p udp --uid 0"), &copy);
  CHECK(copy[0].find(" ID=0 PROTO=UDP") != std::string::npos);
  CHECK(copy[1] ==
        "x: IN= OUT=e0 SRC=1.1.1.1 LEN=56 ID=0 PROTO=ICMP TYPE=3 [SRC=2.2.2.2 LEN=28 ID=77 ]");
  std::vector<std::string> v6 = {"TRACE: x ID=5 "};
  MatchGeneratedIpv4Id(Build("-o e0 -p udp", Family::kIPv6), &v6);
  CHECK(v6[0] == "TRACE: x ID=5 ");
}

TEST_CASE("unified diff", "[verify]") {
  CHECK(UnifiedDiff({"a", "b"}, {"a", "b"}, "k", "s") == "");
  CHECK(UnifiedDiff({}, {"x"}, "k", "s") == "--- k\n+++ s\n@@ -0,0 +1 @@\n+x\n");
  CHECK(UnifiedDiff({"x", "y"}, {}, "k", "s") == "--- k\n+++ s\n@@ -1,2 +0,0 @@\n-x\n-y\n");
  CHECK(UnifiedDiff({"1", "2", "3", "4", "5", "6", "7", "8", "9"},
                    {"1", "2", "3", "4", "X", "6", "7", "8", "9"}, "k",
                    "s") == "--- k\n+++ s\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n");
  // Two changes far apart: two hunks; close together: one.
  std::vector<std::string> a, b;
  for (int i = 0; i < 20; ++i) a.push_back(std::to_string(i));
  b = a;
  b[1] = "one";
  b[18] = "eighteen";
  CHECK(UnifiedDiff(a, b, "k", "s") ==
        "--- k\n+++ s\n@@ -1,5 +1,5 @@\n 0\n-1\n+one\n 2\n 3\n 4\n"
        "@@ -16,5 +16,5 @@\n 15\n 16\n 17\n-18\n+eighteen\n 19\n");
  b = a;
  b[5] = "five";
  b[10] = "ten";
  CHECK(UnifiedDiff(a, b, "k", "s").find("@@ -3,12 +3,12 @@\n") != std::string::npos);
}

TEST_CASE("the lab of a host model", "[verify]") {
  HostModel h;
  DiagnosticSink diags;
  REQUIRE(
      ParseHostModel("iface d0,addr=10.200.3.2/24,addr=fd00:200:3::2/64,mac=02:00:00:00:03:02\n"
                     "iface t0,tun,mtu=1400\n"
                     "iface e0,addr=10.200.4.2/24,peer=02:00:00:00:04:01\n"
                     "route 198.51.100.0/24 via 10.200.4.1 dev e0\n"
                     "forward\n"
                     "sysctl net.ipv4.conf.all.rp_filter=1\n",
                     "h", &h, &diags));
  LabSpec s = LabSpecFromHost(h);
  REQUIRE(s.interfaces.size() == 3);  // lo left out
  CHECK(s.interfaces[0].name == "d0");
  CHECK(s.interfaces[0].mac == "02:00:00:00:03:02");
  CHECK(s.interfaces[0].addresses == std::vector<std::string>{"10.200.3.2/24", "fd00:200:3::2/64"});
  CHECK(s.interfaces[1].tun);
  CHECK(s.interfaces[1].mtu == 1400);
  CHECK(s.interfaces[2].peer_mac == "02:00:00:00:04:01");
  CHECK(s.interfaces[2].mtu == 0);
  CHECK(s.routes == std::vector<std::string>{"198.51.100.0/24 via 10.200.4.1 dev e0"});
  CHECK(s.ip_forward);
  CHECK(std::find(s.sysctls.begin(), s.sysctls.end(),
                  std::make_pair(std::string("net.ipv4.conf.all.rp_filter"), std::string("1"))) !=
        s.sysctls.end());
  CHECK(ValidateLabSpec(s).ok());
}

TEST_CASE("random fields of kernel-made ICMP errors are masked", "[verify]") {
  std::vector<std::string> l = {
      "TRACE: filter:OUTPUT:policy:1 IN= OUT=d0 SRC=10.200.3.2 DST=10.200.3.1 LEN=56 TOS=0x00 "
      "PREC=0xC0 TTL=64 ID=43210 PROTO=ICMP TYPE=3 CODE=3 [SRC=10.200.3.1 DST=10.200.3.2 LEN=28 "
      "TOS=0x00 PREC=0x00 TTL=64 ID=5 PROTO=UDP SPT=1 DPT=2 LEN=8 ] ",
      "TRACE: filter:OUTPUT:policy:1 IN= OUT=d0 SRC=fd00::2 DST=fd00::1 LEN=96 TC=0 HOPLIMIT=64 "
      "FLOWLBL=734217 PROTO=ICMPv6 TYPE=1 CODE=4 [SRC=fd00::1 DST=fd00::2 LEN=48 TC=0 "
      "HOPLIMIT=64 FLOWLBL=9 PROTO=UDP SPT=1 DPT=2 LEN=8 ] ",
      "TRACE: filter:INPUT:policy:1 IN=d0 OUT= SRC=1.1.1.1 LEN=28 TOS=0x00 PREC=0xC0 TTL=64 ID=7 "
      "PROTO=ICMP TYPE=8 CODE=0 ID=1 SEQ=1 ",  // received, and an echo request: kept
  };
  std::vector<std::string> want = l;
  want[0].replace(want[0].find("ID=43210"), 8, "ID=*");
  want[1].replace(want[1].find("FLOWLBL=734217"), 14, "FLOWLBL=*");
  MaskIcmpErrorFields(&l);
  CHECK(l == want);
}
