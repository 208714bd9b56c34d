// Questions about one ruleset, answered for every packet at once (iptsim
// query): the packets that meet each outcome, the packets that reach a
// rule, and the service matrix -- which sources may open connections to
// which services.  All of them within a set of packets the user gives
// (`where`, the match part of an iptables rule) and on the paths asked.
#pragma once

#include <vector>

#include "symbolic/paths.h"
#include "symbolic/region.h"

namespace iptsim::symbolic {

// The packets the match part of `constraint` (a rule loaded on its own)
// selects, over the arriving packet's fields; *opaque is set when it tests
// something the space cannot describe (a condition variable was needed).
bdd WhereSet(Conditions& conds, const Ruleset& rs, const Table& table, const Chain& chain,
             const Rule& constraint, bool* opaque);

// One outcome on one path and the packets (within `where`) that meet it.
struct OutcomeRegion {
  PacketPath path;
  bdd set;
  Outcome outcome;
  Example example;
};
std::vector<OutcomeRegion> OutcomeRegions(Conditions& conds, const Ruleset& rs,
                                          const std::vector<PacketPath>& paths,
                                          const bdd& where);

// The packets of one path (within `where`) that reach `rule`, and those of
// them it matches, each with an example (when not empty).
struct RuleReach {
  PacketPath path;
  bdd reached, matched;
  Example reached_example, matched_example;
};
std::vector<RuleReach> ReachOf(Conditions& conds, const Ruleset& rs, const Rule& rule,
                               const std::vector<PacketPath>& paths, const bdd& where);

// The service matrix of one path: the packets that open a connection
// (conntrack state NEW; a TCP packet with SYN alone) and are accepted,
// grouped by where they come from (input interface and source address)
// into classes that may reach the same services (destination address,
// protocol, destination port).  Conditions the space cannot see are taken
// as able to hold: "may reach".
struct ServiceClass {
  bdd sources;   // over the input interface and source address
  bdd services;  // over destination address, protocol, destination port
  Example example;  // an accepted packet of the class ("" options: none)
};
struct ServiceMatrix {
  PacketPath path;
  bdd source_universe, service_universe;  // what goes without saying
  std::vector<ServiceClass> classes;      // sources with no service last
};
ServiceMatrix ServicesOf(Conditions& conds, const Ruleset& rs, PacketPath path, const bdd& where);

// The packets that open a connection: conntrack state NEW, and TCP only
// with SYN alone among SYN, ACK, RST and FIN.
bdd OpeningPackets(const Space& space);

}  // namespace iptsim::symbolic
