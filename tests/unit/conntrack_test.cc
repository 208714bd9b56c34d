// Connection tracking and NAT (engine/conntrack, engine/nat) and the
// evaluation of the conntrack-family extensions.  Expectations follow the
// kernel functions named in each case (nf_conntrack_in, the TCP state table
// of nf_conntrack_proto_tcp.c, get_unique_tuple, conntrack_mt...), never a
// run of iptsim.
#include <catch2/catch.hpp>

#include "base/jhash.h"
#include "engine/conntrack.h"
#include "engine/nat.h"
#include "engine/packet_builder.h"
#include "engine/run_state.h"
#include "engine/simulator.h"
#include "loader/loader.h"
#include "loader/packet_spec.h"
#include "engine/extension.h"
#include "tests/unit/test_util.h"

using namespace iptsim;
using iptsim::testing::PacketFromText;

namespace {

struct Seen {
  bool entry = false;
  bool untracked = false;
  CtInfo info = CtInfo::kNew;
  TcpCtState tcp = TcpCtState::kNone;
  uint32_t status = 0;
  uint64_t packets[2] = {0, 0};
};

// One packet through nf_conntrack_in (at PREROUTING for -i packets, OUTPUT
// otherwise) and, unless dropped, confirmation.
struct Flow {
  ConntrackTable table;
  Seen Send(const std::string& line, bool confirm = true, Family fam = Family::kIPv4) {
    Packet p = PacketFromText(line, fam);
    ConntrackPacket cp(table, nullptr, nullptr);
    cp.In(p.in.empty() ? Hook::kLocalOut : Hook::kPreRouting, p);
    Seen s;
    const CtRef& r = cp.ref();
    s.entry = r.entry != nullptr;
    s.untracked = r.untracked;
    s.info = r.info;
    if (r.entry) {
      s.tcp = r.entry->tcp_state;
      s.status = r.entry->status;
      s.packets[0] = r.entry->packets[0];
      s.packets[1] = r.entry->packets[1];
    }
    if (confirm) cp.Confirm();
    return s;
  }
};

const char* kC = "-i d0 -s 10.0.0.1 -d 10.0.0.2 -p tcp --sport 40000 --dport 80 ";
const char* kS = "-i d1 -s 10.0.0.2 -d 10.0.0.1 -p tcp --sport 80 --dport 40000 ";

std::string C(const std::string& rest) { return std::string(kC) + rest; }
std::string S(const std::string& rest) { return std::string(kS) + rest; }

}  // namespace

TEST_CASE("TCP handshake, data and close walk the kernel's state table", "[conntrack]") {
  Flow f;
  Seen s = f.Send(C("--tcp-flags ALL SYN --seq 1000"));
  CHECK(s.entry);
  CHECK(s.info == CtInfo::kNew);
  CHECK(s.tcp == TcpCtState::kSynSent);
  CHECK(f.table.size() == 1);  // confirmed
  s = f.Send(S("--tcp-flags ALL SYN,ACK --seq 5000 --ack 1001"));
  CHECK(s.info == CtInfo::kEstablishedReply);
  CHECK(s.tcp == TcpCtState::kSynRecv);
  CHECK((s.status & ips::kSeenReply));  // set after the tracker ran
  CHECK_FALSE((s.status & ips::kAssured));
  s = f.Send(C("--tcp-flags ALL ACK --seq 1001 --ack 5001"));
  CHECK(s.info == CtInfo::kEstablished);
  CHECK(s.tcp == TcpCtState::kEstablished);
  CHECK((s.status & ips::kAssured));  // SYN_RECV -> ESTABLISHED with a reply seen
  s = f.Send(C("--tcp-flags ALL PSH,ACK --seq 1001 --ack 5001 --payload hello"));
  CHECK(s.info == CtInfo::kEstablished);
  CHECK(s.packets[0] == 3);
  CHECK(s.packets[1] == 1);
  s = f.Send(C("--tcp-flags ALL FIN,ACK --seq 1006 --ack 5001"));
  CHECK(s.tcp == TcpCtState::kFinWait);
  s = f.Send(S("--tcp-flags ALL ACK --seq 5001 --ack 1007"));
  CHECK(s.tcp == TcpCtState::kCloseWait);
  s = f.Send(S("--tcp-flags ALL FIN,ACK --seq 5001 --ack 1007"));
  CHECK(s.tcp == TcpCtState::kLastAck);
  s = f.Send(C("--tcp-flags ALL ACK --seq 1007 --ack 5002"));
  CHECK(s.tcp == TcpCtState::kTimeWait);
  // A SYN in TIME_WAIT after a close reopens: the old entry dies, a new one
  // is NEW (-NF_REPEAT).
  s = f.Send(C("--tcp-flags ALL SYN --seq 90000"));
  CHECK(s.info == CtInfo::kNew);
  CHECK(s.tcp == TcpCtState::kSynSent);
  CHECK(f.table.size() == 1);
}

TEST_CASE("TCP packets the tracker refuses get no entry (INVALID)", "[conntrack]") {
  Flow f;
  // tcp_valid_flags: SYN+FIN is no valid combination.
  CHECK_FALSE(f.Send(C("--tcp-flags ALL SYN,FIN --seq 1")).entry);
  // tcp_conntracks[0][synack][sNO] = sIV: an unsolicited SYN-ACK.
  CHECK_FALSE(f.Send(C("--tcp-flags ALL SYN,ACK --seq 1 --ack 1")).entry);
  // [fin][sNO] = sIV.
  CHECK_FALSE(f.Send(C("--tcp-flags ALL FIN,ACK --seq 1 --ack 1")).entry);
  // No flags at all: invalid.
  CHECK_FALSE(f.Send(C("--tcp-flags ALL NONE --seq 1")).entry);
  CHECK(f.table.size() == 0);
  // An ACK in SYN_SENT (orig: [ack][sSS] = sIV) is invalid but the entry stays.
  f.Send(C("--tcp-flags ALL SYN --seq 1000"));
  CHECK_FALSE(f.Send(C("--tcp-flags ALL ACK --seq 1001 --ack 77")).entry);
  CHECK(f.table.size() == 1);
}

