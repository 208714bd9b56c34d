// --assume (engine/run_settings.h, matchers/eval_result.h): NAME=true|false
// answers a match's undecided test before the match's own '!' / --invert;
// the walker decides a rule's undecided conditions with TABLE:CHAIN:N.
#include <catch2/catch.hpp>

#include "engine/extension.h"
#include "engine/run_settings.h"
#include "engine/walker.h"
#include "tests/unit/test_util.h"

using namespace iptsim;
using iptsim::testing::PacketFromWords;

namespace {

// The rule's last match on the packet, with `settings`.
Tri EvalWith(const std::string& rule, const char* table, const char* chain,
             const RunSettings& settings, const Packet& p, std::string* reason = nullptr) {
  LoadResult l = testing::LoadRule(rule, table, chain, Family::kIPv4);
  REQUIRE(l.ok());
  const Rule* r = testing::FindRule(l, chain);
  REQUIRE(r);
  EvalContext ctx;
  ctx.settings = &settings;
  PacketView v = PacketView::Of(p);
  Tri t = r->matches[r->matches.size() - 1]->Evaluate(v, ctx);
  if (reason) *reason = ctx.unknown_reason;
  return t;
}

}  // namespace

TEST_CASE("--assume NAME answers the test before the match's inversion", "[assume]") {
  const Packet p = PacketFromWords({"-i", "eth0", "-s", "198.51.100.7", "-d", "192.0.2.2"});
  RunSettings none, yes, no;
  yes.assumptions["rpfilter"] = yes.assumptions["addrtype"] = true;
  no.assumptions["rpfilter"] = no.assumptions["addrtype"] = false;
  // xt_rpfilter: the lookup's answer XOR --invert.
  CHECK(EvalWith("-m rpfilter", "raw", "PREROUTING", yes, p) == Tri::kTrue);
  CHECK(EvalWith("-m rpfilter --invert", "raw", "PREROUTING", yes, p) == Tri::kFalse);
  CHECK(EvalWith("-m rpfilter --invert", "raw", "PREROUTING", no, p) == Tri::kTrue);
  std::string reason;
  CHECK(EvalWith("-m rpfilter --loose", "raw", "PREROUTING", none, p, &reason) == Tri::kUnknown);
  CHECK(reason ==
        "needs to know whether the host has a route back to 198.51.100.7 (-m rpfilter --loose): "
        "give the host's addresses and routes with --host FILE, or decide every -m rpfilter "
        "test with --assume rpfilter=true|false (the answer, before any '!' or --invert)");
  // xt_addrtype: each of --src-type / --dst-type with its own '!'.
  CHECK(EvalWith("-m addrtype --dst-type LOCAL", "filter", "INPUT", yes, p) == Tri::kTrue);
  CHECK(EvalWith("-m addrtype ! --dst-type LOCAL", "filter", "INPUT", yes, p) == Tri::kFalse);
  CHECK(EvalWith("-m addrtype ! --dst-type LOCAL", "filter", "INPUT", no, p) == Tri::kTrue);
  CHECK(EvalWith("-m addrtype ! --src-type LOCAL --dst-type LOCAL", "filter", "INPUT", yes, p) ==
        Tri::kFalse);
  CHECK(EvalWith("-m addrtype --dst-type LOCAL,BROADCAST", "filter", "INPUT", none, p,
                 &reason) == Tri::kUnknown);
  CHECK(reason.starts_with("needs to know whether 192.0.2.2 (the packet's destination) is of "
                           "type LOCAL or BROADCAST for the host"));
}

TEST_CASE("--assume TABLE:CHAIN:N decides that rule, over --assume NAME", "[assume]") {
  LoadResult l = testing::LoadRule("-m rpfilter --invert -j DROP", "raw", "PREROUTING",
                                   Family::kIPv4);
  REQUIRE(l.ok());
  const Rule* r = testing::FindRule(l, "PREROUTING");
  REQUIRE(r);
  const Table* raw = l.ruleset.FindTable(TableId::kRaw);
  REQUIRE(raw);
  auto verdict = [&](const RunSettings& settings, std::string* reason = nullptr) {
    Packet p = PacketFromWords({"-i", "eth0", "-s", "198.51.100.7", "-d", "192.0.2.2"});
    EvalContext ctx;
    ctx.settings = &settings;
    ctx.hook = Hook::kPreRouting;
    ctx.table = TableId::kRaw;
    Verdict v = RunTable(*raw, p, ctx);
    if (reason) *reason = ctx.unknown_reason;
    return v;
  };
  RunSettings s;
  std::string reason;
  CHECK(verdict(s, &reason) == Verdict::kUnknown);
  CHECK(reason.starts_with("raw:PREROUTING:1 needs to know "));
  CHECK(reason.ends_with("; or decide this rule alone with --assume raw:PREROUTING:1=match|nomatch"));
  s.assumptions["rpfilter"] = true;  // the check passes: --invert does not match
  CHECK(verdict(s) == Verdict::kAccept);
  s.rule_assumptions[r] = true;  // the rule's condition matches: DROP
  CHECK(verdict(s) == Verdict::kDrop);
  s.rule_assumptions[r] = false;
  s.assumptions["rpfilter"] = false;
  CHECK(verdict(s) == Verdict::kAccept);
}
