// Target::DescribeEffect against Target::Apply (docs/architecture.md
// decision 5): each target rule, parsed by the real loader, is applied to
// the sampled packets its matches let through; the fields after it must be
// what the effect says (kSetBits: (field & ~mask) ^ value, every other
// field unchanged; kContinue: nothing changed; kVerdict: Apply's verdict).
// NAT bindings are checked through the simulator: the rewritten address and
// port lie in the effect's ranges.
#include <catch2/catch.hpp>

#include <memory>
#include <set>

#include "base/bytes.h"
#include "engine/arena.h"
#include "engine/eval.h"
#include "engine/extension.h"
#include "engine/packet_builder.h"
#include "engine/predicate.h"
#include "engine/simulator.h"
#include "matchers/registry.h"
#include "tests/unit/describe_samples.h"
#include "tests/unit/test_util.h"

using iptsim::Family;
using iptsim::Field;
using iptsim::TargetEffect;
using iptsim::TargetVerdict;
using Kind = iptsim::TargetEffect::Kind;
using iptsim::testing::CtCase;
using iptsim::testing::CtCases;
using iptsim::testing::Sample;

namespace {

constexpr Family V4 = Family::kIPv4, V6 = Family::kIPv6;

struct EffectCase {
  Family fam;
  const char* table;
  const char* chain;
  const char* rule;
  Kind kind;
  Field field = Field::kMark;  // kSetBits, kSetUnknown
  TargetVerdict verdict = TargetVerdict::kContinue;  // kVerdict
  bool apply = true;  // false: Apply needs inputs a lone evaluation lacks (ipsets)
};

// clang-format off
const EffectCase kEffects[] = {
    // No verdict, no field changed.
    {V4, "filter", "INPUT", "-j LOG --log-prefix x", Kind::kContinue},
    {V6, "filter", "INPUT", "-j NFLOG --nflog-group 1", Kind::kContinue},
    {V4, "raw", "PREROUTING", "-j TRACE", Kind::kContinue},
    {V4, "filter", "INPUT", "-j AUDIT --type accept", Kind::kContinue},
    {V4, "mangle", "POSTROUTING", "-p udp -j CHECKSUM --checksum-fill", Kind::kContinue},
    {V4, "mangle", "FORWARD", "-p tcp -j TCPOPTSTRIP --strip-options sack-permitted,timestamp", Kind::kContinue},
    {V4, "mangle", "POSTROUTING", "-j CLASSIFY --set-class 1:1", Kind::kContinue},
    {V4, "mangle", "INPUT", "-j SECMARK --selctx system_u:object_r:ssh_packet_t:s0", Kind::kContinue},
    {V4, "mangle", "INPUT", "-j CONNSECMARK --save", Kind::kContinue},
    {V4, "filter", "INPUT", "-j LED --led-trigger-id x", Kind::kContinue},
    {V4, "filter", "INPUT", "-j IDLETIMER --timeout 10 --label x", Kind::kContinue},
    {V4, "filter", "INPUT", "-j RATEEST --rateest-name x --rateest-interval 250ms --rateest-ewmalog 0.5s", Kind::kContinue},
    {V4, "mangle", "PREROUTING", "-j TEE --gateway 192.0.2.9", Kind::kContinue},
    {V4, "filter", "INPUT", "-j SET --add-set x src", Kind::kContinue, Field::kMark, TargetVerdict::kContinue, false},
    {V4, "filter", "INPUT", "-j CONNMARK --set-mark 0x1", Kind::kContinue},
    {V4, "mangle", "PREROUTING", "-j CONNMARK --save-mark", Kind::kContinue},
    // Verdicts.
    {V4, "filter", "INPUT", "-j REJECT", Kind::kVerdict, Field::kMark, TargetVerdict::kDrop},
    {V4, "filter", "INPUT", "-p tcp -j REJECT --reject-with tcp-reset", Kind::kVerdict, Field::kMark, TargetVerdict::kDrop},
    {V6, "filter", "INPUT", "-j REJECT --reject-with icmp6-adm-prohibited", Kind::kVerdict, Field::kMark, TargetVerdict::kDrop},
    {V4, "filter", "INPUT", "-j NFQUEUE --queue-num 3", Kind::kVerdict, Field::kMark, TargetVerdict::kQueue},
    // Bits of a field.
    {V4, "mangle", "PREROUTING", "-j MARK --set-xmark 0x5/0xf", Kind::kSetBits, Field::kMark},
    {V4, "mangle", "PREROUTING", "-j MARK --set-mark 0x5", Kind::kSetBits, Field::kMark},
    {V4, "mangle", "PREROUTING", "-j MARK --set-mark 0x5/0x3", Kind::kSetBits, Field::kMark},
    {V4, "mangle", "PREROUTING", "-j MARK --and-mark 0xf0", Kind::kSetBits, Field::kMark},
    {V4, "mangle", "PREROUTING", "-j MARK --or-mark 0x3", Kind::kSetBits, Field::kMark},
    {V6, "mangle", "PREROUTING", "-j MARK --xor-mark 0x81", Kind::kSetBits, Field::kMark},
    {V4, "mangle", "PREROUTING", "-j DSCP --set-dscp 46", Kind::kSetBits, Field::kTos},
    {V6, "mangle", "PREROUTING", "-j DSCP --set-dscp-class AF41", Kind::kSetBits, Field::kTos},
    {V4, "mangle", "PREROUTING", "-j TOS --set-tos 0x10", Kind::kSetBits, Field::kTos},
    {V4, "mangle", "PREROUTING", "-j TOS --set-tos 0x10/0x3f", Kind::kSetBits, Field::kTos},
    {V4, "mangle", "PREROUTING", "-j TOS --and-tos 0x0f", Kind::kSetBits, Field::kTos},
    {V4, "mangle", "PREROUTING", "-j TOS --or-tos 0x03", Kind::kSetBits, Field::kTos},
    {V6, "mangle", "PREROUTING", "-j TOS --xor-tos 0x81", Kind::kSetBits, Field::kTos},
    {V4, "mangle", "PREROUTING", "-j TTL --ttl-set 64", Kind::kSetBits, Field::kTtl},
    {V6, "mangle", "PREROUTING", "-j HL --hl-set 1", Kind::kSetBits, Field::kTtl},
    {V4, "mangle", "PREROUTING", "-j ECN --ecn-ip-ect 1", Kind::kSetBits, Field::kTos},
    {V4, "mangle", "PREROUTING", "-p tcp -j ECN --ecn-tcp-remove", Kind::kSetBits, Field::kTcpFlags},
    {V4, "mangle", "PREROUTING", "-p tcp -j ECN --ecn-tcp-ece 0", Kind::kSetBits, Field::kTcpFlags},
    {V4, "raw", "PREROUTING", "-j CT --notrack", Kind::kSetBits, Field::kCtState},
    {V4, "raw", "OUTPUT", "-j NOTRACK", Kind::kSetBits, Field::kCtState},
    // A value the fields do not tell.
    {V4, "mangle", "PREROUTING", "-j TTL --ttl-dec 1", Kind::kSetUnknown, Field::kTtl},
    {V4, "mangle", "PREROUTING", "-j TTL --ttl-inc 5", Kind::kSetUnknown, Field::kTtl},
    {V6, "mangle", "PREROUTING", "-j HL --hl-dec 2", Kind::kSetUnknown, Field::kTtl},
    {V4, "mangle", "PREROUTING", "-j CONNMARK --restore-mark", Kind::kSetUnknown, Field::kMark},
    {V4, "mangle", "PREROUTING", "-j HMARK --hmark-tuple src --hmark-mod 10 --hmark-rnd 0x1", Kind::kSetUnknown, Field::kMark},
    {V4, "mangle", "FORWARD", "-p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1400", Kind::kSetUnknown, Field::kLength},
    {V6, "mangle", "FORWARD", "-p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1200", Kind::kSetUnknown, Field::kLength},
    {V4, "mangle", "PREROUTING", "-j SET --map-set x src --map-mark", Kind::kSetUnknown, Field::kMark, TargetVerdict::kContinue, false},
    // Not followed.
    {V4, "filter", "INPUT", "-j NFQUEUE --queue-num 3 --queue-bypass", Kind::kUnmodelled},
    {V4, "mangle", "FORWARD", "-p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu", Kind::kUnmodelled},
    {V4, "raw", "PREROUTING", "-j CT --zone 1", Kind::kUnmodelled},
    {V4, "mangle", "PREROUTING", "-p tcp -j ECN --ecn-tcp-remove --ecn-ip-ect 2", Kind::kUnmodelled},
    {V4, "mangle", "PREROUTING", "-p tcp -j ECN --ecn-tcp-cwr 1", Kind::kUnmodelled},
    {V4, "mangle", "PREROUTING", "-p tcp -j TPROXY --on-port 1", Kind::kUnmodelled},
    {V4, "filter", "INPUT", "-p tcp -j SYNPROXY", Kind::kUnmodelled},
    {V6, "mangle", "PREROUTING", "-d 2001:db8::/64 -j DNPT --src-pfx 2001:db8::/64 --dst-pfx 2001:db9::/64", Kind::kUnmodelled},
    {V4, "nat", "FOO", "-j NETMAP --to 10.0.0.0/8", Kind::kUnmodelled},
};
// clang-format on

const std::vector<Sample>& SamplesOf(Family fam) {
  static const std::vector<Sample> v4 = iptsim::testing::MakeSamples(V4, {"0x5 0xf 0x10 64"}, 3000, 14);
  static const std::vector<Sample> v6 = iptsim::testing::MakeSamples(V6, {"0x81 1 64"}, 3000, 16);
  return fam == V4 ? v4 : v6;
}

bool IsNumeric(Field f) {
  return f != Field::kSrc && f != Field::kDst && f != Field::kInIface && f != Field::kOutIface;
}

uint32_t WidthMask(Field f, Family fam) {
  const int bits = iptsim::FieldBits(f, fam);
  return bits >= 32 ? 0xffffffff : (1u << bits) - 1;
}

// Whether the rule's matches let the packet through to the target.
bool RuleMatches(const iptsim::Rule& rule, const iptsim::PacketView& v, iptsim::EvalContext& ctx) {
  if (rule.ip.proto != 0 && (v.l4proto == rule.ip.proto) == rule.ip.inv_proto) return false;
  for (size_t i = 0; i < rule.matches.size(); ++i)
    if (rule.matches[i]->Evaluate(v, ctx) != iptsim::Tri::kTrue) return false;
  return true;
}

}  // namespace

