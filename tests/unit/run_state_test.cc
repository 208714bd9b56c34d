// Extensions whose state lives for a run (engine/run_state.h): statistic
// (nth counter, random decisions), limit, quota, recent, hashlimit.  The
// expected values follow the kernel functions named in each section
// (xt_statistic.c, xt_limit.c, xt_quota.c, xt_recent.c, xt_hashlimit.c),
// worked out by hand at HZ 250 (matchers/run_clock.h).
#include <catch2/catch.hpp>

#include <random>
#include <sstream>

#include "engine/eval.h"
#include "engine/packet_builder.h"
#include "engine/run_state.h"
#include "engine/simulator.h"
#include "loader/loader.h"
#include "loader/packet_spec.h"
#include "engine/extension.h"
#include "tests/unit/test_util.h"

using iptsim::Family;
using iptsim::Tri;

namespace {

constexpr Tri T = Tri::kTrue, F = Tri::kFalse, U = Tri::kUnknown;

// A ruleset of INPUT rules and one run: Eval(i, packet) evaluates the last
// match of rule i on the packet, with the run's state.
struct Run {
  explicit Run(const std::vector<std::string>& rules, Family fam = Family::kIPv4,
               std::optional<uint64_t> seed = std::nullopt)
      : fam(fam), state(seed ? iptsim::RunState(*seed) : iptsim::RunState()) {
    loaded = iptsim::testing::LoadRules(rules, "filter", "INPUT", fam);
    INFO(loaded.diagnostics.Format());
    REQUIRE(loaded.ok());
  }
  Tri Eval(size_t i, const std::string& pkt, bool lone = false) {
    packet = iptsim::testing::PacketFromText(pkt, fam);
    const iptsim::Rule* rule = iptsim::testing::FindRule(loaded, "INPUT", i);
    REQUIRE(rule);
    iptsim::PacketView v = iptsim::PacketView::Of(packet);
    iptsim::EvalContext ctx;
    ctx.family = fam;
    ctx.run = lone ? nullptr : &state;
    Tri t = rule->matches[rule->matches.size() - 1]->Evaluate(v, ctx);
    hotdrop = ctx.hotdrop;
    reason = ctx.unknown_reason;
    return t;
  }
  Family fam;
  iptsim::LoadResult loaded;
  iptsim::RunState state;
  iptsim::Packet packet;
  bool hotdrop = false;
  std::string reason;
};

}  // namespace

// ---- statistic (xt_statistic.c statistic_mt) ----

TEST_CASE("statistic --mode nth: the rule's counter runs across packets", "[runstate]") {
  Run r({"-m statistic --mode nth --every 3 --packet 0",
         "-m statistic --mode nth --every 3 --packet 2",
         "-m statistic --mode nth ! --every 2 --packet 1",
         "-m statistic --mode nth --every 1 --packet 0"});
  // --packet 0: the first of every three; --packet 2: the third.
  std::vector<Tri> p0, p2, inv, every1;
  for (int i = 0; i < 7; ++i) {
    p0.push_back(r.Eval(0, ""));
    p2.push_back(r.Eval(1, ""));
    inv.push_back(r.Eval(2, ""));
    every1.push_back(r.Eval(3, ""));
  }
  CHECK(p0 == std::vector<Tri>{T, F, F, T, F, F, T});
  CHECK(p2 == std::vector<Tri>{F, F, T, F, F, T, F});
  // --every 2 --packet 1 matches the 2nd, 4th...; '!' the others.
  CHECK(inv == std::vector<Tri>{T, F, T, F, T, F, T});
  CHECK(every1 == std::vector<Tri>(7, T));
  // A lone evaluation starts the counter afresh each time.
  CHECK(r.Eval(1, "", true) == F);
  CHECK(r.Eval(1, "", true) == F);
}

