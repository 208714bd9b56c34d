// The concrete engine's word on a symbolic answer: an example packet run
// through a ruleset by engine/simulator.h, with fresh state, the opaque
// conditions answered as the example assumes them
// (RunSettings::forced_conditions), must meet the outcome the symbolic
// walk gave its set.  A disagreement is an internal error, never silent.
#pragma once

#include <string>
#include <vector>

#include "engine/simulator.h"
#include "symbolic/paths.h"
#include "symbolic/region.h"

namespace iptsim::symbolic {

// The engine's outcome of the example on `rs`: "" when it is `expected`,
// else what differs.  `result` (optional) receives the engine's result.
std::string ConfirmExample(const Conditions& conds, const Ruleset& rs, const Example& ex,
                           const Outcome& expected, RunResult* result = nullptr);

// Runs `pkt` through `sim` and gives its outcome as OutcomeKey gives it
// (`result`, optional, receives the run).
std::string RunOutcomeKey(Simulator& sim, Packet& pkt, bool verdicts_only,
                          RunResult* result = nullptr);

// The engine's outcome of the example on `rs` as OutcomeKey gives it;
// "" and *error set when the example is not a packet.
std::string ConcreteOutcomeKey(const Conditions& conds, const Ruleset& rs, const Example& ex,
                               std::string* error, RunResult* result = nullptr);

// Which of `rules` the example's own walk reaches and matches in the
// engine (not the walks of packets the run makes the kernel send: a
// REJECT's reply, a TEE copy).  "" or why the example is not a packet.
struct RuleVisits {
  std::vector<bool> reached, matched;  // by index in `rules`
};
std::string WatchRules(const Conditions& conds, const Ruleset& rs, const Example& ex,
                       const std::vector<const Rule*>& rules, RuleVisits* out);

// The engine's word on an example of the packets that reach `rule` (and,
// with `want_match`, that the rule matches): "" when its run agrees, else
// what differs.
std::string ConfirmReach(const Conditions& conds, const Ruleset& rs, const Example& ex,
                         const Rule& rule, bool want_match);

// The engine's word on an example the symbolic walk says is accepted: ""
// when its run accepts it.
std::string ConfirmAccepted(const Conditions& conds, const Ruleset& rs, const Example& ex);

// The example as a packet (ParsePacketSpec + BuildPacket); "" or the error.
std::string ExamplePacket(const Example& ex, Family family, Packet* out);

// The settings that answer the example's opaque conditions.
RunSettings ExampleSettings(const Conditions& conds, const Example& ex);

}  // namespace iptsim::symbolic