TEST_CASE("DescribeEffect agrees with Apply on every sampled packet", "[describe]") {
  for (const EffectCase& c : kEffects) {
    INFO((c.fam == V4 ? "IPv4 -t " : "IPv6 -t ") << c.table << " -A " << c.chain << " " << c.rule);
    iptsim::LoadResult r = iptsim::testing::LoadRule(c.rule, c.table, c.chain, c.fam);
    REQUIRE(r.ok());
    const iptsim::Rule* rule = iptsim::testing::FindRule(r, c.chain);
    REQUIRE(rule);
    REQUIRE(rule->target);
    const TargetEffect e = rule->target->DescribeEffect(c.fam);
    REQUIRE(e.kind == c.kind);
    if (c.kind == Kind::kSetBits || c.kind == Kind::kSetUnknown) CHECK(e.field == c.field);
    if (c.kind == Kind::kVerdict) CHECK(e.verdict == c.verdict);
    if (!c.apply || c.kind == Kind::kUnmodelled) continue;
    CtCases cts;
    size_t applied = 0, changed = 0;
    for (const Sample& s : SamplesOf(c.fam)) {
      // CT --notrack and NOTRACK act on a packet without an entry, as every
      // packet is in raw (a looped-back one aside).
      if (e.field == Field::kCtState && s.ct != CtCase::kNoEntry && s.ct != CtCase::kTemplate)
        continue;
      iptsim::Packet pkt = s.pkt;
      iptsim::CtRef ct;
      if (iptsim::CtRef* ref = cts.Ref(s.ct)) ct = *ref;
      iptsim::EvalContext ctx;
      ctx.family = c.fam;
      ctx.ct = s.ct == CtCase::kNone ? nullptr : &ct;
      const iptsim::PacketView before_view = iptsim::PacketView::Of(pkt);
      if (!RuleMatches(*rule, before_view, ctx)) continue;
      const iptsim::FieldValues before = iptsim::FieldsOf(before_view, ctx);
      const TargetVerdict verdict = rule->target->Apply(pkt, before_view, ctx);
      const iptsim::FieldValues after = iptsim::FieldsOf(iptsim::PacketView::Of(pkt), ctx);
      INFO(s.what);
      ++applied;
      CHECK(!ctx.hotdrop);
      CHECK(verdict == (c.kind == Kind::kVerdict ? c.verdict : TargetVerdict::kContinue));
      CHECK(after.src == before.src);
      CHECK(after.dst == before.dst);
      for (int i = 0; i < iptsim::kNumFields; ++i) {
        const Field f = static_cast<Field>(i);
        if (!IsNumeric(f) || (c.kind == Kind::kSetUnknown && f == e.field)) continue;
        uint32_t want = before.get(f);
        if (c.kind == Kind::kSetBits && f == e.field)
          want = ((want & ~e.mask) ^ e.value) & WidthMask(f, c.fam);
        INFO("field " << iptsim::FieldName(f));
        CHECK(after.get(f) == want);
      }
      if (c.kind != Kind::kContinue && c.kind != Kind::kVerdict &&
          after.get(e.field) != before.get(e.field))
        ++changed;
    }
    CHECK(applied >= 100);
    // The field does change somewhere (the check above says something).
    if (c.kind == Kind::kSetBits || c.kind == Kind::kSetUnknown) CHECK(changed > 0);
  }
}