TEST_CASE("statistic --mode random: 0 and 1 decided, otherwise seed, explore or unknown",
          "[runstate]") {
  Run r({"-m statistic --mode random --probability 0", "-m statistic --mode random --probability 1",
         "-m statistic --mode random ! --probability 0", "-m statistic --mode random --probability 0.5"});
  CHECK(r.Eval(0, "") == F);
  CHECK(r.Eval(1, "") == T);
  CHECK(r.Eval(2, "") == T);
  CHECK(r.Eval(3, "") == U);
  CHECK(r.reason.find("--seed") != std::string::npos);
  CHECK(r.state.choices().empty());

  // Seeded: the top 31 bits of each std::mt19937_64 output, below p * 2^31.
  Run s({"-m statistic --mode random --probability 0.25",
         "-m statistic --mode random ! --probability 0.25"},
        Family::kIPv4, 42);
  std::mt19937_64 g(42);
  int yes = 0;
  for (int i = 0; i < 200; ++i) {
    bool want = (g() >> 33) < 536870912u;  // 0.25 * 2^31
    yes += want;
    CHECK(s.Eval(i % 2, "") == ((want != (i % 2 == 1)) ? T : F));
  }
  CHECK(yes > 20);
  CHECK(yes < 80);
  CHECK(s.state.choices().size() == 200);
  // The same seed gives the same decisions.
  Run s2({"-m statistic --mode random --probability 0.25"}, Family::kIPv4, 42);
  std::mt19937_64 g2(42);
  for (int i = 0; i < 20; ++i) CHECK(s2.Eval(0, "") == (((g2() >> 33) < 536870912u) ? T : F));
}

TEST_CASE("RunState: draws are fixed functions of the standard's mt19937_64", "[runstate]") {
  // The standard fixes mt19937_64's sequence: its 10000th output from the
  // default seed 5489 is 9981545732273789042.
  iptsim::RunState st(5489);
  for (int i = 0; i < 9999; ++i) st.rng()();
  CHECK(st.rng()() == 9981545732273789042ull);
  iptsim::RunState a(7), b(7);
  std::mt19937_64 g(7);
  CHECK(a.Uniform() == static_cast<double>(g() >> 11) * 0x1.0p-53);
  CHECK(b.Decide(1u << 30) == std::optional<bool>((std::mt19937_64(7)() >> 33) < (1u << 30)));
  iptsim::RunState none;
  CHECK(!none.Decide(1u << 30));
}

TEST_CASE("RunState::Explore forces decisions, then says yes", "[runstate]") {
  iptsim::RunState st;
  std::vector<iptsim::RunState::Choice> rec;
  st.Explore({false, true}, &rec);
  CHECK(st.Decide(100) == std::optional<bool>(false));
  CHECK(st.Decide(200) == std::optional<bool>(true));
  CHECK(st.Decide(300) == std::optional<bool>(true));
  REQUIRE(rec.size() == 3);
  CHECK(rec[0].p31 == 100);
  CHECK(!rec[0].yes);
  CHECK(rec[2].yes);
}

// ---- limit (xt_limit.c limit_mt; CREDITS_PER_JIFFY 128 at HZ 250) ----

TEST_CASE("limit: one bucket per rule, refilled by the jiffy", "[runstate]") {
  // 1/sec burst 2: cost = user2credits(10000) = 32000, cap 64000; one jiffy
  // (4 ms) adds 128 credits, 250 jiffies one cost.
  Run r({"-m limit --limit 1/sec --limit-burst 2", "-m limit --limit 1/sec --limit-burst 2"});
  CHECK(r.Eval(0, "--time 0") == T);
  CHECK(r.Eval(0, "--time 0") == T);
  CHECK(r.Eval(0, "--time 0") == F);
  CHECK(r.Eval(1, "--time 0") == T);   // the other rule has its own bucket
  CHECK(r.Eval(0, "--time 0.5") == F);  // 125 jiffies: 16000 credits
  CHECK(r.Eval(0, "--time 0.996") == F);  // jiffy 249: 31872
  CHECK(r.Eval(0, "--time 1.0") == T);    // jiffy 250: 32000, spent
  CHECK(r.Eval(0, "--time 1.0") == F);
  CHECK(r.Eval(0, "--time 100") == T);    // full again, capped at the burst
  CHECK(r.Eval(0, "--time 100") == T);
  CHECK(r.Eval(0, "--time 100") == F);
  // The kernel sums the refill in 32 bits: 2^25 jiffies (134217.728 s)
  // later it adds 2^32 mod 2^32 = 0 credits.
  CHECK(r.Eval(0, "--time 134317.728") == F);
  CHECK(r.Eval(0, "--time 134317.732") == F);  // one jiffy more: 128 credits
  // Time running backwards cannot be simulated.
  CHECK(r.Eval(0, "--time 5") == U);
  CHECK(r.reason.find("earlier") != std::string::npos);
}

