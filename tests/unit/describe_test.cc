// Match::Describe against Match::Evaluate (docs/architecture.md decision 5):
// for every described match, rules parsed by the real loader (each option
// with and without '!', reversed ranges, values outside their masks) and
// thousands of packets built by the real packet builder (random, and at
// N-1, N, N+1 of every number and address the rules name; every protocol,
// fragments, each conntrack state), the description holds exactly when
// Evaluate matches.  A description with an opaque part must be decided
// wherever that part does not matter; a match that is not described must
// say so (Pred::Opaque), never guess.
#include <catch2/catch.hpp>

#include <memory>
#include <set>
#include <sstream>

#include "engine/arena.h"
#include "engine/eval.h"
#include "engine/extension.h"
#include "engine/predicate.h"
#include "matchers/registry.h"
#include "tests/unit/describe_samples.h"
#include "tests/unit/test_util.h"

using iptsim::Family;
using iptsim::Pred;
using iptsim::Tri;
using iptsim::testing::CtCases;
using iptsim::testing::Sample;

namespace {

constexpr Family V4 = Family::kIPv4, V6 = Family::kIPv6;

enum class Expect : uint8_t {
  kExact,     // no opaque part: decided on every packet
  kPartial,   // an opaque part, decided where it does not matter
  kOpaque,    // not described at all: Pred::Opaque()
};

struct Case {
  Family fam;
  const char* rule;  // after "-A INPUT"; the rule's last match is described
  Expect expect = Expect::kExact;
  // The match reads the header of its own protocol (tcp, udp, icmp,
  // multiport...): its description says so, false for other protocols.
  bool own_proto = false;
  // The rule matches no packet, or every packet of its protocol (reversed
  // ranges, a value outside its mask): one outcome only is expected.
  bool constant = false;
};

// clang-format off
const Case kCases[] = {
    // tcp: ports, flags, --syn; --tcp-option opaque.
    {V4, "-p tcp --dport 22", Expect::kExact, true},
    {V4, "-p tcp -m tcp --sport 1024:65535 --dport 80", Expect::kExact, true},
    {V4, "-p tcp -m tcp ! --dport 1000:2000", Expect::kExact, true},
    {V4, "-p tcp -m tcp ! --sport 53 ! --dport 0:1023", Expect::kExact, true},
    {V4, "-p tcp -m tcp --syn", Expect::kExact, true},
    {V4, "-p tcp -m tcp ! --syn --dport 443", Expect::kExact, true},
    {V4, "-p tcp -m tcp --tcp-flags ALL NONE", Expect::kExact, true},
    {V4, "-p tcp -m tcp --tcp-flags SYN,ACK SYN,ACK", Expect::kExact, true},
    {V4, "-p tcp -m tcp ! --tcp-flags FIN,RST FIN", Expect::kExact, true},
    {V4, "-p tcp -m tcp --tcp-flags ALL FIN,PSH,URG --dport 8080", Expect::kExact, true},
    {V4, "-p tcp -m tcp --tcp-flags SYN FIN", Expect::kExact, true, true},
    {V4, "-p tcp -m tcp --dport 22 --tcp-option 2", Expect::kPartial, true},
    {V4, "-p tcp -m tcp ! --tcp-option 8", Expect::kPartial, true},
    {V6, "-p tcp --dport 22", Expect::kExact, true},
    {V6, "-p tcp -m tcp ! --syn --sport 1:1023", Expect::kExact, true},
    {V6, "-p tcp -m tcp --tcp-flags ACK,RST RST", Expect::kExact, true},
    // udp; reversed ranges load and never match (always with '!').
    {V4, "-p udp --dport 53", Expect::kExact, true},
    {V4, "-p udp -m udp --sport 67:68 --dport 67:68", Expect::kExact, true},
    {V4, "-p udp -m udp ! --dport 53", Expect::kExact, true},
    {V4, "-p udp -m udp --dport 100:50", Expect::kExact, true, true},
    {V4, "-p udp -m udp ! --sport 100:50", Expect::kExact, true},
    {V6, "-p udp -m udp ! --dport 53 --sport 1000:", Expect::kExact, true},
    // sctp and dccp: ports; chunk types, packet types and options opaque.
    {V4, "-p sctp --dport 2905", Expect::kExact, true},
    {V4, "-p sctp -m sctp ! --sport 1:1024", Expect::kExact, true},
    {V4, "-p sctp -m sctp --dport 2905 --chunk-types any INIT", Expect::kPartial, true},
    {V6, "-p sctp -m sctp --sport 1:100", Expect::kExact, true},
    {V4, "-p dccp --dport 5004", Expect::kExact, true},
    {V4, "-p dccp -m dccp ! --sport 100:200 --dport 5000:6000", Expect::kExact, true},
    {V4, "-p dccp -m dccp --dport 9:7", Expect::kExact, true, true},
    {V4, "-p dccp -m dccp --dccp-types REQUEST", Expect::kPartial, true},
    {V6, "-p dccp -m dccp --dport 5004 ! --dccp-option 3", Expect::kPartial, true},
    // icmp: names, codes, code ranges, 'any'.
    {V4, "-p icmp --icmp-type echo-request", Expect::kExact, true},
    {V4, "-p icmp --icmp-type 3/3", Expect::kExact, true},
    {V4, "-p icmp -m icmp ! --icmp-type 8", Expect::kExact, true},
    {V4, "-p icmp -m icmp --icmp-type any", Expect::kExact, true},
    {V4, "-p icmp -m icmp ! --icmp-type any", Expect::kExact, true, true},
    {V4, "-p icmp -m icmp --icmp-type 255/3", Expect::kExact, true},
    {V4, "-p icmp -m icmp --icmp-type destination-unreachable", Expect::kExact, true},
    {V4, "-p icmp -m icmp ! --icmp-type 3/0:3", Expect::kExact, true},
    {V6, "-p ipv6-icmp -m icmp6 --icmpv6-type echo-request", Expect::kExact, true},
    {V6, "-p ipv6-icmp -m icmp6 ! --icmpv6-type 1/3", Expect::kExact, true},
    {V6, "-p icmpv6 --icmpv6-type 135", Expect::kExact, true},
    {V6, "-p ipv6-icmp -m icmp6 --icmpv6-type destination-unreachable", Expect::kExact, true},
    {V6, "-p ipv6-icmp -m icmp6 --icmpv6-type 1/2:4", Expect::kExact, true},
    // multiport: lists, ranges, either port, '!', each protocol.
    {V4, "-p tcp -m multiport --dports 22,80,443", Expect::kExact, true},
    {V4, "-p udp -m multiport --sports 53,67:68", Expect::kExact, true},
    {V4, "-p tcp -m multiport ! --ports 1000:2000,3000", Expect::kExact, true},
    {V4, "-p sctp -m multiport --dports 2905", Expect::kExact, true},
    {V4, "-p dccp -m multiport --ports 5004", Expect::kExact, true},
    {V4, "-p udplite -m multiport --dports 1:10,65535", Expect::kExact, true},
    {V6, "-p tcp -m multiport --dports 80,443,8000:8080", Expect::kExact, true},
    {V6, "-p udp -m multiport ! --sports 53", Expect::kExact, true},
    // iprange.
    {V4, "-m iprange --src-range 10.0.0.1-10.0.0.50"},
    {V4, "-m iprange ! --dst-range 192.168.1.0-192.168.1.255"},
    {V4, "-m iprange --src-range 10.0.0.5 ! --dst-range 10.0.0.1-10.0.0.3"},
    {V4, "-m iprange --src-range 10.0.0.9-10.0.0.1", Expect::kExact, false, true},
    {V6, "-m iprange --src-range 2001:db8::1-2001:db8::ff"},
    {V6, "-m iprange ! --dst-range 2001:db8::2-2001:db8::2"},
    // state, conntrack --ctstate (other options and SNAT/DNAT: opaque).
    {V4, "-m state --state NEW"},
    {V4, "-m state --state RELATED,ESTABLISHED"},
    {V4, "-m state ! --state INVALID"},
    {V4, "-m state --state UNTRACKED,INVALID"},
    {V6, "-m state --state ESTABLISHED"},
    {V4, "-m conntrack --ctstate NEW"},
    {V4, "-m conntrack ! --ctstate ESTABLISHED,RELATED"},
    {V4, "-m conntrack --ctstate UNTRACKED"},
    {V6, "-m conntrack --ctstate INVALID,NEW"},
    {V4, "-m conntrack --ctstate DNAT", Expect::kOpaque},
    {V4, "-m conntrack --ctstate NEW,SNAT", Expect::kOpaque},
    {V4, "-m conntrack --ctstate NEW --ctproto tcp", Expect::kOpaque},
    {V4, "-m conntrack --ctstatus ASSURED", Expect::kOpaque},
    {V4, "-m conntrack --ctdir REPLY", Expect::kOpaque},
    // mark: a value with bits outside its mask never matches.
    {V4, "-m mark --mark 0x1"},
    {V4, "-m mark --mark 0x10/0xf0"},
    {V4, "-m mark ! --mark 0x0/0xffff0000"},
    {V4, "-m mark --mark 0x3/0x1", Expect::kExact, false, true},
    {V4, "-m mark ! --mark 0x3/0x1", Expect::kExact, false, true},
    {V6, "-m mark --mark 0xff/0xff"},
    // length (IPv6: payload length + 40 in 16 bits).
    {V4, "-m length --length 40"},
    {V4, "-m length --length 41:1500"},
    {V4, "-m length ! --length 0:100"},
    {V4, "-m length --length 200:100", Expect::kExact, false, true},
    {V6, "-m length --length 60"},
    {V6, "-m length ! --length 61:1280"},
    {V6, "-m length --length 0:100"},
    // dscp, tos, ecn's IP part.
    {V4, "-m dscp --dscp 46"},
    {V4, "-m dscp ! --dscp-class AF41"},
    {V4, "-m dscp --dscp 0"},
    {V6, "-m dscp --dscp 46"},
    {V4, "-m tos --tos 0x10/0x3f"},
    {V4, "-m tos ! --tos 0x08"},
    {V4, "-m tos --tos Minimize-Cost"},
    {V4, "-m tos --tos 0x11/0x0f", Expect::kExact, false, true},
    {V6, "-m tos --tos 0xb8/0xfc"},
    {V4, "-m ecn --ecn-ip-ect 3"},
    {V4, "-m ecn ! --ecn-ip-ect 0"},
    {V6, "-m ecn --ecn-ip-ect 1"},
    // ecn's TCP flags: the flags field, payload bytes on a later fragment.
    {V4, "-p tcp -m ecn --ecn-tcp-ece", Expect::kPartial},
    {V4, "-p tcp -m ecn ! --ecn-tcp-cwr --ecn-ip-ect 1", Expect::kPartial},
    {V6, "-p tcp -m ecn --ecn-tcp-cwr ! --ecn-tcp-ece", Expect::kPartial},
    // ttl, hl.
    {V4, "-m ttl --ttl-eq 64"},
    {V4, "-m ttl ! --ttl-eq 1"},
    {V4, "-m ttl --ttl-lt 5"},
    {V4, "-m ttl --ttl-gt 254"},
    {V4, "-m ttl --ttl-lt 0", Expect::kExact, false, true},
    {V4, "-m ttl --ttl-gt 255", Expect::kExact, false, true},
    {V6, "-m hl --hl-eq 255"},
    {V6, "-m hl --hl-lt 2"},
    {V6, "-m hl ! --hl-eq 64"},
    {V6, "-m hl --hl-gt 100"},
    // frag (IPv6): whether there is a Fragment header, and its offset 0.
    {V6, "-m frag"},
    {V6, "-m frag --fragfirst"},
    {V6, "-m frag --fraglen 8 --fragfirst"},
    {V6, "-m frag --fragmore", Expect::kPartial},
    {V6, "-m frag ! --fragid 100:200 --fragfirst", Expect::kPartial},
    // comment.
    {V4, "-m comment --comment hello", Expect::kExact, false, true},
    // Not expressible over the fields: opaque.
    {V4, "-m addrtype --dst-type LOCAL", Expect::kOpaque},
    {V4, "-m limit --limit 1/s", Expect::kOpaque},
    {V4, "-m recent --rcheck --name x", Expect::kOpaque},
    {V4, "-m string --string foo --algo bm", Expect::kOpaque},
    {V4, "-m u32 --u32 0x0=0x0", Expect::kOpaque},
    {V4, "-m connmark --mark 0x1", Expect::kOpaque},
    {V4, "-m statistic --mode random --probability 0.5", Expect::kOpaque},
    {V4, "-m pkttype --pkt-type unicast", Expect::kOpaque},
    {V4, "-m mac --mac-source 00:11:22:33:44:55", Expect::kOpaque},
    {V6, "-m ipv6header --header frag", Expect::kOpaque},
};
// clang-format on

std::string Text(const Pred& p) {
  using Op = Pred::Op;
  std::string name(iptsim::FieldName(p.field));
  switch (p.op) {
    case Op::kTrue: return "true";
    case Op::kFalse: return "false";
    case Op::kOpaque: return "opaque";
    case Op::kNumIn: return name + " in " + std::to_string(p.lo) + ".." + std::to_string(p.hi);
    case Op::kNumMasked:
      return name + " & " + std::to_string(p.hi) + " == " + std::to_string(p.lo);
    case Op::kAddrMasked: return name + " masked";
    case Op::kAddrIn: return name + " in range";
    case Op::kIfaceIs: return name + " is " + std::string(p.iface.view());
    case Op::kNot: return "!(" + Text(p.kids[0]) + ")";
    case Op::kAnd:
    case Op::kOr: {
      std::string s = "(";
      for (size_t i = 0; i < p.kids.size(); ++i)
        s += (i ? (p.op == Op::kAnd ? " && " : " || ") : "") + Text(p.kids[i]);
      return s + ")";
    }
  }
  return "?";
}

// What comparing a description with Evaluate over the samples found.
struct Outcome {
  size_t compared = 0, matched = 0, undecided = 0, hotdrops = 0;
  size_t other_proto_held = 0;  // own_proto: held on a packet of another protocol
  std::vector<std::string> disagreements;
};

Outcome Compare(const iptsim::Rule& rule, const iptsim::Match& match, const Pred& pred,
                Family fam, const std::vector<Sample>& samples) {
  Outcome out;
  CtCases cts;
  for (const Sample& s : samples) {
    const iptsim::PacketView v = iptsim::PacketView::Of(s.pkt);
    iptsim::EvalContext ctx;
    ctx.family = fam;
    ctx.ct = cts.Ref(s.ct);
    bool decided = true;
    const bool held = iptsim::Holds(pred, iptsim::FieldsOf(v, ctx), fam, &decided);
    // The kernel runs the match only on packets of the rule's -p.
    if (rule.ip.proto != 0 && (v.l4proto == rule.ip.proto) == rule.ip.inv_proto) {
      if (decided && held) ++out.other_proto_held;
      continue;
    }
    const Tri t = match.Evaluate(v, ctx);
    if (ctx.hotdrop) {  // the kernel drops the packet whatever the rule says
      ++out.hotdrops;
      continue;
    }
    if (!decided) {
      ++out.undecided;
      continue;
    }
    ++out.compared;
    if (t == Tri::kTrue) ++out.matched;
    if ((t == Tri::kTrue) != held && out.disagreements.size() < 5)
      out.disagreements.push_back(s.what + ": Evaluate " +
                                  (t == Tri::kTrue ? "matches" : "does not") +
                                  ", the description " + (held ? "holds" : "does not"));
    else if ((t == Tri::kTrue) != held)
      out.disagreements.push_back("...");
  }
  return out;
}

// Packets around the rule's own numbers and addresses.
std::vector<Sample> SamplesFor(Family fam, const std::string& rule, uint32_t seed) {
  return iptsim::testing::MakeSamples(fam, {rule}, 3000, seed);
}

}  // namespace

