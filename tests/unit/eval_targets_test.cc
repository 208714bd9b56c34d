// Evaluation: Apply of the mangle / verdict targets and
// Evaluate of the state, metadata and host matches.  Expected values follow
// the kernel functions named in each section (never copied from a run).
#include <catch2/catch.hpp>

#include "engine/packet_builder.h"
#include "loader/loader.h"
#include "loader/packet_spec.h"
#include "engine/extension.h"
#include "tests/unit/test_util.h"

using namespace iptsim;
using iptsim::testing::PacketFromWords;

namespace {

struct Loaded {
  LoadResult r;
  const Rule* found = nullptr;
  const Rule& rule() const { return *found; }
};

// Loads one rule ("-A CHAIN" is added) into `table`; the rule must load.
std::unique_ptr<Loaded> Load(const std::string& rule, const char* table = "filter",
                             const char* chain = "INPUT", Family fam = Family::kIPv4) {
  auto l = std::make_unique<Loaded>(Loaded{testing::LoadRule(rule, table, chain, fam)});
  INFO(rule);
  REQUIRE(l->r.ok());
  l->found = testing::FindRule(l->r, chain);
  REQUIRE(l->found);
  return l;
}

struct Result {
  Tri tri;
  bool hotdrop;
  std::string reason;
};

// Evaluates the rule's last match on the packet.
Result Eval(const std::string& rule, const Packet& p, const char* table = "filter",
            const char* chain = "INPUT") {
  auto l = Load(rule, table, chain, p.family);
  EvalContext ctx;
  ctx.family = p.family;
  PacketView v = PacketView::Of(p);
  const Rule& r = l->rule();
  REQUIRE(!r.matches.empty());
  Tri t = r.matches[r.matches.size() - 1]->Evaluate(v, ctx);
  return {t, ctx.hotdrop, ctx.unknown_reason};
}

Tri E(const std::string& rule, const Packet& p, const char* table = "filter",
      const char* chain = "INPUT") {
  return Eval(rule, p, table, chain).tri;
}

// Runs the rule's target on `p` (rewritten in place).
TargetVerdict Apply(const std::string& rule, Packet& p, const char* table = "mangle",
                    const char* chain = "PREROUTING", std::string* reason = nullptr) {
  auto l = Load(rule, table, chain, p.family);
  EvalContext ctx;
  ctx.family = p.family;
  PacketView v = PacketView::Of(p);
  REQUIRE(l->rule().target);
  TargetVerdict tv = l->rule().target->Apply(p, v, ctx);
  if (reason) *reason = ctx.unknown_reason;
  return tv;
}

// The IPv4 header checksum is right when the header sums to 0xffff.
bool Ipv4ChecksumOk(const Packet& p) {
  size_t ihl = (p.bytes[0] & 0x0f) * 4u;
  return ChecksumFinish(ChecksumAdd(0, p.bytes.data(), ihl)) == 0;
}

// The TCP checksum over the pseudo header is right (IPv4).
bool TcpChecksumOk(const Packet& p) {
  size_t ihl = (p.bytes[0] & 0x0f) * 4u;
  size_t len = p.bytes.size() - ihl;
  uint8_t ph[12] = {};
  for (int i = 0; i < 8; ++i) ph[i] = p.bytes[12 + i];
  ph[9] = 6;
  ph[10] = static_cast<uint8_t>(len >> 8);
  ph[11] = static_cast<uint8_t>(len);
  uint32_t s = ChecksumAdd(0, ph, 12);
  s = ChecksumAdd(s, p.bytes.data() + ihl, len);
  return ChecksumFinish(s) == 0;
}

constexpr Family k6 = Family::kIPv6;

}  // namespace

// ---------------------------------------------------------------- targets

TEST_CASE("TOS rewrites the TOS byte and fixes the checksum (tos_tg)", "[eval-tgt]") {
  Packet p = PacketFromWords({"--tos", "0x03"});
  CHECK(Apply("-j TOS --set-tos 0x10/0x3f", p) == TargetVerdict::kContinue);
  CHECK(p.bytes[1] == 0x10);  // (0x03 & ~0x3f) ^ 0x10
  CHECK(Ipv4ChecksumOk(p));
  Packet o = PacketFromWords({"--tos", "0xc3"});
  Apply("-j TOS --set-tos 0x10/0x3f", o);
  CHECK(o.bytes[1] == 0xd0);  // the bits outside the mask stay
  CHECK(Ipv4ChecksumOk(o));
  Packet q = PacketFromWords({"--tos", "0xff"});
  Apply("-j TOS --and-tos 0x0f", q);  // 0/~0x0f
  CHECK(q.bytes[1] == 0x0f);
  CHECK(Ipv4ChecksumOk(q));
  Packet r = PacketFromWords({"--tos", "0x10"});
  std::vector<uint8_t> before = r.bytes;
  Apply("-j TOS --set-tos 0x10/0x3f", r);  // unchanged value: nothing written
  CHECK(r.bytes == before);
  // IPv6: the traffic class spans bytes 0 and 1 (ipv6_change_dsfield).
  Packet s = PacketFromWords({"--tos", "0x03", "--flowlabel", "0xfffff"}, k6);
  Apply("-j TOS --set-tos 0xa0/0xff", s);
  CHECK(s.bytes[0] == 0x6a);
  CHECK(s.bytes[1] == 0x0f);
  CHECK(s.bytes[2] == 0xff);
}