TEST_CASE("limit: the default 3/hour burst 5, and a lone evaluation", "[runstate]") {
  Run r({"-m limit"});
  for (int i = 0; i < 5; ++i) CHECK(r.Eval(0, "--time 10") == T);
  CHECK(r.Eval(0, "--time 10") == F);
  CHECK(r.Eval(0, "--time 1209") == F);  // 20 min less 1 s: not yet a token
  CHECK(r.Eval(0, "--time 1210") == T);  // 20 minutes after 10 s
  for (int i = 0; i < 3; ++i) CHECK(r.Eval(0, "--time 5", true) == T);
}

// ---- quota (xt_quota.c quota_mt) ----

TEST_CASE("quota: consumed across packets, then zero", "[runstate]") {
  Run r({"-m quota --quota 100", "-m quota ! --quota 100", "-m quota --quota 0"});
  // 40-byte TCP packets (the default SYN).
  CHECK(r.Eval(0, "") == T);  // 60 left
  CHECK(r.Eval(0, "") == T);  // 20 left
  CHECK(r.Eval(0, "") == F);  // 40 > 20: the quota drops to 0
  CHECK(r.Eval(0, "-p udp --len 28") == F);  // even a smaller packet
  CHECK(r.Eval(1, "") == F);
  CHECK(r.Eval(1, "") == F);
  CHECK(r.Eval(1, "") == T);
  CHECK(r.Eval(2, "") == F);
  CHECK(r.Eval(0, "", true) == T);  // a lone evaluation: a fresh quota
  Run exact({"-m quota --quota 80"});
  CHECK(exact.Eval(0, "") == T);
  CHECK(exact.Eval(0, "") == T);  // exactly used up: 80 >= 40
  CHECK(exact.Eval(0, "") == F);
}

// ---- recent (xt_recent.c recent_mt) ----

TEST_CASE("recent: --set, --rcheck with --seconds and --hitcount", "[runstate]") {
  Run r({"-m recent --set --name A", "-m recent --rcheck --seconds 10 --hitcount 2 --name A",
         "-m recent --rcheck --name A", "-m recent ! --rcheck --name A",
         "-m recent --rcheck --name B"});
  const std::string a = "-s 10.0.0.1 ";
  CHECK(r.Eval(2, a + "--time 0") == F);  // not listed
  CHECK(r.Eval(3, a + "--time 0") == T);
  CHECK(r.Eval(0, a + "--time 0") == T);  // --set always matches
  CHECK(r.Eval(2, a + "--time 0.5") == T);
  CHECK(r.Eval(4, a + "--time 0.5") == F);  // another list
  CHECK(r.Eval(2, "-s 10.0.0.2 --time 0.5") == F);
  CHECK(r.Eval(1, a + "--time 1") == F);  // one stamp
  CHECK(r.Eval(0, a + "--time 2") == T);
  CHECK(r.Eval(1, a + "--time 3") == T);  // stamps at jiffies 0 and 500
  // At 10.5 s the window starts at jiffy 2625 - 2500 = 125: only one stamp.
  CHECK(r.Eval(1, a + "--time 10.5") == F);
  // At 12 s it starts at jiffy 500: the stamp at 500 is not older (time_after).
  CHECK(r.Eval(0, a + "--time 11") == T);  // third stamp at jiffy 2750
  CHECK(r.Eval(1, a + "--time 12") == T);
  // One jiffy later the window starts at 501: only the stamp at 2750 is left.
  CHECK(r.Eval(1, a + "--time 12.004") == F);
}