TEST_CASE("A mid-stream ACK is picked up (nf_conntrack_tcp_loose)", "[conntrack]") {
  Flow f;
  Seen s = f.Send(C("--tcp-flags ALL ACK --seq 777 --ack 888"));
  CHECK(s.entry);
  CHECK(s.info == CtInfo::kNew);
  CHECK(s.tcp == TcpCtState::kEstablished);
  s = f.Send(S("--tcp-flags ALL ACK --seq 888 --ack 777"));
  CHECK(s.info == CtInfo::kEstablishedReply);
  f.table.settings.tcp_loose = false;
  CHECK_FALSE(f.Send("-i d0 -s 10.0.0.9 -d 10.0.0.2 -p tcp --tcp-flags ALL ACK --seq 1 --ack 1").entry);
}

TEST_CASE("TCP window tracking: data beyond the receiver's window", "[conntrack]") {
  Flow f;
  f.Send(C("--tcp-flags ALL SYN --seq 1000"));
  f.Send(S("--tcp-flags ALL SYN,ACK --seq 5000 --ack 1001 --window 1000"));
  f.Send(C("--tcp-flags ALL ACK --seq 1001 --ack 5001"));
  // The server advertised 1000 bytes: data at 1001+5000 is over td_maxend
  // by more than the receiver's window: invalid.
  CHECK_FALSE(f.Send(C("--tcp-flags ALL PSH,ACK --seq 6001 --ack 5001 --payload x")).entry);
  // Within the window: fine.
  CHECK(f.Send(C("--tcp-flags ALL PSH,ACK --seq 1001 --ack 5001 --payload x")).entry);
  // An ACK of data the server never sent: "ACK is over upper bound".
  CHECK_FALSE(f.Send(C("--tcp-flags ALL ACK --seq 1002 --ack 99999")).entry);
}

TEST_CASE("RST answering a SYN kills the entry; the RST keeps it for its own path", "[conntrack]") {
  Flow f;
  f.Send(C("--tcp-flags ALL SYN --seq 1000"));
  Seen s = f.Send(S("--tcp-flags ALL RST,ACK --seq 0 --ack 1001"));
  CHECK(s.entry);
  CHECK(s.info == CtInfo::kEstablishedReply);
  CHECK(f.table.size() == 0);
  CHECK(f.Send(C("--tcp-flags ALL SYN --seq 1000")).info == CtInfo::kNew);
}

TEST_CASE("A packet dropped before confirmation leaves no entry", "[conntrack]") {
  Flow f;
  Seen s = f.Send("-i d0 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2", false);
  CHECK(s.info == CtInfo::kNew);
  CHECK(f.table.size() == 0);
  // The next datagram is NEW again, and after confirmation a second one
  // before any reply is still NEW (no SEEN_REPLY), the reply ESTABLISHED.
  f.Send("-i d0 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2");
  CHECK(f.Send("-i d0 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2").info == CtInfo::kNew);
  s = f.Send("-i d1 -s 10.0.0.2 -d 10.0.0.1 -p udp --sport 2 --dport 1");
  CHECK(s.info == CtInfo::kEstablishedReply);
  CHECK(f.Send("-i d0 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2").info ==
        CtInfo::kEstablished);
  // UDP: ASSURED only for a stream older than 2 s (udp_packet's stream_ts).
  CHECK_FALSE((f.Send("-i d0 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2 --time 1.5").status &
               ips::kAssured));
  CHECK((f.Send("-i d0 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2 --time 2.5").status &
         ips::kAssured));
}

TEST_CASE("Entries expire with the packets' --time", "[conntrack]") {
  Flow f;
  f.Send("-i d0 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2 --time 0");
  // nf_conntrack_udp_timeout 30 s: at 29.9 s the reply still finds it.
  CHECK(f.Send("-i d1 -s 10.0.0.2 -d 10.0.0.1 -p udp --sport 2 --dport 1 --time 29.9").info ==
        CtInfo::kEstablishedReply);
  // The reply refreshed it to 30 s (no stream yet): gone at 60.
  CHECK(f.Send("-i d1 -s 10.0.0.2 -d 10.0.0.1 -p udp --sport 2 --dport 1 --time 60").info ==
        CtInfo::kNew);
}

TEST_CASE("ICMP: echo request/reply, errors RELATED, unknown replies INVALID", "[conntrack]") {
  Flow f;
  // An echo reply without a request: icmp valid_new refuses it.
  CHECK_FALSE(f.Send("-i d1 -s 10.0.0.2 -d 10.0.0.1 -p icmp --icmp-type echo-reply --icmp-id 7").entry);
  Seen s = f.Send("-i d0 -s 10.0.0.1 -d 10.0.0.2 -p icmp --icmp-type echo-request --icmp-id 7");
  CHECK(s.info == CtInfo::kNew);
  s = f.Send("-i d1 -s 10.0.0.2 -d 10.0.0.1 -p icmp --icmp-type echo-reply --icmp-id 7");
  CHECK(s.info == CtInfo::kEstablishedReply);
  // Another id: no entry for the reply.
  CHECK_FALSE(f.Send("-i d1 -s 10.0.0.2 -d 10.0.0.1 -p icmp --icmp-type echo-reply --icmp-id 8").entry);

  f.Send("-i d0 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5 --dport 53");
  // A port unreachable from the server about that datagram: it travels in
  // the reply direction, RELATED (reply).
  s = f.Send("-i d1 -s 10.0.0.2 -d 10.0.0.1 -p icmp --icmp-type port-unreachable "
             "--inner -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 5 --dport 53");
  CHECK(s.entry);
  CHECK(s.info == CtInfo::kRelatedReply);
  // About a datagram nobody sent: no entry.
  CHECK_FALSE(f.Send("-i d1 -s 10.0.0.2 -d 10.0.0.1 -p icmp --icmp-type port-unreachable "
                     "--inner -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 6 --dport 53")
                  .entry);
}