TEST_CASE("Describe agrees with Evaluate on every sampled packet", "[describe]") {
  uint32_t seed = 0;
  for (const Case& c : kCases) {
    ++seed;
    const std::string where = std::string(c.fam == V4 ? "IPv4" : "IPv6") + " -A INPUT " + c.rule;
    INFO(where);
    iptsim::LoadResult r = iptsim::testing::LoadRule(c.rule, "filter", "INPUT", c.fam);
    REQUIRE(r.ok());
    const iptsim::Rule* rule = iptsim::testing::FindRule(r, "INPUT");
    REQUIRE(rule);
    REQUIRE(rule->matches.size() > 0);
    const iptsim::Match& match = *rule->matches[rule->matches.size() - 1];
    const Pred pred = match.Describe(c.fam);
    INFO("description: " << Text(pred));
    if (c.expect == Expect::kOpaque) {
      CHECK(pred.op == Pred::Op::kOpaque);
      continue;
    }
    CHECK(pred.IsOpaque() == (c.expect == Expect::kPartial));
    const Outcome o = Compare(*rule, match, pred, c.fam, SamplesFor(c.fam, c.rule, seed));
    INFO("compared " << o.compared << ", matched " << o.matched << ", undecided "
                     << o.undecided << ", hotdrops " << o.hotdrops);
    CHECK(o.disagreements.empty());
    for (const std::string& d : o.disagreements) UNSCOPED_INFO(d);
    if (c.own_proto) CHECK(o.other_proto_held == 0);
    if (c.expect == Expect::kPartial) {
      // Decided where the opaque part does not matter, undecided elsewhere.
      CHECK(o.compared >= 20);
      CHECK(o.undecided > 0);
      continue;
    }
    CHECK(o.compared >= 200);
    CHECK(o.undecided == 0);
    // Both outcomes met, so the comparison says something.
    if (!c.constant) {
      CHECK(o.matched > 0);
      CHECK(o.matched < o.compared);
    }
  }
}

