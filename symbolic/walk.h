// The symbolic chain walker: one table at one hook, for sets of packets
// instead of one packet, with the same jumps, gotos, RETURNs, policies and
// rule numbers as engine/walker.cc.  Each rule splits the set into the
// packets it matches and the rest; a target's effect (TargetEffect) says
// where the matched ones go and how their fields change.
#pragma once

#include <memory>
#include <unordered_map>
#include <vector>

#include "engine/eval.h"
#include "engine/model.h"
#include "engine/trace.h"
#include "symbolic/conditions.h"

namespace iptsim::symbolic {

// Packets that share a history: the fields as they are now, the entry that
// decides their fate so far (as SimResult::decided_by), and the NAT rules
// that bound them.
struct Flow {
  bdd set;
  // Shared by the flows a split makes (most never change a field); a
  // change makes a copy (Edit).
  std::shared_ptr<const FieldState> fs;
  DecidingEntry decided;
  std::vector<const Rule*> nat;
  const Rule* unmodelled = nullptr;  // a target iptsim cannot follow ended the walk

  bool SameHistory(const Flow& o) const;
  // The fields, to change (copied first when shared).
  FieldState& Edit();
  // Equal for flows with the same history (for grouping them).
  size_t HistoryHash() const;
};

// How a table's walk ended for some packets.
struct TableEnd {
  Flow flow;          // fields after the walk (a NAT binding applied)
  Verdict verdict;    // kUnknown: ended at flow.unmodelled
  DecidingEntry entry;
};

// The packets that reach some rules (iptsim query --rule): for each rule
// watched, every set the walk tests it with, and the part of it the rule
// matches; over the arriving packet's fields, summed over every visit.
struct RuleWatch {
  struct Sets {
    bdd reached = bddfalse;
    bdd matched = bddfalse;
  };
  std::unordered_map<const Rule*, Sets> rules;  // the rules watched
};

// Walks `table`'s builtin chain for `hook` over `flows` (`watch`, when
// given, collects the packets that reach its rule).
std::vector<TableEnd> WalkTable(Conditions& conds, const Ruleset& rs, const Table& table,
                                Hook hook, std::vector<Flow> flows, RuleWatch* watch = nullptr);

// Joins flows with the same history (one set each).
std::vector<Flow> MergeFlows(std::vector<Flow> flows);

}  // namespace iptsim::symbolic