TEST_CASE("Tuples and their inversion", "[conntrack]") {
  Packet p =
      PacketFromText("-s 1.2.3.4 -d 5.6.7.8 -p icmp --icmp-type timestamp-request --icmp-id 9");
  CtTuple t, r;
  REQUIRE(PacketTuple(PacketView::Of(p), &t));
  CHECK(t.icmp_type() == 13);
  CHECK(t.sport == 9);
  REQUIRE(InvertTuple(t, &r));
  CHECK(r.icmp_type() == 14);
  CHECK(r.src == t.dst);
  Packet q = PacketFromText("-s 1.2.3.4 -d 5.6.7.8 -p icmp --icmp-type echo-reply");
  REQUIRE(PacketTuple(PacketView::Of(q), &t));
  CHECK(InvertTuple(t, &r));  // 0 -> 8
  Packet e = PacketFromText("-s 1.2.3.4 -d 5.6.7.8 -p icmp --icmp-type router-advertisement");
  REQUIRE(PacketTuple(PacketView::Of(e), &t));
  CHECK_FALSE(InvertTuple(t, &r));
  Packet six = PacketFromText("-s 2001:db8::1 -d 2001:db8::2 -p icmpv6 --icmpv6-type echo-request",
                              Family::kIPv6);
  REQUIRE(PacketTuple(PacketView::Of(six), &t));
  REQUIRE(InvertTuple(t, &r));
  CHECK(r.icmp_type() == 129);
}

TEST_CASE("The kernel's jhash", "[nat]") {
  // lookup3's published check values: hashword of the empty key is the
  // initval mix; jhash of "" with initval 0 is 0xdeadbeef.
  CHECK(Jhash2(nullptr, 0, 0) == 0xdeadbeefu);
  // jhash_1word equals jhash2 of one word with the same initval.
  uint32_t w = 0x0a000001;
  CHECK(Jhash1Word(w, 7) == Jhash2(&w, 1, 7));
}

// ------------------------------------------------------------------ NAT

namespace {

struct Run {
  LoadResult lr;
  std::unique_ptr<Simulator> sim;
  explicit Run(const std::string& rules, std::optional<uint64_t> seed = std::nullopt) {
    lr = LoadRuleset(rules, "t");
    INFO(rules);
    REQUIRE(lr.ok());
    SimulatorOptions o;
    o.seed = seed;
    o.ct_host.iface_address = [](const IfaceName& dev, Family f,
                                 const IpAddr&) -> std::optional<IpAddr> {
      IpAddr a;
      if (dev.view() == "e0" && ParseIpAddr(f, "198.51.100.1", &a)) return a;
      if (dev.view() == "d0" && ParseIpAddr(f, "10.0.0.254", &a)) return a;
      return std::nullopt;
    };
    o.ct_host.primary_address = [](const IfaceName& dev, Family f) -> std::optional<IpAddr> {
      IpAddr a;
      if (dev.view() == "d0" && ParseIpAddr(f, "10.0.0.254", &a)) return a;
      return std::nullopt;
    };
    sim = std::make_unique<Simulator>(lr.ruleset, o);
  }
  // The packet's addresses and ports after the run, "SRC:SPORT>DST:DPORT".
  std::string Send(const std::string& line, Verdict* v = nullptr) {
    Packet p = PacketFromText(line);
    RunResult r = sim->Run(p, nullptr);
    if (v) *v = r.sim.verdict;
    PacketView view = PacketView::Of(p);
    CtTuple t;
    PacketTuple(view, &t);
    return FormatIpAddr(Family::kIPv4, t.src) + ":" + std::to_string(t.sport) + ">" +
           FormatIpAddr(Family::kIPv4, t.dst) + ":" + std::to_string(t.dport);
  }
};

uint16_t Checksum(const std::vector<uint8_t>& b, size_t from, size_t len) {
  return ChecksumFinish(ChecksumAdd(0, b.data() + from, len));
}

}  // namespace

TEST_CASE("SNAT binds the first packet, rewrites both directions", "[nat]") {
  Run r("*nat\n-A POSTROUTING -o e0 -j SNAT --to-source 198.51.100.7\nCOMMIT\n");
  CHECK(r.Send("-i d0 -o e0 -s 10.0.0.1 -d 203.0.113.5 -p udp --sport 1111 --dport 53") ==
        "198.51.100.7:1111>203.0.113.5:53");
  // The reply, to the SNAT address, is de-NATed in PREROUTING.
  CHECK(r.Send("-i e0 -o d0 -s 203.0.113.5 -d 198.51.100.7 -p udp --sport 53 --dport 1111") ==
        "203.0.113.5:53>10.0.0.1:1111");
  // Later packets of the original direction from the binding.
  CHECK(r.Send("-i d0 -o e0 -s 10.0.0.1 -d 203.0.113.5 -p udp --sport 1111 --dport 53") ==
        "198.51.100.7:1111>203.0.113.5:53");
}