TEST_CASE("the comparison finds a description that is wrong", "[describe]") {
  // tcp --dport 22 described as --dport 23, and without its fragment test:
  // both must disagree with Evaluate somewhere in the samples.
  iptsim::LoadResult r = iptsim::testing::LoadRule("-p tcp --dport 22", "filter", "INPUT", V4);
  REQUIRE(r.ok());
  const iptsim::Rule* rule = iptsim::testing::FindRule(r, "INPUT");
  REQUIRE(rule);
  const iptsim::Match& match = *rule->matches[0];
  using iptsim::Field;
  const Pred off_by_one =
      Pred::And({Pred::NumEq(Field::kProto, 6), Pred::NumEq(Field::kDport, 23)});
  const std::vector<Sample> samples = SamplesFor(V4, "--dport 22", 1);
  CHECK(!Compare(*rule, match, off_by_one, V4, samples).disagreements.empty());
  const Pred no_fragment_test =
      Pred::And({Pred::NumEq(Field::kProto, 6), Pred::Not(Pred::NumEq(Field::kDport, 22))});
  iptsim::LoadResult inv = iptsim::testing::LoadRule("-p tcp ! --dport 22", "filter", "INPUT", V4);
  REQUIRE(inv.ok());
  const iptsim::Rule* inv_rule = iptsim::testing::FindRule(inv, "INPUT");
  CHECK(!Compare(*inv_rule, *inv_rule->matches[0], no_fragment_test, V4, samples)
             .disagreements.empty());
}