TEST_CASE("DSCP keeps the ECN bits (dscp_tg)", "[eval-tgt]") {
  Packet p = PacketFromWords({"--tos", "0x03"});
  CHECK(Apply("-j DSCP --set-dscp 0x2e", p, "mangle", "POSTROUTING") ==
        TargetVerdict::kContinue);
  CHECK(p.bytes[1] == 0xbb);  // 0x2e << 2 | 0x03
  CHECK(Ipv4ChecksumOk(p));
  Packet q = PacketFromWords({"--tos", "0x02"}, k6);
  Apply("-j DSCP --set-dscp-class EF", q, "mangle", "POSTROUTING");  // EF = 0x2e
  CHECK(((q.bytes[0] & 0x0f) << 4 | q.bytes[1] >> 4) == 0xba);
}

TEST_CASE("TTL sets, decrements and increments with saturation (ttl_tg)", "[eval-tgt]") {
  Packet p = PacketFromWords({"--ttl", "64"});
  CHECK(Apply("-j TTL --ttl-set 1", p) == TargetVerdict::kContinue);
  CHECK(p.bytes[8] == 1);
  CHECK(Ipv4ChecksumOk(p));
  Apply("-j TTL --ttl-dec 5", p);  // 1 - 5 saturates at 0
  CHECK(p.bytes[8] == 0);
  CHECK(Ipv4ChecksumOk(p));
  Packet q = PacketFromWords({"--ttl", "250"});
  Apply("-j TTL --ttl-inc 10", q);
  CHECK(q.bytes[8] == 255);
  CHECK(Ipv4ChecksumOk(q));
  Packet r = PacketFromWords({"--ttl", "255"});
  Apply("-j TTL --ttl-dec 255", r);
  CHECK(r.bytes[8] == 0);
  CHECK(Ipv4ChecksumOk(r));
}

TEST_CASE("HL rewrites the IPv6 hop limit (hl_tg6)", "[eval-tgt]") {
  Packet p = PacketFromWords({"--hoplimit", "3"}, k6);
  CHECK(Apply("-j HL --hl-dec 5", p) == TargetVerdict::kContinue);
  CHECK(p.bytes[7] == 0);
  Apply("-j HL --hl-inc 255", p);
  CHECK(p.bytes[7] == 255);
  Apply("-j HL --hl-set 64", p);
  CHECK(p.bytes[7] == 64);
}

TEST_CASE("ECN rewrites the IP ECT bits and the TCP ECE/CWR flags (ecn_tg)", "[eval-tgt]") {
  Packet p = PacketFromWords({"-p", "tcp", "--tcp-flags", "ALL", "SYN,ECE,CWR", "--tos", "0x02"});
  REQUIRE(TcpChecksumOk(p));
  CHECK(Apply("-p tcp -j ECN --ecn-tcp-remove", p, "mangle", "POSTROUTING") ==
        TargetVerdict::kContinue);
  CHECK(p.bytes[20 + 13] == 0x02);  // SYN only
  CHECK(TcpChecksumOk(p));
  CHECK(p.bytes[1] == 0x02);  // IP untouched
  Apply("-p tcp -j ECN --ecn-tcp-cwr 1", p, "mangle", "POSTROUTING");
  CHECK(p.bytes[20 + 13] == 0x82);
  CHECK(TcpChecksumOk(p));
  Apply("-j ECN --ecn-ip-ect 1", p, "mangle", "POSTROUTING");
  CHECK(p.bytes[1] == 0x01);
  CHECK(Ipv4ChecksumOk(p));
  // A TCP header shorter than 20 bytes: NF_DROP (set_ect_tcp fails).
  Packet s = PacketFromWords({"-p", "tcp", "--tcp-flags", "ALL", "SYN,ECE", "--len", "30"});
  CHECK(Apply("-p tcp -j ECN --ecn-tcp-remove", s, "mangle", "POSTROUTING") ==
        TargetVerdict::kDrop);
  // Flags already as asked: the packet is left as it is.
  Packet t = PacketFromWords({"-p", "tcp"});
  std::vector<uint8_t> before = t.bytes;
  CHECK(Apply("-p tcp -j ECN --ecn-tcp-remove", t, "mangle", "POSTROUTING") ==
        TargetVerdict::kContinue);
  CHECK(t.bytes == before);
}

