// The packet space of a symbolic analysis: one BDD variable per bit of each
// header field of engine/predicate.h, interface names as codes of a finite
// set of representative names, and one variable per opaque condition.
//
// BuDDy keeps one node table per process, so one Space exists at a time.
// Its node table is bounded (kMaxNodes): past it the analysis stops with a
// clear error (exit status 2), never unbounded memory.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/model.h"
#include "engine/predicate.h"
#include "symbolic/bits.h"
#include "symbolic/tracked_states.h"

namespace iptsim::symbolic {

// An interface name that stands for every name with the same answers to
// all the -i/-o patterns of the rulesets compared.
struct IfaceRep {
  IfaceName name;        // a concrete name (for example packets)
  std::string display;   // how regions show it ("eth0", "eth+ (other)", "(other)", "(none)")
};

// Whether the packet builder makes packets of protocol `p` (so every
// packet of the space can be an example): IPv4 has no protocol 0 nor
// ICMPv6, IPv6 no IPv4 ICMP and no extension header as its protocol.
bool IsBuildableProtocol(uint32_t p, Family family);

// Every -i/-o name of `rs`'s rules, appended to `out` (a Space's patterns).
void AddInterfacePatterns(const Ruleset& rs, std::vector<IfaceName>* out);

class Space {
 public:
  // `patterns`: every -i/-o name of the rulesets analysed together.
  Space(Family family, const std::vector<IfaceName>& patterns);
  ~Space();
  Space(const Space&) = delete;
  Space& operator=(const Space&) = delete;

  Family family() const { return family_; }
  // The field's bits as variables: its value as the packet arrived.
  const BitVec& Var(Field f) const { return vars_[static_cast<int>(f)]; }
  int Width(Field f) const { return static_cast<int>(Var(f).size()); }

  const std::vector<IfaceRep>& ifaces() const { return ifaces_; }
  // The code of the representative named exactly `name` (-1: none).
  int IfaceCode(std::string_view name) const;
  // The interface word `bits` holds a name that `pattern` matches.
  bdd IfaceMatches(const BitVec& bits, const IfaceName& pattern) const;

  // Every packet the analysis considers (docs/diff.md "The packet space"):
  // the codes in range, protocol-dependent fields zero where the protocol
  // has none, lengths a real packet of the protocol can have.
  bdd Universe() const;

  // What conntrack makes of packets (the example's --ctstate).
  const TrackedStates& tracked() const { return tracked_; }

  // A new condition variable (for an opaque match): its index.
  int NewConditionVar();
  bdd ConditionVar(int index) const { return bdd_ithvarpp(index); }
  // The variables of the header fields (for quantifying them away).
  bdd FieldVarSet() const;
  // The values of field `f` that packets of `set` have (the other
  // fields' variables quantified away).
  bdd Projection(const bdd& set, Field f) const;
  // The fields in the order of their variables.
  static std::span<const Field> Order();
  // Condition variables are numbered from here on.
  int FirstConditionVar() const { return header_vars_; }

 private:
  // The packets of protocol `p` with the states conntrack can give them.
  bdd TrackedStatesOf(uint32_t p) const;
  bdd BuildUniverse() const;

 public:

 private:
  Family family_;
  std::array<BitVec, kNumFields> vars_;
  std::vector<IfaceRep> ifaces_;
  TrackedStates tracked_;
  mutable bdd universe_ = bddfalse;  // Universe(), built once
  int next_var_ = 0;
  int header_vars_ = 0;
  int allocated_vars_ = 0;
};

}  // namespace iptsim::symbolic