TEST_CASE("the IPv6 length field wraps in 16 bits as xt_length's sum does", "[describe]") {
  // Payload length 65535: 65535 + 40 is 39 in 16 bits, for -m length and
  // for the field alike.
  const iptsim::Packet p = iptsim::testing::PacketFromText("-p udp --len 65575", V6);
  const iptsim::PacketView v = iptsim::PacketView::Of(p);
  iptsim::EvalContext ctx;
  ctx.family = V6;
  CHECK(iptsim::FieldsOf(v, ctx).get(iptsim::Field::kLength) == 39);
  iptsim::LoadResult r = iptsim::testing::LoadRule("-m length --length 39", "filter", "INPUT", V6);
  REQUIRE(r.ok());
  const iptsim::Match& m = *iptsim::testing::FindRule(r, "INPUT")->matches[0];
  CHECK(m.Evaluate(v, ctx) == Tri::kTrue);
  bool decided = true;
  CHECK(iptsim::Holds(m.Describe(V6), iptsim::FieldsOf(v, ctx), V6, &decided));
  CHECK(decided);
}

TEST_CASE("every match that describes itself has rules in the table above", "[describe]") {
  std::set<std::string> tested;
  for (const Case& c : kCases) {
    if (c.expect == Expect::kOpaque) continue;
    iptsim::LoadResult r = iptsim::testing::LoadRule(c.rule, "filter", "INPUT", c.fam);
    REQUIRE(r.ok());
    const iptsim::Rule* rule = iptsim::testing::FindRule(r, "INPUT");
    tested.insert(std::string(rule->matches[rule->matches.size() - 1]->info().name));
  }
  // A match as constructed, before any option: the default Describe is
  // opaque; any other answer means the match describes itself.
  iptsim::Arena arena;
  for (const iptsim::ExtensionInfo* info : iptsim::AllExtensions()) {
    if (info->kind != iptsim::ExtKind::kMatch) continue;
    for (Family fam : {V4, V6}) {
      if (!(info->families & iptsim::FamilyBit(fam))) continue;
      std::unique_ptr<iptsim::Match, iptsim::ArenaDelete> m(
          static_cast<iptsim::Match*>(info->create(info, arena)));
      if (m->Describe(fam).op == Pred::Op::kOpaque) continue;
      INFO("-m " << m->info().name);
      CHECK(tested.count(std::string(m->info().name)) == 1);
    }
  }
}