TEST_CASE("TCPOPTSTRIP turns options into NOPs and fixes the checksum", "[eval-tgt]") {
  // MSS 1460, NOP, NOP, timestamp (10 bytes): 16 bytes of options.
  Packet p = PacketFromWords({"-p", "tcp", "--tcp-option-hex", "020405b40101080a0000000100000002"});
  REQUIRE(p.bytes.size() == 56);
  REQUIRE(TcpChecksumOk(p));
  CHECK(Apply("-p tcp -j TCPOPTSTRIP --strip-options timestamp", p, "mangle", "POSTROUTING") ==
        TargetVerdict::kContinue);
  for (size_t i = 46; i < 56; ++i) CHECK(p.bytes[i] == 0x01);
  CHECK(p.bytes[40] == 0x02);  // MSS kept
  CHECK(TcpChecksumOk(p));
  Apply("-p tcp -j TCPOPTSTRIP --strip-options mss", p, "mangle", "POSTROUTING");
  for (size_t i = 40; i < 56; ++i) CHECK(p.bytes[i] == 0x01);
  CHECK(TcpChecksumOk(p));
  // An odd offset: NOP then MSS (the option starts at byte 21 of the header).
  Packet q = PacketFromWords({"-p", "tcp", "--tcp-option-hex", "01020405b4000000"});
  REQUIRE(TcpChecksumOk(q));
  Apply("-p tcp -j TCPOPTSTRIP --strip-options mss", q, "mangle", "POSTROUTING");
  for (size_t i = 40; i < 45; ++i) CHECK(q.bytes[i] == 0x01);
  CHECK(TcpChecksumOk(q));
  // A header cut short: NF_DROP; a later fragment: untouched.
  Packet s = PacketFromWords({"-p", "tcp", "--tcp-option-hex", "020405b4", "--len", "42"});
  CHECK(Apply("-p tcp -j TCPOPTSTRIP --strip-options mss", s, "mangle", "POSTROUTING") ==
        TargetVerdict::kDrop);
  Packet f = PacketFromWords({"-p", "tcp", "--frag", "8", "--payload-hex", "020405b4020405b4"});
  std::vector<uint8_t> before = f.bytes;
  CHECK(Apply("-p tcp -j TCPOPTSTRIP --strip-options mss", f, "mangle", "POSTROUTING") ==
        TargetVerdict::kContinue);
  CHECK(f.bytes == before);
}

TEST_CASE("Targets that only continue leave the packet alone", "[eval-tgt]") {
  struct C {
    const char* table;
    const char* chain;
    const char* rule;
  };
  const C cases[] = {
      {"mangle", "POSTROUTING", "-j CLASSIFY --set-class 1:10"},
      {"mangle", "POSTROUTING", "-p udp -j CHECKSUM --checksum-fill"},
      {"filter", "INPUT", "-j NFLOG --nflog-group 5 --nflog-prefix fw"},
      {"filter", "INPUT", "-j AUDIT --type drop"},
      {"filter", "FORWARD", "-j IDLETIMER --timeout 600 --label ppp0"},
      {"filter", "INPUT", "-j LED --led-trigger-id ssh"},
      {"mangle", "PREROUTING", "-j TEE --gateway 192.0.2.9"},
      {"mangle", "INPUT", "-j SECMARK --selctx system_u:object_r:ssh_packet_t:s0"},
      {"mangle", "INPUT", "-j CONNSECMARK --save"},
  };
  for (const C& c : cases) {
    INFO(c.rule);
    Packet p = PacketFromWords({"-p", "udp"});
    std::vector<uint8_t> before = p.bytes;
    CHECK(Apply(c.rule, p, c.table, c.chain) == TargetVerdict::kContinue);
    CHECK(p.bytes == before);
    CHECK(p.mark == 0);
  }
}

TEST_CASE("REJECT drops, NFQUEUE queues, SET is unknown", "[eval-tgt]") {
  Packet p = PacketFromWords({});
  CHECK(Apply("-j REJECT", p, "filter", "INPUT") == TargetVerdict::kDrop);
  CHECK(Apply("-p tcp -j REJECT --reject-with tcp-reset", p, "filter", "INPUT") ==
        TargetVerdict::kDrop);
  Packet q = PacketFromWords({}, k6);
  CHECK(Apply("-j REJECT --reject-with icmp6-adm-prohibited", q, "filter", "FORWARD") ==
        TargetVerdict::kDrop);
  CHECK(Apply("-j NFQUEUE --queue-num 3", p, "filter", "INPUT") == TargetVerdict::kQueue);
  CHECK(Apply("-j NFQUEUE --queue-balance 0:3 --queue-bypass", p, "filter", "INPUT") ==
        TargetVerdict::kAccept);
  std::string reason;
  CHECK(Apply("-j SET --add-set scanners src", p, "filter", "INPUT", &reason) ==
        TargetVerdict::kUnknown);
  CHECK(reason.find("ipset") != std::string::npos);
}

// ---------------------------------------------------------------- matches

TEST_CASE("owner: no socket matches only inverted tests (owner_mt)", "[eval-tgt]") {
  Packet none = PacketFromWords({});
  CHECK(E("-m owner --uid-owner 0", none, "filter", "OUTPUT") == Tri::kFalse);
  CHECK(E("-m owner ! --uid-owner 0", none, "filter", "OUTPUT") == Tri::kTrue);
  CHECK(E("-m owner --socket-exists", none, "filter", "OUTPUT") == Tri::kFalse);
  CHECK(E("-m owner ! --socket-exists", none, "filter", "OUTPUT") == Tri::kTrue);
  CHECK(E("-m owner ! --uid-owner 0 --gid-owner 0", none, "filter", "OUTPUT") == Tri::kFalse);

  Packet u = PacketFromWords({"--uid", "1000", "--gid", "100"});
  CHECK(E("-m owner --uid-owner 1000", u, "filter", "OUTPUT") == Tri::kTrue);
  CHECK(E("-m owner --uid-owner 1000-1001", u, "filter", "OUTPUT") == Tri::kTrue);
  CHECK(E("-m owner --uid-owner 999-1000", u, "filter", "OUTPUT") == Tri::kTrue);
  CHECK(E("-m owner --uid-owner 1001-2000", u, "filter", "OUTPUT") == Tri::kFalse);
  CHECK(E("-m owner ! --uid-owner 1000", u, "filter", "OUTPUT") == Tri::kFalse);
  CHECK(E("-m owner --socket-exists", u, "filter", "OUTPUT") == Tri::kTrue);
  CHECK(E("-m owner ! --socket-exists", u, "filter", "OUTPUT") == Tri::kFalse);
  CHECK(E("-m owner --gid-owner 100", u, "filter", "OUTPUT") == Tri::kTrue);
  CHECK(E("-m owner --gid-owner 101", u, "filter", "OUTPUT") == Tri::kFalse);
  CHECK(E("-m owner --gid-owner 100 --suppl-groups", u, "filter", "OUTPUT") == Tri::kTrue);
  Result r = Eval("-m owner --gid-owner 101 --suppl-groups", u, "filter", "OUTPUT");
  CHECK(r.tri == Tri::kUnknown);
  CHECK(r.reason.find("supplementary") != std::string::npos);
}