TEST_CASE("recent: --update, --remove, --rdest, --mask, --rttl, --reap", "[runstate]") {
  Run r({"-m recent --set --name L --mask 255.255.255.0",
         "-m recent --update --seconds 5 --name L",
         "-m recent --remove --name L",
         "-m recent --set --name D --rdest",
         "-m recent --rcheck --name D --rdest",
         "-m recent --rcheck --rttl --name L",
         "-m recent --rcheck --seconds 5 --reap --name L",
         "-m recent ! --remove --name L"});
  CHECK(r.Eval(0, "-s 10.0.0.1 --ttl 64 --time 0") == T);
  // The mask is the list's: 10.0.0.99 is the same entry.
  CHECK(r.Eval(1, "-s 10.0.0.99 --ttl 64 --time 4") == T);  // refreshes to jiffy 1000
  CHECK(r.Eval(1, "-s 10.0.0.99 --time 8.9") == T);  // 8.9 - 5 = 3.9 s < 4 s
  CHECK(r.Eval(1, "-s 10.0.0.1 --time 20") == F);    // too old: not refreshed
  CHECK(r.Eval(1, "-s 10.0.0.1 --time 20") == F);
  // --rttl: the entry holds the TTL of the latest --set/--update (64).
  CHECK(r.Eval(5, "-s 10.0.0.1 --ttl 63 --time 20") == F);
  CHECK(r.Eval(5, "-s 10.0.0.1 --ttl 64 --time 20") == T);
  CHECK(r.Eval(2, "-s 10.0.0.7 --time 21") == T);  // removed (same /24)
  CHECK(r.Eval(2, "-s 10.0.0.7 --time 21") == F);  // not listed: no match
  CHECK(r.Eval(7, "-s 10.0.0.7 --time 21") == T);  // '!': not listed
  // --rdest: the destination address.
  CHECK(r.Eval(3, "-s 1.1.1.1 -d 2.2.2.2 --time 22") == T);
  CHECK(r.Eval(4, "-s 2.2.2.2 -d 1.1.1.1 --time 22") == F);
  CHECK(r.Eval(4, "-s 9.9.9.9 -d 2.2.2.2 --time 22") == T);
  // --reap drops the least recently used entry when its newest stamp is
  // older than --seconds: 10.0.0.0 (set at 30) goes, 10.0.1.0 (at 34) stays.
  CHECK(r.Eval(0, "-s 10.0.0.1 --time 30") == T);
  CHECK(r.Eval(0, "-s 10.0.1.1 --time 34") == T);
  CHECK(r.Eval(6, "-s 10.0.1.1 --time 36") == T);
  CHECK(r.Eval(2, "-s 10.0.0.1 --time 36") == F);  // reaped
  CHECK(r.Eval(2, "-s 10.0.1.1 --time 36") == T);
}

TEST_CASE("recent: 100 entries per list, the least recently used goes", "[runstate]") {
  Run r({"-m recent --set --name big", "-m recent --rcheck --name big"});
  for (int i = 0; i < 101; ++i)
    CHECK(r.Eval(0, "-s 10.1.0." + std::to_string(i) + " --time 1") == T);
  CHECK(r.Eval(1, "-s 10.1.0.0 --time 2") == F);
  CHECK(r.Eval(1, "-s 10.1.0.1 --time 2") == T);
  CHECK(r.Eval(1, "-s 10.1.0.100 --time 2") == T);
}

TEST_CASE("recent: IPv6 and a forwarded packet's TTL", "[runstate]") {
  Run r({"-m recent --set --name six", "-m recent --rcheck --rttl --name six"}, Family::kIPv6);
  CHECK(r.Eval(0, "-s 2001:db8::1 --hoplimit 10 --time 0") == T);
  CHECK(r.Eval(1, "-s 2001:db8::1 --hoplimit 10 --time 1") == T);
  CHECK(r.Eval(1, "-s 2001:db8::1 --hoplimit 9 --time 1") == F);
  // A forwarded packet (input and output device, no socket) counts its TTL
  // as received: one more.
  CHECK(r.Eval(1, "-i eth0 -o eth1 -s 2001:db8::1 --hoplimit 9 --time 1") == T);
}