namespace {

struct NatCase {
  Family fam;
  const char* chain;
  const char* rule;
  std::vector<std::string> packet;  // packet-spec words
  Field field;
  bool nat_known;
  const char* lo;  // the address range (nat_known)
  const char* hi;
  uint16_t port_lo, port_hi;
};

}  // namespace

TEST_CASE("NAT effects: the simulator's binding lies in the effect's ranges", "[describe]") {
  // clang-format off
  const NatCase cases[] = {
      {V4, "PREROUTING", "-p tcp -j DNAT --to-destination 10.9.0.1-10.9.0.5:8000-8010",
       {"-i", "eth0", "-p", "tcp", "--dport", "80"}, Field::kDst, true, "10.9.0.1", "10.9.0.5", 8000, 8010},
      {V4, "PREROUTING", "-j DNAT --to-destination 10.9.0.7",
       {"-i", "eth0", "-p", "udp", "--dport", "53"}, Field::kDst, true, "10.9.0.7", "10.9.0.7", 0, 0},
      {V4, "POSTROUTING", "-p udp -j SNAT --to-source 198.51.100.1:1000-1005",
       {"-o", "eth1", "-p", "udp", "--sport", "4000"}, Field::kSrc, true, "198.51.100.1", "198.51.100.1", 1000, 1005},
      {V6, "POSTROUTING", "-j SNAT --to-source 2001:db8::9-2001:db8::a",
       {"-o", "eth1", "-p", "tcp"}, Field::kSrc, true, "2001:db8::9", "2001:db8::a", 0, 0},
      {V4, "PREROUTING", "-p tcp -j DNAT --to-destination :8080",
       {"-i", "eth0", "-p", "tcp", "--dport", "80"}, Field::kDst, false, "", "", 8080, 8080},
      {V4, "PREROUTING", "-p tcp -j REDIRECT --to-ports 3128",
       {"-i", "eth0", "-p", "tcp", "--dport", "80"}, Field::kDst, false, "", "", 3128, 3128},
      {V4, "POSTROUTING", "-j MASQUERADE", {"-o", "eth1", "-p", "tcp"}, Field::kSrc, false, "", "", 0, 0},
      {V4, "PREROUTING", "-j NETMAP --to 10.0.0.0/8", {"-i", "eth0"}, Field::kDst, false, "", "", 0, 0},
      {V4, "POSTROUTING", "-j NETMAP --to 10.0.0.0/8", {"-o", "eth1"}, Field::kSrc, false, "", "", 0, 0},
  };
  // clang-format on
  for (const NatCase& c : cases) {
    INFO(c.chain << " " << c.rule);
    iptsim::LoadResult r = iptsim::testing::LoadRule(c.rule, "nat", c.chain, c.fam);
    REQUIRE(r.ok());
    const iptsim::Rule* rule = iptsim::testing::FindRule(r, c.chain);
    REQUIRE(rule);
    const TargetEffect e = rule->target->DescribeEffect(c.fam);
    REQUIRE(e.kind == Kind::kNat);
    CHECK(e.field == c.field);
    CHECK(e.nat_known == c.nat_known);
    CHECK(e.port_lo == c.port_lo);
    CHECK(e.port_hi == c.port_hi);
    if (!c.nat_known) continue;
    iptsim::IpAddr lo, hi;
    REQUIRE(iptsim::ParseIpAddr(c.fam, c.lo, &lo));
    REQUIRE(iptsim::ParseIpAddr(c.fam, c.hi, &hi));
    CHECK(e.nat_lo == lo);
    CHECK(e.nat_hi == hi);
    // The simulator binds the connection inside those ranges.
    iptsim::Simulator sim(r.ruleset, iptsim::RunSettings{});
    iptsim::Packet pkt = iptsim::testing::PacketFromWords(c.packet, c.fam);
    const iptsim::RunResult run = sim.Run(pkt, nullptr);
    INFO(run.sim.unknown_reason);
    const iptsim::PacketView v = iptsim::PacketView::Of(pkt);
    const iptsim::IpAddr got = c.field == Field::kDst ? v.dst() : v.src();
    const int n = iptsim::AddrLen(c.fam);
    auto below = [n](const iptsim::IpAddr& a, const iptsim::IpAddr& b) {
      return std::lexicographical_compare(a.b.begin(), a.b.begin() + n, b.b.begin(),
                                          b.b.begin() + n);
    };
    CHECK(!below(got, lo));
    CHECK(!below(hi, got));
    if (c.port_lo) {
      const uint16_t port = iptsim::GetBe16(v.transport() + (c.field == Field::kDst ? 2 : 0));
      CHECK(port >= c.port_lo);
      CHECK(port <= c.port_hi);
    }
  }
}