TEST_CASE("physdev: bridge ports (physdev_mt)", "[eval-tgt]") {
  Packet routed = PacketFromWords({"-i", "eth0"});
  CHECK(E("-m physdev --physdev-in eth0", routed, "filter", "FORWARD") == Tri::kFalse);
  CHECK(E("-m physdev ! --physdev-in eth0", routed, "filter", "FORWARD") == Tri::kTrue);
  CHECK(E("-m physdev ! --physdev-is-bridged", routed, "filter", "FORWARD") == Tri::kTrue);
  CHECK(E("-m physdev ! --physdev-is-in --physdev-is-out", routed, "filter", "FORWARD") ==
        Tri::kFalse);

  Packet in_only = PacketFromWords({"-i", "br0", "--physdev-in", "eth1"});
  CHECK(E("-m physdev --physdev-in eth1", in_only, "filter", "INPUT") == Tri::kTrue);
  CHECK(E("-m physdev --physdev-in eth+", in_only, "filter", "INPUT") == Tri::kTrue);
  CHECK(E("-m physdev --physdev-in eth", in_only, "filter", "INPUT") == Tri::kFalse);
  CHECK(E("-m physdev --physdev-in eth10", in_only, "filter", "INPUT") == Tri::kFalse);
  CHECK(E("-m physdev ! --physdev-in eth1", in_only, "filter", "INPUT") == Tri::kFalse);
  CHECK(E("-m physdev --physdev-is-in", in_only, "filter", "INPUT") == Tri::kTrue);
  CHECK(E("-m physdev --physdev-is-bridged", in_only, "filter", "INPUT") == Tri::kFalse);
  CHECK(E("-m physdev ! --physdev-is-bridged", in_only, "filter", "INPUT") == Tri::kTrue);
  CHECK(E("-m physdev --physdev-is-out", in_only, "filter", "INPUT") == Tri::kFalse);

  Packet bridged =
      PacketFromWords({"-i", "br0", "-o", "br0", "--physdev-in", "eth1", "--physdev-out", "eth2"});
  CHECK(E("-m physdev --physdev-is-bridged --physdev-out eth2", bridged, "filter", "FORWARD") ==
        Tri::kTrue);
  CHECK(E("-m physdev --physdev-is-bridged ! --physdev-out eth2", bridged, "filter",
          "FORWARD") == Tri::kFalse);
  CHECK(E("-m physdev --physdev-in eth1 --physdev-out eth3 --physdev-is-bridged", bridged,
          "filter", "FORWARD") == Tri::kFalse);
  // No output port: the empty name, which only "+" matches.
  CHECK(E("-m physdev --physdev-out + --physdev-is-bridged", in_only, "filter", "FORWARD") ==
        Tri::kFalse);  // is-bridged fails first (no physoutdev)
  CHECK(E("-m physdev ! --physdev-out eth2", in_only, "filter", "FORWARD") == Tri::kTrue);
}

TEST_CASE("policy: no IPsec (policy_mt)", "[eval-tgt]") {
  Packet p = PacketFromWords({});
  CHECK(E("-m policy --dir in --pol none", p) == Tri::kTrue);
  CHECK(E("-m policy --dir in --pol ipsec", p) == Tri::kFalse);
  CHECK(E("-m policy --dir out --pol ipsec --proto esp", p, "filter", "OUTPUT") == Tri::kFalse);
  CHECK(E("-m policy --dir out --pol none", p, "filter", "OUTPUT") == Tri::kTrue);
}

TEST_CASE("nfacct always matches (nfacct_mt, object without quota)", "[eval-tgt]") {
  CHECK(E("-m nfacct --nfacct-name http", PacketFromWords({})) == Tri::kTrue);
}

TEST_CASE("statistic: nth from a fresh counter, random only at 0 and 1", "[eval-tgt]") {
  Packet p = PacketFromWords({});
  CHECK(E("-m statistic --mode nth --every 3 --packet 0", p) == Tri::kTrue);
  CHECK(E("-m statistic --mode nth --every 3 --packet 1", p) == Tri::kFalse);
  CHECK(E("-m statistic --mode nth --every 3 --packet 2", p) == Tri::kFalse);
  CHECK(E("-m statistic --mode nth ! --every 3 --packet 0", p) == Tri::kFalse);
  CHECK(E("-m statistic --mode nth ! --every 3 --packet 2", p) == Tri::kTrue);
  CHECK(E("-m statistic --mode nth --every 1 --packet 0", p) == Tri::kTrue);
  CHECK(E("-m statistic --mode random --probability 0", p) == Tri::kFalse);
  CHECK(E("-m statistic --mode random ! --probability 0", p) == Tri::kTrue);
  CHECK(E("-m statistic --mode random --probability 1", p) == Tri::kTrue);
  CHECK(E("-m statistic --mode random ! --probability 1", p) == Tri::kFalse);
  Result r = Eval("-m statistic --mode random --probability 0.5", p);
  CHECK(r.tri == Tri::kUnknown);
  CHECK(r.reason.find("--assume statistic") != std::string::npos);
}