TEST_CASE("SNAT port clash: another source port in the kernel's range", "[nat]") {
  Run r("*nat\n-A POSTROUTING -o e0 -j SNAT --to-source 198.51.100.7\nCOMMIT\n", 1);
  CHECK(r.Send("-i d0 -o e0 -s 10.0.0.1 -d 203.0.113.5 -p udp --sport 5000 --dport 53") ==
        "198.51.100.7:5000>203.0.113.5:53");
  // Same source port from another client: the tuple is taken; the kernel
  // searches 1024..65535 (the port is >= 1024) from a random offset.
  std::string s = r.Send("-i d0 -o e0 -s 10.0.0.2 -d 203.0.113.5 -p udp --sport 5000 --dport 53");
  CHECK(s.rfind("198.51.100.7:", 0) == 0);
  CHECK(s.find(":5000>") == std::string::npos);
  int port = std::stoi(s.substr(13, s.find('>') - 13));
  CHECK(port >= 1024);
  // A low port stays in its class: 1..511.
  r.Send("-i d0 -o e0 -s 10.0.0.1 -d 203.0.113.5 -p udp --sport 53 --dport 53");
  s = r.Send("-i d0 -o e0 -s 10.0.0.2 -d 203.0.113.5 -p udp --sport 53 --dport 53");
  port = std::stoi(s.substr(13, s.find('>') - 13));
  CHECK(port >= 1);
  CHECK(port <= 511);
  CHECK(port != 53);
}

TEST_CASE("DNAT with a port range keeps an in-range port, else the first free", "[nat]") {
  Run r("*nat\n-A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.9.9.9:80-81\n"
        "-A PREROUTING -p tcp --dport 81 -j DNAT --to-destination 10.9.9.9:80-81\nCOMMIT\n");
  CHECK(r.Send("-i d0 -o e0 -s 10.0.0.1 -d 10.0.0.254 -p tcp --sport 4000 --dport 8080") ==
        "10.0.0.1:4000>10.9.9.9:80");
  // The same client port again (another connection would clash on port 80
  // for the same client: it gets 81).
  CHECK(r.Send("-i d0 -o e0 -s 10.0.0.1 -d 10.0.0.253 -p tcp --sport 4000 --dport 8080") ==
        "10.0.0.1:4000>10.9.9.9:81");
  CHECK(r.Send("-i d0 -o e0 -s 10.0.0.1 -d 10.0.0.254 -p tcp --sport 4001 --dport 81") ==
        "10.0.0.1:4001>10.9.9.9:81");
}

TEST_CASE("MASQUERADE takes the output interface's address, REDIRECT the input's", "[nat]") {
  Run r("*nat\n-A POSTROUTING -o e0 -j MASQUERADE\n"
        "-A PREROUTING -i d0 -p tcp --dport 3128 -j REDIRECT --to-ports 8080\nCOMMIT\n");
  CHECK(r.Send("-i d0 -o e0 -s 10.0.0.1 -d 203.0.113.5 -p tcp --sport 4000 --dport 80") ==
        "198.51.100.1:4000>203.0.113.5:80");
  CHECK(r.Send("-i d0 -s 10.0.0.1 -d 203.0.113.5 -p tcp --sport 4001 --dport 3128") ==
        "10.0.0.1:4001>10.0.0.254:8080");
  // Without a host model: unknown, with the reason.
  LoadResult lr = LoadRuleset("*nat\n-A POSTROUTING -o e0 -j MASQUERADE\nCOMMIT\n", "t");
  REQUIRE(lr.ok());
  Simulator bare(lr.ruleset, {});
  Packet p = PacketFromText("-i d0 -o e0 -s 10.0.0.1 -d 203.0.113.5");
  RunResult res = bare.Run(p, nullptr);
  CHECK(res.sim.verdict == Verdict::kUnknown);
  CHECK(res.sim.unknown_reason.find("output interface 'e0'") != std::string::npos);
}

TEST_CASE("REDIRECT in OUTPUT goes to 127.0.0.1; NETMAP keeps the host part", "[nat]") {
  Run r("*nat\n-A OUTPUT -p udp -j REDIRECT --to-ports 5353\n"
        "-A PREROUTING -d 192.168.1.0/24 -j NETMAP --to 10.5.0.0/16\nCOMMIT\n");
  CHECK(r.Send("-o e0 -s 10.0.0.1 -d 8.8.8.8 -p udp --sport 999 --dport 53") ==
        "10.0.0.1:999>127.0.0.1:5353");
  CHECK(r.Send("-i d0 -o e0 -s 10.0.0.1 -d 192.168.1.77 -p udp --sport 1 --dport 2") ==
        "10.0.0.1:1>10.5.1.77:2");
}

TEST_CASE("NAT keeps the checksums valid", "[nat]") {
  Run r("*nat\n-A PREROUTING -p tcp -j DNAT --to-destination 10.9.9.9:99\nCOMMIT\n");
  Packet p = PacketFromText(
      "-i d0 -o e0 -s 10.0.0.1 -d 10.0.0.254 -p tcp --sport 4000 --dport 80 --payload abc");
  r.sim->Run(p, nullptr);
  const auto& b = p.bytes;
  CHECK(Checksum(b, 0, 20) == 0);  // a valid header sums to 0xffff: complemented, 0
  // TCP: pseudo header + segment sums to 0xffff.
  uint32_t sum = ChecksumAdd(0, b.data() + 12, 8);
  sum += 6 + static_cast<uint32_t>(b.size() - 20);
  sum = ChecksumAdd(sum, b.data() + 20, b.size() - 20);
  CHECK(ChecksumFinish(sum) == 0);
}