// ---- hashlimit (xt_hashlimit.c, revision 3) ----

TEST_CASE("hashlimit: a bucket per flow, refilled by the jiffy", "[runstate]") {
  // 1/sec burst 2: cost = 10^6 * (250 * 2^39 / 10^6) = 137438953000000;
  // one jiffy adds 2^39, so 249 jiffies fall short of a cost and 250 exceed it.
  Run r({"-m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 2 --hashlimit-mode srcip "
         "--hashlimit-name h",
         "-m hashlimit --hashlimit-above 1/sec --hashlimit-burst 2 --hashlimit-mode srcip "
         "--hashlimit-name h"});
  const std::string a = "-s 10.0.0.1 ", b = "-s 10.0.0.2 ";
  CHECK(r.Eval(0, a + "--time 0") == T);
  CHECK(r.Eval(0, a + "--time 0") == T);
  CHECK(r.Eval(0, a + "--time 0") == F);
  CHECK(r.Eval(0, b + "--time 0") == T);  // another source, another bucket
  // The second rule shares the table: over the limit it matches.
  CHECK(r.Eval(1, a + "--time 0.2") == T);
  CHECK(r.Eval(1, b + "--time 0.5") == F);  // b still has one token
  CHECK(r.Eval(0, a + "--time 0.996") == F);
  CHECK(r.Eval(0, a + "--time 1.0") == T);
}

TEST_CASE("hashlimit: masks and ports make the flow", "[runstate]") {
  Run r({"-m hashlimit --hashlimit-upto 1/hour --hashlimit-burst 1 --hashlimit-mode "
         "srcip,dstport --hashlimit-srcmask 24 --hashlimit-name m",
         "-m hashlimit --hashlimit-upto 1/hour --hashlimit-burst 1 --hashlimit-name all"});
  CHECK(r.Eval(0, "-s 10.0.0.1 -p tcp --dport 22 --time 0") == T);
  CHECK(r.Eval(0, "-s 10.0.0.200 -p tcp --dport 22 --time 0") == F);  // same /24, same port
  CHECK(r.Eval(0, "-s 10.0.0.200 -p tcp --dport 23 --time 0") == T);
  CHECK(r.Eval(0, "-s 10.0.1.1 -p udp --dport 22 --time 0") == T);
  CHECK(r.Eval(0, "-s 10.0.1.1 -p tcp --dport 22 --sport 9 --time 0") == F);  // udp/tcp alike
  // ICMP has no ports: 0.
  CHECK(r.Eval(0, "-s 10.0.2.1 -p icmp --time 0") == T);
  CHECK(r.Eval(0, "-s 10.0.2.1 -p icmp --icmp-type 0 --time 0") == F);
  // No mode: one bucket for everything.
  CHECK(r.Eval(1, "-s 1.1.1.1 --time 0") == T);
  CHECK(r.Eval(1, "-s 2.2.2.2 --time 0") == F);
}

TEST_CASE("hashlimit: an expired entry and the garbage collector", "[runstate]") {
  // Expiry 1000 ms (the rate's unit) = 250 jiffies.
  Run r({"-m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 2 --hashlimit-name g"});
  CHECK(r.Eval(0, "--time 0") == T);
  CHECK(r.Eval(0, "--time 0") == T);
  // 1.5 s later the entry has expired.  Still there: 375 jiffies refill
  // one cost and a half, one is spent; collected: a fresh full bucket, one
  // spent.  Both match.
  CHECK(r.Eval(0, "--time 1.5") == T);
  // Now the two ways differ (half a cost left, or one full cost).
  CHECK(r.Eval(0, "--time 1.5") == U);
  CHECK(r.reason.find("garbage collector") != std::string::npos);
  // Long after, both ways are a full bucket again.
  Run q({"-m hashlimit --hashlimit-upto 1/sec --hashlimit-burst 2 --hashlimit-name g"});
  CHECK(q.Eval(0, "--time 0") == T);
  CHECK(q.Eval(0, "--time 0") == T);
  CHECK(q.Eval(0, "--time 60") == T);
  CHECK(q.Eval(0, "--time 60") == T);
  CHECK(q.Eval(0, "--time 60") == F);
}