TEST_CASE("quota: the first packet against a fresh quota (quota_mt)", "[eval-tgt]") {
  Packet p = PacketFromWords({"--len", "100"});
  REQUIRE(p.bytes.size() == 100);
  CHECK(E("-m quota --quota 100", p) == Tri::kTrue);
  CHECK(E("-m quota --quota 99", p) == Tri::kFalse);
  CHECK(E("-m quota ! --quota 99", p) == Tri::kTrue);
  CHECK(E("-m quota ! --quota 100", p) == Tri::kFalse);
  CHECK(E("-m quota --quota 0", p) == Tri::kFalse);
}

TEST_CASE("limit: the first packet finds a full bucket (limit_mt)", "[eval-tgt]") {
  Packet p = PacketFromWords({"--time", "12345"});
  CHECK(E("-m limit", p) == Tri::kTrue);
  CHECK(E("-m limit --limit 1/sec --limit-burst 1", p) == Tri::kTrue);
  CHECK(E("-m limit --limit 10000/sec --limit-burst 10000", p) == Tri::kTrue);
}

TEST_CASE("time: UTC windows, days and dates (time_mt)", "[eval-tgt]") {
  // 2024-02-29 (a Thursday) 00:00:00 UTC = 1709164800.
  auto at = [](long secs) { return PacketFromWords({"--time", std::to_string(secs)}); };
  const long day = 1709164800;
  const std::string w = "-m time --timestart 08:00 --timestop 18:00";
  CHECK(E(w, at(day + 8 * 3600)) == Tri::kTrue);
  CHECK(E(w, at(day + 8 * 3600 - 1)) == Tri::kFalse);
  CHECK(E(w, at(day + 18 * 3600)) == Tri::kTrue);
  CHECK(E(w, at(day + 18 * 3600 + 1)) == Tri::kFalse);
  CHECK(E("-m time --weekdays Thu", at(day)) == Tri::kTrue);
  CHECK(E("-m time --weekdays Fri", at(day)) == Tri::kFalse);
  CHECK(E("-m time ! --weekdays Thu", at(day)) == Tri::kFalse);
  CHECK(E("-m time --weekdays Thu", at(0)) == Tri::kTrue);  // 1970-01-01 was a Thursday
  CHECK(E("-m time --monthdays 29", at(day + 86399)) == Tri::kTrue);
  CHECK(E("-m time --monthdays 28", at(day)) == Tri::kFalse);
  CHECK(E("-m time --monthdays 1", at(day + 86400)) == Tri::kTrue);  // 2024-03-01
  // A window over midnight: Friday 01:00 belongs to Thursday with --contiguous.
  const long fri1 = day + 86400 + 3600;
  CHECK(E("-m time --timestart 22:00 --timestop 02:00 --weekdays Thu --contiguous", at(fri1)) ==
        Tri::kTrue);
  CHECK(E("-m time --timestart 22:00 --timestop 02:00 --weekdays Thu", at(fri1)) == Tri::kFalse);
  CHECK(E("-m time --timestart 22:00 --timestop 02:00", at(day + 12 * 3600)) == Tri::kFalse);
  CHECK(E("-m time --datestart 2024-02-29", at(day)) == Tri::kTrue);
  CHECK(E("-m time --datestart 2024-02-29", at(day - 1)) == Tri::kFalse);
  CHECK(E("-m time --datestop 2024-02-29", at(day + 1)) == Tri::kFalse);
  Result r = Eval("-m time --timestart 08:00 --kerneltz", at(day));
  CHECK(r.tri == Tri::kUnknown);
  CHECK(r.reason.find("timezone") != std::string::npos);
}

TEST_CASE("rpfilter: the kernel's shortcuts, else unknown (rpfilter_mt)", "[eval-tgt]") {
  CHECK(E("-m rpfilter", PacketFromWords({"-i", "lo"}), "raw", "PREROUTING") == Tri::kTrue);
  CHECK(E("-m rpfilter --invert", PacketFromWords({"-i", "lo"}), "raw", "PREROUTING") ==
        Tri::kFalse);
  CHECK(E("-m rpfilter",
          PacketFromWords({"-i", "eth0", "-s", "0.0.0.0", "-d", "255.255.255.255", "-p", "udp"}),
          "raw", "PREROUTING") == Tri::kTrue);
  CHECK(E("-m rpfilter",
          PacketFromWords({"-i", "eth0", "-s", "0.0.0.0", "-d", "224.0.0.251", "-p", "udp"}), "raw",
          "PREROUTING") == Tri::kTrue);
  CHECK(E("-m rpfilter", PacketFromWords({"-i", "eth0", "-s", "::", "-p", "udp"}, k6), "raw",
          "PREROUTING") == Tri::kTrue);
  Result r =
      Eval("-m rpfilter", PacketFromWords({"-i", "eth0", "-s", "0.0.0.0", "-d", "224.0.1.1"}),
           "raw", "PREROUTING");
  CHECK(r.tri == Tri::kUnknown);
  CHECK(r.reason.find("whether the host's route back to 0.0.0.0 leaves through eth0") !=
        std::string::npos);
}