TEST_CASE("a value with bits outside its mask never matches, as in the kernel", "[describe]") {
  // Checked with iptables-legacy in a network namespace: a packet with mark
  // 3 passes "-m mark --mark 0x3/0x1" unmatched and matches its '!' and
  // "--mark 0x1/0x1" (xt_mark compares the unmasked value, which
  // iptables-save prints back as given).  Pred::NumMasked alone would
  // mask the value: (3 & 1) == 1.
  iptsim::Packet p = iptsim::testing::PacketFromText("-p udp --mark 3", V4);
  const iptsim::PacketView v = iptsim::PacketView::Of(p);
  iptsim::EvalContext ctx;
  ctx.family = V4;
  const std::pair<const char*, bool> rules[] = {{"-m mark --mark 0x3/0x1", false},
                                                {"-m mark ! --mark 0x3/0x1", true},
                                                {"-m mark --mark 0x1/0x1", true}};
  for (const auto& [text, matches] : rules) {
    INFO(text);
    iptsim::LoadResult r = iptsim::testing::LoadRule(text, "filter", "OUTPUT", V4);
    REQUIRE(r.ok());
    const iptsim::Match& m = *iptsim::testing::FindRule(r, "OUTPUT")->matches[0];
    CHECK((m.Evaluate(v, ctx) == Tri::kTrue) == matches);
    bool decided = true;
    CHECK(iptsim::Holds(m.Describe(V4), iptsim::FieldsOf(v, ctx), V4, &decided) == matches);
  }
}
