// iptsim trace --explore: every outcome of the run's random decisions.
#pragma once

#include <vector>

#include "cli/trace.h"
#include "engine/run_state.h"

namespace iptsim::cli {

// One run of `iptsim trace` with its random decisions forced (see
// RunState::Explore), and the decisions it took.
struct ExploreBranch {
  std::vector<bool> forced;
  std::vector<RunState::Choice> choices;
};

// Runs the trace once per combination of its random decisions (all packets,
// through a fresh simulation each time: branch k forces the decisions of
// branch k-1 up to its last "yes", then "no"), and prints each trace with its
// probability.
int ExploreTrace(const TraceSetup& setup, const TraceDisplay& display);

}  // namespace iptsim::cli