TEST_CASE("nat chains see only the first packet; an established flow skips them", "[nat]") {
  // (LOG alone would not turn conntrack on: -m state does.)
  Run r("*nat\n-A PREROUTING -m state ! --state INVALID -j LOG\nCOMMIT\n");
  struct Count : TraceObserver {
    int nat = 0;
    void OnRule(const RuleEvent& e) override {
      if (e.table == TableId::kNat && e.rule) ++nat;
    }
  } c;
  auto send = [&](const std::string& line) {
    Packet p = PacketFromText(line);
    r.sim->Run(p, &c);
  };
  send("-i d0 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2");
  CHECK(c.nat == 1);
  send("-i d0 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2");
  CHECK(c.nat == 1);  // bound: no nat chain
  // --ctstate ESTABLISHED on a lone packet: a pre-seeded entry, no nat.
  send("-i d0 -s 10.0.0.3 -d 10.0.0.2 -p udp --sport 1 --dport 2 --ctstate ESTABLISHED");
  CHECK(c.nat == 1);
  send("-i d0 -s 10.0.0.4 -d 10.0.0.2 -p udp --sport 1 --dport 2 --ctstate UNTRACKED");
  CHECK(c.nat == 1);
  send("-i d0 -s 10.0.0.5 -d 10.0.0.2 -p udp --sport 1 --dport 2 --ctstate NEW");
  CHECK(c.nat == 2);
}

// ------------------------------------------------------- the extensions

namespace {

struct Ext {
  LoadResult lr;
  const Rule* rule = nullptr;
  Ext(const std::string& r, const char* table = "filter", const char* chain = "INPUT") {
    lr = LoadRuleset(std::string("*") + table + "\n-A " + chain + " " + r + "\nCOMMIT\n", "t");
    INFO(r);
    REQUIRE(lr.ok());
    for (const Table& t : lr.ruleset.tables)
      for (const Chain& c : t.chains)
        if (!c.rules.empty()) rule = &c.rules[0];
    REQUIRE(rule);
  }
  Tri Match(CtRef* ct, const Packet& p, std::string* why = nullptr, RunState* run = nullptr) {
    EvalContext ctx;
    ctx.ct = ct;
    ctx.run = run;
    PacketView v = PacketView::Of(p);
    Tri t = rule->matches[rule->matches.size() - 1]->Evaluate(v, ctx);
    if (why) *why = ctx.unknown_reason;
    return t;
  }
};

// A confirmed TCP connection 10.0.0.1:40000 -> 10.0.0.2:80, reply tuple
// from 10.9.9.9:8080 (DNATed), one packet each way seen.
struct Conn {
  ConntrackTable table;
  ConntrackEntry* e;
  CtRef ref;
  Conn() {
    auto n = std::make_unique<ConntrackEntry>();
    Packet p = PacketFromText("-s 10.0.0.1 -d 10.0.0.2 -p tcp --sport 40000 --dport 80");
    PacketTuple(PacketView::Of(p), &n->tuple[kCtOriginal]);
    Packet q = PacketFromText("-s 10.9.9.9 -d 10.0.0.1 -p tcp --sport 8080 --dport 40000");
    PacketTuple(PacketView::Of(q), &n->tuple[kCtReply]);
    n->status = ips::kSeenReply | ips::kAssured | ips::kDstNat | ips::kDstNatDone | ips::kSrcNatDone;
    n->packets[0] = 3;
    n->bytes[0] = 180;
    n->packets[1] = 2;
    n->bytes[1] = 1000;
    n->mark = 0x12;
    n->timeout = 100;
    e = table.Insert(std::move(n));
    ref.entry = e;
    ref.info = CtInfo::kEstablished;
    ref.table = &table;
  }
};

}  // namespace

