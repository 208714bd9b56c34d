// What the set match and the SET target share: an ipset reference
// "NAME FLAGS" where FLAGS is a comma list of src/dst, one per dimension of
// the set (libxt_set.h parse_dirs).
#pragma once

#include <string>
#include <string_view>

#include "engine/extension.h"

namespace iptsim {

struct IpsetRef {
  std::string name;
  uint8_t dim = 0;      // number of src/dst words, 1..6
  uint8_t src_bits = 0; // bit i-1 set when word i is "src"
  bool given() const { return dim != 0; }
  // "src,dst,..."
  std::string Flags() const;
};

// Parses args[0] (the set name, at most 31 characters) and args[1] (the
// flags); `what` is the option name for messages ("match-set").  The set's
// existence (and its family) is not checked: ipsets live outside the
// ruleset.
Status ParseIpsetRef(std::span<const Arg> args, std::string_view what, IpsetRef* out);

}  // namespace iptsim