TEST_CASE("cgroup, cpu, socket, set: unknown with the missing input", "[eval-tgt]") {
  Packet none = PacketFromWords({});
  Packet local = PacketFromWords({"--uid", "0"});
  // cgroup_mt*: no socket, no match, even inverted.
  CHECK(E("-m cgroup --path /user.slice", none, "filter", "OUTPUT") == Tri::kFalse);
  CHECK(E("-m cgroup ! --path /user.slice", none, "filter", "OUTPUT") == Tri::kFalse);
  CHECK(E("-m cgroup ! --cgroup 1", none, "filter", "OUTPUT") == Tri::kFalse);
  Result r = Eval("-m cgroup --path /user.slice", local, "filter", "OUTPUT");
  CHECK(r.tri == Tri::kUnknown);
  CHECK(r.reason.find("cgroup") != std::string::npos);
  r = Eval("-m cpu --cpu 0", none);
  CHECK(r.tri == Tri::kUnknown);
  CHECK(r.reason.find("CPU") != std::string::npos);
  r = Eval("-m socket", none, "mangle", "PREROUTING");
  CHECK(r.tri == Tri::kUnknown);
  CHECK(r.reason.find("socket") != std::string::npos);
  r = Eval("-m set --match-set blocklist src", none);
  CHECK(r.tri == Tri::kUnknown);
  CHECK(r.reason.find("ipset") != std::string::npos);
}

// ---- TCPMSS (xt_TCPMSS.c tcpmss_mangle_packet; the same packets are the
// kernel differential scenario corpus/scenarios/target-tcpmss) ----

TEST_CASE("TCPMSS --set-mss lowers, never raises, inserts, and fixes checksums", "[eval-tgt]") {
  const std::string rule = "-p tcp --syn -j TCPMSS --set-mss 1000";
  auto mss_at = [](const Packet& p, size_t off) {
    size_t at = (p.bytes[0] & 0x0f) * 4u + off;
    return p.bytes[at] << 8 | p.bytes[at + 1];
  };
  Packet p = PacketFromWords({"-p", "tcp", "--syn", "--tcp-option-hex", "020405b4"});
  CHECK(Apply(rule, p) == TargetVerdict::kContinue);
  CHECK(mss_at(p, 22) == 1000);
  CHECK(TcpChecksumOk(p));
  // Lower already: unchanged.
  Packet low = PacketFromWords({"-p", "tcp", "--syn", "--tcp-option-hex", "02040384"});
  std::vector<uint8_t> before = low.bytes;
  Apply(rule, low);
  CHECK(low.bytes == before);
  // At an odd offset (after a NOP): rewritten, checksum still right.
  Packet odd = PacketFromWords({"-p", "tcp", "--syn", "--tcp-option-hex", "01020405b4000000"});
  Apply(rule, odd);
  CHECK(mss_at(odd, 23) == 1000);
  CHECK(TcpChecksumOk(odd));
  // No MSS option, no payload: one is inserted, at most 536 for IPv4.
  Packet none = PacketFromWords({"-p", "tcp", "--syn"});
  Apply(rule, none);
  REQUIRE(none.bytes.size() == 44);
  CHECK((none.bytes[2] << 8 | none.bytes[3]) == 44);
  CHECK(none.bytes[32] >> 4 == 6);  // data offset 24 bytes
  CHECK(mss_at(none, 22) == 536);
  CHECK(none.bytes[40] == 2);
  CHECK(Ipv4ChecksumOk(none));
  CHECK(TcpChecksumOk(none));
  Packet small = PacketFromWords({"-p", "tcp", "--syn"});
  Apply("-p tcp --syn -j TCPMSS --set-mss 100", small);
  CHECK(mss_at(small, 22) == 100);
  // With payload, or a 60-byte header: left alone.
  Packet data = PacketFromWords({"-p", "tcp", "--syn", "--payload", "hello"});
  before = data.bytes;
  Apply(rule, data);
  CHECK(data.bytes == before);
  Packet full = PacketFromWords(
      {"-p", "tcp", "--syn", "--tcp-option-hex",
       "01010101010101010101010101010101010101010101010101010101010101010101010101010101"});
  before = full.bytes;
  Apply(rule, full);
  CHECK(full.bytes == before);
  // A later fragment is left alone; --clamp-mss-to-pmtu needs the MTUs.
  Packet frag = PacketFromWords({"-p", "tcp", "--frag", "8"});
  before = frag.bytes;
  CHECK(Apply(rule, frag) == TargetVerdict::kContinue);
  CHECK(frag.bytes == before);
  Packet f = PacketFromWords({"-o", "eth0", "-p", "tcp", "--syn"});
  std::string why;
  CHECK(Apply("-p tcp --syn -j TCPMSS --clamp-mss-to-pmtu", f, "mangle", "POSTROUTING", &why) ==
        TargetVerdict::kUnknown);
  CHECK(why.find("MTU") != std::string::npos);
}

TEST_CASE("TCPMSS on IPv6: 1220 at most when inserting", "[eval-tgt]") {
  Packet p = PacketFromWords({"-p", "tcp", "--syn"}, Family::kIPv6);
  CHECK(Apply("-p tcp --syn -j TCPMSS --set-mss 1400", p) == TargetVerdict::kContinue);
  REQUIRE(p.bytes.size() == 64);
  CHECK((p.bytes[4] << 8 | p.bytes[5]) == 24);  // payload length
  CHECK((p.bytes[62] << 8 | p.bytes[63]) == 1220);
}

