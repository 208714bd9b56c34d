// A set of packets in words: split into boxes (per field, a set of values;
// per opaque condition, whether it holds), each field's values as CIDRs,
// port ranges, names, flag bits; and one concrete packet of the set in
// iptsim's packet syntax, with the answers it assumes for the opaque
// conditions.
#pragma once

#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "symbolic/conditions.h"

namespace iptsim::symbolic {

// One box: the fields that are constrained, in the order of the space,
// as (field name, values in words); then the conditions assumed.
struct Box {
  std::vector<std::pair<std::string, std::string>> fields;
  std::vector<std::pair<int, bool>> conditions;  // condition variable, holds
};

// The boxes whose union is `set` (within `universe`, which describes what
// goes without saying).  At most `max_boxes` (0: no limit); *more says how
// many were left out.
std::vector<Box> DescribeSet(Conditions& conds, const bdd& set, const bdd& universe,
                             size_t max_boxes, size_t* more);

// One packet of `set`: iptsim's packet options ("-i eth0 -p tcp --dport 22
// ..."), the opaque conditions' answers the packet assumes, and the packet
// as a point of the space (for membership tests: `set & point`).
struct Example {
  std::string options;
  std::map<int, bool> conditions;  // condition variable -> holds
  bdd point;
};
// The packet the answers show: the packet builder's defaults and the usual
// cases where the set allows them.
Example PickExample(Conditions& conds, const bdd& set);

// Values worth trying for each field (range ends and their neighbours).
using FieldValue = unsigned __int128;
using Boundaries = std::map<Field, std::vector<FieldValue>>;
// A random packet of `set` (not empty): each field a boundary value half
// the time when one fits, else random; random answers for the conditions.
Example RandomExample(Conditions& conds, const bdd& set, std::mt19937_64& rng,
                      const Boundaries& boundaries);

// "tcp", "udp", "icmp", ... or the number.
std::string ProtoName(uint32_t p, Family family);

}  // namespace iptsim::symbolic
