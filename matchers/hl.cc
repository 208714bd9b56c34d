// Extension: hl (match, IPv6)
// Synopsis: -m hl [!] --hl-eq N | --hl-lt N | --hl-gt N
// Semantics: compares the IPv6 header's hop limit with N (0..255): equal (not
//   equal with '!'), less than, greater than.  Exactly one of the three;
//   only --hl-eq can be inverted.  No kernel restrictions (xt_hl).
// Example: -m hl --hl-eq 255
// Evaluation: yes
#include "matchers/hop_limit_match.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"hl-eq", 1, true},
    {"hl-lt", 1, false},
    {"hl-gt", 1, false},
};
constexpr HopLimitField kField = {"hl-eq", "hl-lt", "hl-gt", "hop limit", 7};

class HlMatch : public HopLimitMatch {
 public:
  explicit HlMatch(const ExtensionInfo* info) : HopLimitMatch(info, kField) {}
};

}  // namespace

extern const ExtensionInfo kHlMatch = {
    .name = "hl",
    .kind = ExtKind::kMatch,
    .families = kFamV6,
    .options = kOptions,
    .create = Create<HlMatch>,
};

}  // namespace iptsim
