// A set of packets in words: split into boxes (per field, a set of values;
// per opaque condition, whether it holds), each field's values as CIDRs,
// port ranges, names, flag bits; and one concrete packet of the set in
// iptsim's packet syntax, with the answers it assumes for the opaque
// conditions.
#pragma once

#include <map>
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
// ..."), and the opaque conditions' answers the packet assumes.
struct Example {
  std::string options;
  std::map<int, bool> conditions;  // condition variable -> holds
};
Example PickExample(Conditions& conds, const bdd& set);

// "tcp", "udp", "icmp", ... or the number.
std::string ProtoName(uint32_t p, Family family);

}  // namespace iptsim::symbolic
