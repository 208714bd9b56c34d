// A rule's conditions as a set of packets: its -s/-d/-i/-o/-p/-f part and
// each match's description (Match::Describe) compiled to a BDD over the
// fields as the walk sees them at that point (FieldState).  What cannot be
// described -- an opaque match, a test of a field a target made unknown --
// becomes a condition variable of its own, so every answer keeps it as
// "if CONDITION" instead of guessing.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "engine/model.h"
#include "engine/predicate.h"
#include "symbolic/space.h"

namespace iptsim::symbolic {

// The fields at one point of a walk: each field's value as a word of BDD
// functions of the arriving packet's variables, or unknown.
struct FieldState {
  std::array<BitVec, kNumFields> bits;
  uint32_t unknown = 0;  // a bit per Field

  static FieldState Arriving(const Space& space);
  const BitVec& Of(Field f) const { return bits[static_cast<int>(f)]; }
  bool Known(Field f) const { return !(unknown >> static_cast<int>(f) & 1); }
  void Set(Field f, BitVec v);
  void SetUnknown(Field f) { unknown |= 1u << static_cast<int>(f); }
  bool operator==(const FieldState& o) const;
};

// A rule's identity across rulesets: its table, chain and text as
// iptables-save prints it, and which of the identical rules of the chain it
// is.  A rule moved or renumbered by an edit keeps it.
std::string RuleIdentity(const Ruleset& rs, TableId table, const Chain& chain, const Rule& rule);

// Where an opaque condition comes from, for the answers.
struct ConditionInfo {
  std::string text;   // "-m limit --limit 5/sec" (or "-d 10.0.0.1 after DNAT")
  std::string where;  // "filter:INPUT" and the rule text
  std::string rule;   // the rule as iptables-save prints it
};

// The rule conditions of the rulesets analysed together.  An opaque
// condition gets one variable per (table, chain, rule text, occurrence,
// match): the same rule in two rulesets shares it, so an unchanged rule's
// condition is the same condition before and after.
class Conditions {
 public:
  explicit Conditions(Space& space) : space_(space) {}

  // The packets the rule matches, given the fields as they are.
  bdd RuleMatches(const Ruleset& rs, const Table& table, const Chain& chain, const Rule& rule,
                  const FieldState& fs);
  // A description compiled over the fields; opaque parts take variable `var`.
  bdd Compile(const Pred& p, const FieldState& fs, int var);
  // Variable index -> where it comes from.
  const std::map<int, ConditionInfo>& info() const { return info_; }
  // The rules' conditions each variable stands for (rule, match index; -1:
  // the -s/-d/-i/-o part), in every ruleset analysed: what the concrete
  // engine is told to assume (RunSettings::forced_conditions).
  const std::map<int, std::set<std::pair<const Rule*, int>>>& users() const { return users_; }
  Space& space() { return space_; }

 private:
  int VarFor(const Ruleset& rs, const Table& table, const Chain& chain, const Rule& rule,
             int match, std::string text);
  bdd BaseMatches(const IpHeaderMatch& ip, const FieldState& fs, int var);

  Space& space_;
  // (RuleIdentity, match) -> variable
  std::map<std::pair<std::string, int>, int> vars_;
  std::map<int, ConditionInfo> info_;
  std::map<int, std::set<std::pair<const Rule*, int>>> users_;
  // Per rule: its RuleIdentity (computed once).
  std::map<const Rule*, std::string> rule_keys_;
};

}  // namespace iptsim::symbolic
