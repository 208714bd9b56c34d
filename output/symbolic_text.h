// The symbolic answers in words, shared by `iptsim diff` and `iptsim query`:
// a set of packets as lines of boxes ("tcp; dport 8080; in eth0"), an
// outcome with its deciding rule, and the opaque conditions an example
// packet assumes.
#pragma once

#include <string>
#include <vector>

#include "symbolic/paths.h"
#include "symbolic/region.h"

namespace iptsim {

// The box lines of `set` within `universe`: at most `max_boxes` (0: no
// limit), *more counts the rest.
std::vector<std::string> RegionLines(symbolic::Conditions& conds, const bdd& set,
                                     const bdd& universe, size_t max_boxes, size_t* more);
// The same within every packet of `path`.
std::vector<std::string> PathRegionLines(symbolic::Conditions& conds, const bdd& set,
                                         PacketPath path, size_t max_boxes, size_t* more);

// "ACCEPT", "REJECT --reject-with ...", "UNDECIDED" (a target the walk
// cannot follow).
std::string OutcomeVerdictName(const symbolic::Outcome& o);

// "ACCEPT by filter:INPUT:rule:3 (FILE:LINE: -A INPUT ...)" for a symbolic
// outcome, with its NAT bindings.
std::string DescribeOutcome(const Ruleset& rs, const symbolic::Outcome& o);

// The conditions the example assumes that `set` depends on, as
// "-m limit --limit 3/min (filter:INPUT ...) matching".
std::vector<std::string> ExampleConditionLines(symbolic::Conditions& conds, const bdd& set,
                                               const symbolic::Example& ex);

}  // namespace iptsim