// ---- HMARK (xt_HMARK.c; the values are the kernel's, from the differential
// scenarios target-hmark and v6-target-hmark) ----

TEST_CASE("HMARK hashes the packet's tuple as the kernel does", "[eval-tgt]") {
  const std::string r1 =
      "-j HMARK --hmark-tuple src,dst,sport,dport,proto --hmark-mod 1000 --hmark-rnd 0xcafe "
      "--hmark-offset 10";
  const std::string r2 = "-j HMARK --hmark-tuple src,dst --hmark-mod 65536 --hmark-rnd 0x12345678";
  const std::string r3 =
      "-j HMARK --hmark-src-prefix 16 --hmark-dst-prefix 8 --hmark-dport-mask 0xff00 "
      "--hmark-sport 0x3 --hmark-proto-mask 0x0f --hmark-mod 4294967295 --hmark-rnd 0x0";
  auto mark = [](const std::string& rule, std::vector<std::string> words) {
    Packet p = PacketFromWords(std::move(words));
    p.mark = 0xdead;
    CHECK(Apply(rule, p) == TargetVerdict::kContinue);
    return p.mark;
  };
  const std::vector<std::string> tcp = {"-i", "d0", "-s", "10.200.3.1", "-d", "10.200.3.2", "-p",
                                        "tcp", "--sport", "1111", "--dport", "22"};
  const std::vector<std::string> back = {"-i", "d0", "-s", "10.200.3.1", "-d", "10.200.3.2", "-p",
                                         "tcp", "--sport", "22", "--dport", "1111"};
  CHECK(mark(r1, tcp) == 0x16b);
  CHECK(mark(r1, back) == 0x16b);  // the ports are ordered: both directions alike
  CHECK(mark(r2, tcp) == 0x7a48);
  CHECK(mark(r3, tcp) == 0x39d8d54e);
  CHECK(mark(r3, back) == 0xdd1ec4a5);  // --hmark-dport-mask keeps only the high byte
  // ICMP echo: no ports; an ICMP error: the inner packet's tuple.
  CHECK(mark(r1, {"-i", "d0", "-s", "10.200.3.1", "-d", "10.200.3.2", "-p", "icmp",
                  "--icmp-type", "8"}) == 0x1ee);
  CHECK(mark(r1, {"-i", "d0", "-s", "10.200.3.1", "-d", "10.200.3.2", "-p", "icmp",
                  "--icmp-type", "3/3", "--inner", "-p", "udp", "--sport", "53", "--dport",
                  "4444"}) == 0xb6);
  // A fragment: no ports (the same as ICMP's tuple but for the protocol).
  CHECK(mark(r1, {"-i", "d0", "-s", "10.200.3.1", "-d", "10.200.3.2", "--mf", "--id", "4000",
                  "-p", "udp", "--sport", "1", "--dport", "2", "--len", "44"}) == 0x1ee);
  // --hmark-tuple ct without a connection (hmark_ct_set_htuple fails): the
  // mark stays (tests/unit/conntrack_test.cc hashes a connection).
  Packet p = PacketFromWords({"-p", "tcp", "--mark", "7"});
  std::string why;
  CHECK(Apply("-j HMARK --hmark-tuple ct --hmark-mod 2 --hmark-rnd 1", p, "mangle", "PREROUTING",
              &why) == TargetVerdict::kContinue);
  CHECK(p.mark == 7u);
}

// ---- SNPT / DNPT (ip6t_NPT.c; the values are the kernel's, from the
// differential scenario v6-target-npt) ----

TEST_CASE("SNPT/DNPT: checksum-neutral prefix translation", "[eval-tgt]") {
  auto addr = [](const Packet& p, size_t at) {
    IpAddr a;
    std::copy(p.bytes.begin() + static_cast<std::ptrdiff_t>(at),
              p.bytes.begin() + static_cast<std::ptrdiff_t>(at + 16), a.b.begin());
    return FormatIpAddr(Family::kIPv6, a);
  };
  const std::string snpt = "-j SNPT --src-pfx fd00:200:3::/48 --dst-pfx 2001:db8:7::/48";
  Packet p = PacketFromWords(
      {"-i", "d0", "-s", "fd00:200:3::1", "-d", "fd00:200:3::2", "-p", "udp"}, Family::kIPv6);
  CHECK(Apply(snpt, p, "mangle", "INPUT") == TargetVerdict::kContinue);
  CHECK(addr(p, 8) == "2001:db8:7:d143::1");
  // The UDP checksum is still right: the adjustment cancels the change.
  uint32_t s = ChecksumAdd(0, p.bytes.data() + 8, 32);
  uint8_t ph[8] = {0, 0, 0, static_cast<uint8_t>(p.bytes.size() - 40), 0, 0, 0, 17};
  s = ChecksumAdd(s, ph, 8);
  s = ChecksumAdd(s, p.bytes.data() + 40, p.bytes.size() - 40);
  CHECK(ChecksumFinish(s) == 0);
  Packet ff = PacketFromWords(
      {"-i", "d0", "-s", "fd00:200:3:0:ffff:ffff:ffff:ffff", "-d", "fd00:200:3::2"}, Family::kIPv6);
  Apply(snpt, ff, "mangle", "INPUT");
  CHECK(addr(ff, 8) == "2001:db8:7:d143:ffff:ffff:ffff:ffff");
  // A /64 prefix whose interface identifier is all 0xffff has no word to
  // adjust: dropped.
  const std::string dnpt64 = "-j DNPT --src-pfx fd00:201:2::/64 --dst-pfx fd00:200:3::/64";
  Packet drop =
      PacketFromWords({"-i", "d0", "-d", "fd00:201:2:0:ffff:ffff:ffff:ffff"}, Family::kIPv6);
  CHECK(Apply(dnpt64, drop) == TargetVerdict::kDrop);
  Packet ok = PacketFromWords({"-i", "d0", "-d", "fd00:201:2::2"}, Family::kIPv6);
  CHECK(Apply(dnpt64, ok) == TargetVerdict::kContinue);
  CHECK(addr(ok, 24) == "fd00:200:3::2");  // equal sums: no adjustment
  // An ICMPv6 error: the embedded source is translated too.
  const std::string dnpt48 = "-j DNPT --src-pfx fd00:203::/48 --dst-pfx fd00:200:3::/48";
  Packet err = PacketFromWords(
      {"-i", "d0", "-s", "fd00:200:3::1", "-d", "fd00:203::2", "-p", "icmpv6", "--icmpv6-type",
       "1/4", "--inner", "-s", "fd00:203::2", "-d", "fd00:200:3::1", "-p", "udp"},
      Family::kIPv6);
  Apply(dnpt48, err);
  CHECK(addr(err, 24) == "fd00:200:3::2");
  CHECK(addr(err, 48 + 8) == "fd00:200:3::2");
}