TEST_CASE("conntrack and state see the ctinfo, with and without an entry", "[ct-eval]") {
  Packet p = PacketFromText("-i d0");
  Conn c;
  CHECK(Ext("-m state --state ESTABLISHED").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m state ! --state ESTABLISHED").Match(&c.ref, p) == Tri::kFalse);
  CHECK(Ext("-m conntrack --ctstate NEW").Match(&c.ref, p) == Tri::kFalse);
  // DNAT is a state bit of conntrack (IPS_DST_NAT), not of state.
  CHECK(Ext("-m conntrack --ctstate DNAT").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m conntrack --ctstate SNAT").Match(&c.ref, p) == Tri::kFalse);
  c.ref.info = CtInfo::kEstablishedReply;  // XT_CONNTRACK_STATE_BIT(3) = ESTABLISHED
  CHECK(Ext("-m conntrack --ctstate ESTABLISHED").Match(&c.ref, p) == Tri::kTrue);
  c.ref.info = CtInfo::kRelatedReply;
  CHECK(Ext("-m state --state RELATED").Match(&c.ref, p) == Tri::kTrue);
  // No entry: INVALID (also when conntrack is off: no CtRef at all).
  CtRef none;
  CHECK(Ext("-m conntrack --ctstate INVALID").Match(&none, p) == Tri::kTrue);
  CHECK(Ext("-m conntrack --ctstate INVALID").Match(nullptr, p) == Tri::kTrue);
  CHECK(Ext("-m state --state INVALID").Match(nullptr, p) == Tri::kTrue);
  // Without an entry only --ctstate decides; any other option fails.
  CHECK(Ext("-m conntrack --ctstate INVALID --ctproto tcp").Match(&none, p) == Tri::kTrue);
  CHECK(Ext("-m conntrack --ctproto tcp").Match(&none, p) == Tri::kFalse);
  CHECK(Ext("-m conntrack ! --ctproto tcp").Match(&none, p) == Tri::kFalse);
  CtRef untracked;
  untracked.untracked = true;
  untracked.info = CtInfo::kUntracked;
  CHECK(Ext("-m conntrack --ctstate UNTRACKED").Match(&untracked, p) == Tri::kTrue);
  CHECK(Ext("-m state --state UNTRACKED").Match(&untracked, p) == Tri::kTrue);
  CHECK(Ext("-m state --state INVALID").Match(&untracked, p) == Tri::kFalse);
}

TEST_CASE("conntrack tuple, status, direction and expiry options", "[ct-eval]") {
  Packet p = PacketFromText("-i d0");
  Conn c;
  CHECK(Ext("-m conntrack --ctproto tcp").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m conntrack ! --ctproto udp").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m conntrack --ctorigsrc 10.0.0.0/24").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m conntrack ! --ctorigsrc 10.0.0.0/24").Match(&c.ref, p) == Tri::kFalse);
  CHECK(Ext("-m conntrack --ctorigdst 10.0.0.2").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m conntrack --ctreplsrc 10.9.9.9").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m conntrack --ctrepldst 10.0.0.2").Match(&c.ref, p) == Tri::kFalse);
  CHECK(Ext("-m conntrack --ctorigsrcport 40000").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m conntrack --ctorigdstport 1:79").Match(&c.ref, p) == Tri::kFalse);
  CHECK(Ext("-m conntrack ! --ctorigdstport 1:79").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m conntrack --ctreplsrcport 8080").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m conntrack --ctrepldstport 40000").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m conntrack --ctstatus ASSURED").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m conntrack --ctstatus EXPECTED,CONFIRMED").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m conntrack --ctstatus EXPECTED").Match(&c.ref, p) == Tri::kFalse);
  CHECK(Ext("-m conntrack ! --ctstatus EXPECTED").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m conntrack --ctstatus NONE").Match(&c.ref, p) == Tri::kFalse);
  CHECK(Ext("-m conntrack --ctdir ORIGINAL").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m conntrack --ctdir REPLY").Match(&c.ref, p) == Tri::kFalse);
  c.ref.info = CtInfo::kEstablishedReply;
  CHECK(Ext("-m conntrack --ctdir REPLY").Match(&c.ref, p) == Tri::kTrue);
  // --ctexpire: 100 s left at time 0 (no ConntrackPacket: time 0).
  ConntrackPacket cp(c.table, nullptr, nullptr);
  c.ref.packet = &cp;
  CHECK(Ext("-m conntrack --ctexpire 50:100").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m conntrack --ctexpire 0:99").Match(&c.ref, p) == Tri::kFalse);
  CHECK(Ext("-m conntrack ! --ctexpire 0:99").Match(&c.ref, p) == Tri::kTrue);
  // An unconfirmed entry: the kernel's answer depends on jiffies.
  ConntrackEntry fresh;
  CtRef nref;
  nref.entry = &fresh;
  std::string why;
  CHECK(Ext("-m conntrack --ctexpire 1:2").Match(&nref, p, &why) == Tri::kUnknown);
  CHECK(why.find("jiffies") != std::string::npos);
}

TEST_CASE("connmark, connbytes, connlabel, helper", "[ct-eval]") {
  Packet p = PacketFromText("-i d0");
  Conn c;
  CHECK(Ext("-m connmark --mark 0x12").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m connmark --mark 0x2/0xf").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m connmark ! --mark 0x12").Match(&c.ref, p) == Tri::kFalse);
  CtRef none;
  CHECK(Ext("-m connmark ! --mark 0x12").Match(&none, p) == Tri::kFalse);  // no entry: never
  const char* base = " --connbytes-dir ";
  auto cb = [&](const std::string& range, const char* dir, const char* mode) {
    return Ext("-m connbytes --connbytes " + range + base + dir + " --connbytes-mode " + mode)
        .Match(&c.ref, p);
  };
  CHECK(cb("3:3", "original", "packets") == Tri::kTrue);
  CHECK(cb("5", "both", "packets") == Tri::kTrue);
  CHECK(cb("6", "both", "packets") == Tri::kFalse);
  CHECK(cb("1000:1000", "reply", "bytes") == Tri::kTrue);
  CHECK(cb("236:236", "both", "avgpkt") == Tri::kTrue);  // 1180 / 5
  CHECK(Ext("-m connbytes ! --connbytes 4:10 --connbytes-dir both --connbytes-mode packets")
            .Match(&c.ref, p) == Tri::kFalse);
  CHECK(Ext("-m connbytes ! --connbytes 6:10 --connbytes-dir both --connbytes-mode packets")
            .Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m connlabel --label 3").Match(&c.ref, p) == Tri::kFalse);
  CHECK(Ext("-m connlabel --label 3 --set").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m connlabel --label 3").Match(&c.ref, p) == Tri::kTrue);
  CHECK(Ext("-m connlabel ! --label 3").Match(&c.ref, p) == Tri::kFalse);
  CHECK(Ext("-m connlabel ! --label 3").Match(&none, p) == Tri::kTrue);  // connlabel_mt: invert
  CHECK(Ext("-m helper --helper ftp").Match(&c.ref, p) == Tri::kFalse);
  CHECK(Ext("-m helper ! --helper ftp").Match(&c.ref, p) == Tri::kTrue);
}

TEST_CASE("connlimit counts this run's connections per masked address", "[ct-eval]") {
  RunState run;
  ConntrackTable table;
  Ext rule("-p tcp -m connlimit --connlimit-above 1 --connlimit-mask 24");
  auto conn = [&](const std::string& src, uint16_t sport) {
    Packet p =
        PacketFromText("-i d0 -s " + src + " -d 10.0.0.2 -p tcp --tcp-flags ALL SYN --sport " +
                       std::to_string(sport));
    auto cp = std::make_unique<ConntrackPacket>(table, nullptr, &run);
    cp->In(Hook::kPreRouting, p);
    CtRef ref = cp->ref();
    Tri t = rule.Match(&ref, p, nullptr, &run);
    cp->Confirm();
    return t;
  };
  CHECK(conn("192.168.1.1", 1000) == Tri::kFalse);  // 1 connection: not above 1
  CHECK(conn("192.168.1.2", 1000) == Tri::kTrue);   // 2 in 192.168.1.0/24
  CHECK(conn("192.168.2.1", 1000) == Tri::kFalse);  // another /24
  Ext upto("-p tcp -m connlimit --connlimit-upto 1");
  Packet p = PacketFromText("-i d0 -s 1.1.1.1 -p tcp");
  ConntrackPacket cp(table, nullptr, &run);
  cp.In(Hook::kPreRouting, p);
  CHECK(upto.Match(&cp.ref(), p, nullptr, &run) == Tri::kTrue);
}

TEST_CASE("CONNMARK set/save/restore with masks and shifts; CT and NOTRACK", "[ct-eval]") {
  Conn c;
  auto apply = [&](const std::string& target, Packet& p, CtRef* ref, const char* table = "mangle",
                   const char* chain = "PREROUTING") {
    Ext e(target, table, chain);
    EvalContext ctx;
    ctx.ct = ref;
    ctx.hook = Hook::kPreRouting;
    PacketView v = PacketView::Of(p);
    return e.rule->target->Apply(p, v, ctx);
  };
  Packet p = PacketFromText("-i d0 --mark 0xab");
  CHECK(apply("-j CONNMARK --set-xmark 0x1/0xf0", p, &c.ref) == TargetVerdict::kContinue);
  CHECK(c.e->mark == ((0x12u & ~0xf0u) ^ 0x1u));
  c.e->mark = 0x1234;
  apply("-j CONNMARK --save-mark --nfmask 0xf --ctmask 0xff", p, &c.ref);
  CHECK(c.e->mark == ((0x1234u & ~0xffu) ^ (0xabu & 0xfu)));
  c.e->mark = 0x5678;
  apply("-j CONNMARK --restore-mark --nfmask 0xf0 --ctmask 0xff", p, &c.ref);
  CHECK(p.mark == ((0xabu & ~0xf0u) ^ (0x5678u & 0xffu)));
  apply("-j CONNMARK --set-xmark 0x3/0xffffffff --left-shift-mark 4", p, &c.ref);
  CHECK(c.e->mark == 0x30u);
  // Without an entry nothing happens.
  CtRef none;
  p.mark = 7;
  apply("-j CONNMARK --restore-mark", p, &none);
  CHECK(p.mark == 7u);

  CtRef fresh;
  Packet q = PacketFromText("-i d0");
  CHECK(apply("-j CT --zone 5", q, &fresh, "raw") == TargetVerdict::kContinue);
  CHECK(fresh.tmpl_zone == 5);
  CHECK(apply("-j CT --notrack", q, &fresh, "raw") == TargetVerdict::kContinue);
  CHECK(fresh.untracked);
  CtRef fresh2;
  apply("-j NOTRACK", q, &fresh2, "raw");
  CHECK(fresh2.untracked);
  // A packet that already has an entry (looped back) keeps it.
  apply("-j NOTRACK", q, &c.ref, "raw");
  CHECK_FALSE(c.ref.untracked);
}

TEST_CASE("CT --notrack does not turn conntrack on; NOTRACK neither; CT --zone does", "[ct-eval]") {
  auto needs = [](const char* rules) {
    LoadResult lr = LoadRuleset(rules, "t");
    REQUIRE(lr.ok());
    return NeedsConntrack(lr.ruleset);
  };
  CHECK_FALSE(needs("*raw\n-A PREROUTING -j CT --notrack\n-A PREROUTING -j NOTRACK\nCOMMIT\n"));
  CHECK(needs("*raw\n-A PREROUTING -j CT --zone 1\nCOMMIT\n"));
  CHECK(needs("*filter\n:X - [0:0]\n-A X -m state --state NEW\nCOMMIT\n"));
}

TEST_CASE("Confirmation fails when another entry holds the tuple (NAT exhaustion)", "[nat]") {
  Run r("*nat\n-A POSTROUTING -o e0 -p udp -j SNAT --to-source 198.51.100.7:2000\nCOMMIT\n");
  Verdict v;
  r.Send("-i d0 -o e0 -s 10.0.0.1 -d 203.0.113.5 -p udp --sport 1111 --dport 53", &v);
  CHECK(v == Verdict::kAccept);
  // A single-port range: the second client keeps the taken tuple and is
  // dropped by __nf_conntrack_confirm.
  CHECK(r.Send("-i d0 -o e0 -s 10.0.0.2 -d 203.0.113.5 -p udp --sport 1111 --dport 53", &v) ==
        "198.51.100.7:2000>203.0.113.5:53");
  CHECK(v == Verdict::kDrop);
  CHECK(r.sim->conntrack_table().size() == 1);
}

TEST_CASE("An empty segment far beyond the window is invalid (no exemption)", "[conntrack]") {
  Flow f;
  f.Send(C("--tcp-flags ALL SYN --seq 1000"));
  f.Send(S("--tcp-flags ALL SYN,ACK --seq 5000 --ack 1001"));
  f.Send(C("--tcp-flags ALL ACK --seq 1001 --ack 5001"));
  CHECK_FALSE(f.Send(C("--tcp-flags ALL ACK --seq 900000 --ack 5001")).entry);
  // A SYN-ACK from the client in ESTABLISHED: tcp_conntracks says invalid.
  CHECK_FALSE(f.Send(C("--tcp-flags ALL SYN,ACK --seq 1001 --ack 5001")).entry);
  // A retransmitted SYN-ACK of the server is ignored: it keeps its entry.
  Seen s = f.Send(S("--tcp-flags ALL SYN,ACK --seq 5000 --ack 1001"));
  CHECK(s.entry);
  CHECK(s.tcp == TcpCtState::kEstablished);
}

TEST_CASE("HMARK --hmark-tuple ct hashes the connection's tuples", "[ct-eval]") {
  // For an original-direction packet of a connection without NAT, the
  // connection's tuple (original source, reply source, their ports) is the
  // packet's own: both modes give the same mark (hmark_ct_set_htuple vs
  // hmark_pkt_set_htuple_ipv4).  After DNAT the reply source differs.
  ConntrackTable table;
  auto mark = [&](const std::string& rule, Packet p, CtRef* ref) {
    Ext e(rule, "mangle", "PREROUTING");
    EvalContext ctx;
    ctx.ct = ref;
    ctx.hook = Hook::kPreRouting;
    PacketView v = PacketView::Of(p);
    e.rule->target->Apply(p, v, ctx);
    return p.mark;
  };
  Packet p = PacketFromText("-i d0 -s 10.0.0.1 -d 10.0.0.2 -p tcp --sport 40000 --dport 80");
  ConntrackPacket cp(table, nullptr, nullptr);
  cp.In(Hook::kPreRouting, p);
  const char* ct =
      "-j HMARK --hmark-tuple ct,src,dst,sport,dport,proto --hmark-mod 1000 --hmark-rnd 0x1234";
  const char* pk =
      "-j HMARK --hmark-tuple src,dst,sport,dport,proto --hmark-mod 1000 --hmark-rnd 0x1234";
  const uint32_t a = mark(ct, p, &cp.ref());
  CHECK(a == mark(pk, p, nullptr));
  cp.ref().entry->tuple[kCtReply].src.b[3] = 9;  // as if DNATed to 10.0.0.9
  CHECK(mark(ct, p, &cp.ref()) != a);
}

TEST_CASE("SCTP: INIT starts a connection, NAT keeps the CRC32c valid", "[nat]") {
  Run r("*nat\n-A POSTROUTING -o e0 -p sctp -j SNAT --to-source 198.51.100.7:3000\nCOMMIT\n");
  Packet p =
      PacketFromText("-i d0 -o e0 -s 10.0.0.1 -d 203.0.113.5 -p sctp --sport 1111 --dport 9");
  RunResult res = r.sim->Run(p, nullptr);
  CHECK(res.sim.verdict == Verdict::kAccept);
  CHECK(r.sim->conntrack_table().size() == 1);
  std::vector<uint8_t> sctp(p.bytes.begin() + 20, p.bytes.end());
  CHECK((sctp[0] << 8 | sctp[1]) == 3000);
  const uint32_t stored = static_cast<uint32_t>(sctp[8]) | sctp[9] << 8 | sctp[10] << 16 |
                          static_cast<uint32_t>(sctp[11]) << 24;
  sctp[8] = sctp[9] = sctp[10] = sctp[11] = 0;
  CHECK(SctpCrc32c(sctp.data(), sctp.size()) == stored);
  // A lone DATA chunk starts nothing (sctp_new).
  Packet d = PacketFromText(
      "-i d0 -o e0 -s 10.0.0.1 -d 203.0.113.5 -p sctp --sport 1112 --dport 9 "
      "--payload-hex 000300140000000a000100000000000061626364");
  r.sim->Run(d, nullptr);
  CHECK(r.sim->conntrack_table().size() == 1);
}

TEST_CASE("Zones per direction: --zone-orig leaves replies in the default zone", "[conntrack]") {
  ConntrackTable table;
  auto send = [&](const std::string& line, uint16_t zone, uint8_t dirs) {
    Packet p = PacketFromText(line);
    ConntrackPacket cp(table, nullptr, nullptr);
    cp.ref().tmpl_zone = zone;
    cp.ref().tmpl_zone_dir = dirs;
    cp.In(Hook::kPreRouting, p);
    CtInfo info = cp.ref().info;
    bool entry = cp.ref().entry != nullptr;
    cp.Confirm();
    return entry ? info : CtInfo::kUntracked;
  };
  const std::string a = "-i d0 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 1 --dport 2";
  const std::string b = "-i d1 -s 10.0.0.2 -d 10.0.0.1 -p udp --sport 2 --dport 1";
  // nf_ct_zone_id: zone 5 for both directions: a reply in zone 0 is another
  // connection.
  CHECK(send(a, 5, 3) == CtInfo::kNew);
  CHECK(send(b, 0, 3) == CtInfo::kNew);
  // Original direction only: the reply (zone 0) finds it.
  const std::string c = "-i d0 -s 10.0.0.1 -d 10.0.0.2 -p udp --sport 3 --dport 4";
  const std::string d = "-i d1 -s 10.0.0.2 -d 10.0.0.1 -p udp --sport 4 --dport 3";
  CHECK(send(c, 5, 1) == CtInfo::kNew);
  CHECK(send(d, 0, 3) == CtInfo::kEstablishedReply);
}

TEST_CASE("A masqueraded connection leaving by another device is killed", "[nat]") {
  Run r("*nat\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n");
  Verdict v;
  r.Send("-i d0 -o e0 -s 10.0.0.1 -d 203.0.113.5 -p udp --sport 1111 --dport 53", &v);
  CHECK(v == Verdict::kAccept);
  r.Send("-i d0 -o d0 -s 10.0.0.1 -d 203.0.113.5 -p udp --sport 1111 --dport 53", &v);
  CHECK(v == Verdict::kDrop);  // nf_nat_oif_changed
  CHECK(r.sim->conntrack_table().size() == 0);
}
