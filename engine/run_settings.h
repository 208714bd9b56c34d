// What the user chose for one simulation run (`iptsim trace`, `iptsim
// verify`), in one struct: the Simulator owns it for the run, the netfilter
// path (SimOptions) and each table walk (EvalContext) point into it instead
// of copying its fields.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/conntrack.h"
#include "engine/eval.h"
#include "engine/ipset.h"

namespace iptsim {

struct HostModel;  // engine/host.h

// What the walker saw at one rule, for `--why` (output/explain_why.h): each
// time it evaluates the rule it records the result of the base match (-s -d
// -i -o -p -f together) and of each -m match it evaluated, in order.  The
// kernel stops at the first condition that fails, and so does the record:
// it holds exactly the answers the walk acted on (the packet's conntrack
// state, the run's counters and buckets as they were then).
struct RuleProbe {
  struct MatchResult {
    Tri result;
    bool assumed;  // undecided, decided by --assume TABLE:CHAIN:N=match|nomatch
  };
  const Rule* rule = nullptr;  // the rule watched
  uint64_t visits = 0;         // evaluations so far in the run
  bool base_matched = false;
  std::vector<MatchResult> matches;
};

struct RunSettings {
  // --assume NAME=true|false: the outcome of every undecided test of
  // extension NAME, before the match's own '!' or --invert (rpfilter=true:
  // the reverse-path check passes).
  std::map<std::string, bool> assumptions;
  // --assume TABLE:CHAIN:N=match|nomatch: the undecided conditions of that
  // rule match (true) or do not; after inversion, and before `assumptions`.
  std::map<const Rule*, bool> rule_assumptions;
  // --why: the rules whose evaluations the walker records (owned by the
  // caller; empty: none, the walker records nothing).
  std::vector<RuleProbe*> probes;
  // The symbolic layer's example packets (iptsim diff): the answers
  // of the conditions it could not describe over header fields, by rule and
  // match index (-1: the rule's -s/-d/-i/-o part), given regardless of the
  // packet and after any '!'.  Empty: none (every test is evaluated).
  std::map<std::pair<const Rule*, int>, bool> forced_conditions;
  std::optional<uint64_t> seed;             // --seed N
  const HostModel* host = nullptr;          // --host FILE (owned by the caller)
  // What NAT needs from the host model (MASQUERADE, REDIRECT); unset: taken
  // from `host` when there is one, else those targets stop as unknown.
  ConntrackHostHooks ct_host;
  const IpsetDb* ipsets = nullptr;          // --ipset FILE...: the run works on a copy
};

// The host the packet crosses (addresses, routes), when the user gave one
// (--host); nullptr: no host model (addrtype, rpfilter... stay unknown).
inline const HostModel* HostOf(const EvalContext& ctx) {
  return ctx.settings ? ctx.settings->host : nullptr;
}
// --assume NAME=true|false: the user's outcome for an undecided test of
// extension NAME (e.g. "rpfilter": whether the reverse-path check passes),
// before the match applies its own inversion; nullptr: none given.
inline const bool* AssumedTest(const EvalContext& ctx, std::string_view name) {
  if (!ctx.settings || ctx.rule_assumption) return nullptr;
  auto it = ctx.settings->assumptions.find(std::string(name));
  return it == ctx.settings->assumptions.end() ? nullptr : &it->second;
}
// --assume TABLE:CHAIN:N=match|nomatch: whether the undecided conditions of
// `rule` match; nullptr: none given for it.
inline const bool* AssumedRule(const EvalContext& ctx, const Rule& rule) {
  if (!ctx.settings || ctx.settings->rule_assumptions.empty()) return nullptr;
  auto it = ctx.settings->rule_assumptions.find(&rule);
  return it == ctx.settings->rule_assumptions.end() ? nullptr : &it->second;
}
// The --why probe watching `rule`, or nullptr.
inline RuleProbe* ProbeFor(const std::vector<RuleProbe*>& probes, const Rule& rule) {
  for (RuleProbe* p : probes)
    if (p->rule == &rule) return p;
  return nullptr;
}

}  // namespace iptsim