// ---- SYNPROXY, osf, RATEEST, TPROXY, cluster (synproxy_tg4, nf_osf_match;
// kernel scenario target-synproxy-osf) ----

TEST_CASE("SYNPROXY: SYN consumed, ACK unknown, others continue, bad checksum dropped",
          "[eval-tgt]") {
  const std::string rule = "-p tcp -j SYNPROXY --mss 1460";
  auto run = [&](std::vector<std::string> w, std::string* why = nullptr) {
    Packet p = PacketFromWords(std::move(w));
    return Apply(rule, p, "filter", "INPUT", why);
  };
  CHECK(run({"-p", "tcp", "--syn"}) == TargetVerdict::kStolen);
  CHECK(run({"-p", "tcp", "--tcp-flags", "ALL", "SYN,ECE,CWR"}) == TargetVerdict::kStolen);
  std::string why;
  CHECK(run({"-p", "tcp", "--tcp-flags", "ALL", "ACK"}, &why) == TargetVerdict::kUnknown);
  CHECK(why.find("cookie") != std::string::npos);
  CHECK(run({"-p", "tcp", "--tcp-flags", "ALL", "ACK,PSH"}, &why) == TargetVerdict::kUnknown);
  CHECK(run({"-p", "tcp", "--tcp-flags", "ALL", "SYN,ACK"}) == TargetVerdict::kContinue);
  CHECK(run({"-p", "tcp", "--tcp-flags", "ALL", "FIN,ACK"}) == TargetVerdict::kContinue);
  CHECK(run({"-p", "tcp", "--tcp-flags", "ALL", "RST"}) == TargetVerdict::kContinue);
  CHECK(run({"-p", "tcp", "--tcp-flags", "ALL", "NONE"}) == TargetVerdict::kContinue);
  Packet bad = PacketFromWords({"-p", "tcp", "--syn"});
  bad.bytes[36] ^= 0x01;  // the TCP checksum
  CHECK(Apply(rule, bad, "filter", "INPUT") == TargetVerdict::kDrop);
  Packet v6 = PacketFromWords({"-p", "tcp", "--syn"}, Family::kIPv6);
  CHECK(Apply(rule, v6, "filter", "INPUT") == TargetVerdict::kStolen);
}

TEST_CASE("osf: only SYNs are fingerprinted, '!' ignored", "[eval-tgt]") {
  CHECK(Eval("-p tcp -m osf --genre Linux",
             PacketFromWords({"-p", "tcp", "--tcp-flags", "ALL", "ACK"}))
            .tri == Tri::kFalse);
  CHECK(Eval("-p tcp -m osf ! --genre Linux",
             PacketFromWords({"-p", "tcp", "--tcp-flags", "ALL", "ACK"}))
            .tri == Tri::kFalse);
  Result syn = Eval("-p tcp -m osf --genre Linux", PacketFromWords({"-p", "tcp", "--syn"}));
  CHECK(syn.tri == Tri::kUnknown);
  CHECK(syn.reason.find("nfnl_osf") != std::string::npos);
}

TEST_CASE("RATEEST continues; TPROXY and cluster need what is not an input", "[eval-tgt]") {
  Packet p = PacketFromWords({"-p", "udp"});
  CHECK(Apply("-j RATEEST --rateest-name r --rateest-interval 250ms --rateest-ewmalog 1s", p) ==
        TargetVerdict::kContinue);
  std::string why;
  Packet t = PacketFromWords({"-i", "eth0", "-p", "tcp", "--dport", "80"});
  CHECK(Apply("-p tcp -j TPROXY --on-port 3128 --tproxy-mark 0x1/0x1", t, "mangle", "PREROUTING",
              &why) == TargetVerdict::kUnknown);
  CHECK(why.find("socket") != std::string::npos);
}