TEST_CASE("every target that describes its effect has rules in the tables above", "[describe]") {
  std::set<std::string> tested = {"DNAT", "SNAT", "REDIRECT", "MASQUERADE", "NETMAP"};
  for (const EffectCase& c : kEffects) {
    if (c.kind == Kind::kUnmodelled) continue;
    iptsim::LoadResult r = iptsim::testing::LoadRule(c.rule, c.table, c.chain, c.fam);
    REQUIRE(r.ok());
    tested.insert(std::string(iptsim::testing::FindRule(r, c.chain)->target->info().name));
  }
  // A target as constructed, before any option: the default effect is
  // unmodelled; any other answer means the target describes its effect.
  iptsim::Arena arena;
  for (const iptsim::ExtensionInfo* info : iptsim::AllExtensions()) {
    if (info->kind != iptsim::ExtKind::kTarget) continue;
    for (Family fam : {V4, V6}) {
      if (!(info->families & iptsim::FamilyBit(fam))) continue;
      std::unique_ptr<iptsim::Target, iptsim::ArenaDelete> t(
          static_cast<iptsim::Target*>(info->create(info, arena)));
      if (t->DescribeEffect(fam).kind == Kind::kUnmodelled) continue;
      INFO("-j " << t->info().name);
      CHECK(tested.count(std::string(t->info().name)) == 1);
    }
  }
}