TEST_CASE("hashlimit: bytes mode", "[runstate]") {
  // 1kb/s: cost = 0xffffffff / 65 = 66076419, in credits (x 250 * 2^24 >> 32)
  // 64527752 per 16-byte chunk; a 40-byte packet is 3 chunks = 193583256 of
  // the 250 * 2^24 = 4194304000 credits: 21 packets pass.
  Run r({"-m hashlimit --hashlimit-upto 1kb/s --hashlimit-name b"});
  for (int i = 0; i < 21; ++i) CHECK(r.Eval(0, "--time 0") == T);
  CHECK(r.Eval(0, "--time 0") == F);
}

TEST_CASE("hashlimit: --hashlimit-rate-match", "[runstate]") {
  // 2/sec: rate 2 per 1 s interval, burst 5 + 2 = 7 packets (a long expiry
  // keeps the garbage collector out of it).
  Run r({"-m hashlimit --hashlimit-upto 2/sec --hashlimit-rate-match --hashlimit-htable-expire "
         "60000 --hashlimit-name rm"});
  for (int i = 0; i < 7; ++i) CHECK(r.Eval(0, "--time 0") == T);
  CHECK(r.Eval(0, "--time 0") == F);
  // The next interval remembers the window was over the rate (8 > 2).
  CHECK(r.Eval(0, "--time 1") == F);
  CHECK(r.Eval(0, "--time 2") == T);  // 1 packet in the last window: within the rate
  // With the default expiry (1 s) the entry may be gone by then.
  Run d({"-m hashlimit --hashlimit-upto 2/sec --hashlimit-rate-match --hashlimit-name rm2"});
  for (int i = 0; i < 8; ++i) d.Eval(0, "--time 0");
  CHECK(d.Eval(0, "--time 1") == U);
}

TEST_CASE("hashlimit: a full table drops the packet", "[runstate]") {
  Run r({"-m hashlimit --hashlimit-upto 1/sec --hashlimit-mode srcip --hashlimit-htable-size 1 "
         "--hashlimit-htable-max 2 --hashlimit-name full",
         "-m hashlimit --hashlimit-upto 1/sec --hashlimit-mode srcip --hashlimit-name dflt"});
  CHECK(r.Eval(0, "-s 1.0.0.1 --time 0") == T);
  CHECK(r.Eval(0, "-s 1.0.0.2 --time 0") == T);
  CHECK(r.Eval(0, "-s 1.0.0.3 --time 0") == F);
  CHECK(r.hotdrop);
  CHECK(r.Eval(0, "-s 1.0.0.1 --time 0") == T);  // a known flow still passes
  // The default maximum depends on the kernel's memory: at least 128.
  for (int i = 0; i < 128; ++i)
    CHECK(r.Eval(1, "-s 2.0.0." + std::to_string(i) + " --time 0") == T);
  CHECK(r.Eval(1, "-s 2.0.1.0 --time 0") == U);
}

TEST_CASE("hashlimit: IPv6 later fragments have no ports (ipv6_skip_exthdr)", "[runstate]") {
  Run r({"-m hashlimit --hashlimit-upto 1/hour --hashlimit-burst 1 --hashlimit-mode dstport "
         "--hashlimit-name f6"},
        Family::kIPv6);
  // Two later fragments with different bytes where ports would be: one flow.
  CHECK(r.Eval(0, "--ext-hdr frag --frag 8 -p udp --payload-hex 00350035 --time 0") == T);
  CHECK(r.Eval(0, "--ext-hdr frag --frag 8 -p udp --payload-hex 11111111 --time 0") == F);
  // First packets: the real destination port.
  CHECK(r.Eval(0, "-p udp --dport 53 --time 0") == T);
  CHECK(r.Eval(0, "-p udp --dport 54 --time 0") == T);
  CHECK(r.Eval(0, "-p udp --dport 54 --time 0") == F);
}
