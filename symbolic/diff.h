// Two rulesets compared symbolically: on each path, every set of packets
// whose outcome (verdict, deciding rule, NAT binding) differs, with the
// outcome before and after and an example packet, which the concrete
// engine then runs through both rulesets (symbolic/confirm.h).
#pragma once

#include <string>
#include <vector>

#include "symbolic/paths.h"
#include "symbolic/region.h"

namespace iptsim::symbolic {

struct Difference {
  PacketPath path;
  bdd set;
  Outcome before, after;
  Example example;
};

struct CompareOptions {
  // Only the verdict and the NAT binding count: packets that another rule
  // now decides the same way are not reported.
  bool verdicts_only = false;
};

// The outcome as a key that is equal across rulesets for the same fate:
// the verdict, the deciding rule's identity (RuleIdentity), the NAT rules'.
std::string OutcomeKey(const Ruleset& rs, const Outcome& o, bool verdicts_only);

// Every difference between `before` and `after` (same family), path by path.
std::vector<Difference> CompareRulesets(Conditions& conds, const Ruleset& before,
                                        const Ruleset& after, const CompareOptions& options);

}  // namespace iptsim::symbolic
