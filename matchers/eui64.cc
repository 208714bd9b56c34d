// Extension: eui64 (match, IPv6)
// Synopsis: -m eui64
// Semantics: the low 64 bits of the IPv6 source address are the modified
//   EUI-64 interface identifier derived from the Ethernet source address of
//   the frame (packets without a MAC header do not match).  No options.  The
//   kernel allows it only in PREROUTING, INPUT and FORWARD.
// Example: -m eui64
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

class Eui64Match : public Match {
 public:
  using Match::Match;

  Status Parse(int, bool, std::span<const Arg>, const ParseContext&) override { return {}; }
  void Save(std::string&, const SaveContext&) const override {}
};

}  // namespace

extern const ExtensionInfo kEui64Match = {
    .name = "eui64",
    .kind = ExtKind::kMatch,
    .families = kFamV6,
    .options = {},
    .hooks = HookBit(Hook::kPreRouting) | HookBit(Hook::kLocalIn) | HookBit(Hook::kForward),
    .create = Create<Eui64Match>,
};

}  // namespace iptsim
