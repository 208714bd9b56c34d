// iptsim trace --explore: every outcome of the run's random decisions.
#pragma once

#include <vector>

#include "cli/commands.h"
#include "engine/run_state.h"

namespace iptsim::cli {

// One run of `iptsim trace` with its random decisions forced (see
// RunState::Explore), and the decisions it took.
struct ExploreBranch {
  std::vector<bool> forced;
  std::vector<RunState::Choice> choices;
};

// `iptsim trace` for one branch (nullptr: a plain run).
int TraceRun(const Args& args, ExploreBranch* branch);

// Runs the trace command once per combination of its random decisions (the
// whole run, all packets, again each time: branch k forces the decisions of
// branch k-1 up to its last "yes", then "no"), and prints each trace with its
// probability.  `args` are trace's arguments, args[explore_index] the
// --explore option.
int ExploreTrace(const Args& args, size_t explore_index);

}  // namespace iptsim::cli
