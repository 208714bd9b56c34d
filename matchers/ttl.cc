// Extension: ttl (match, IPv4)
// Synopsis: -m ttl [!] --ttl-eq N | --ttl-lt N | --ttl-gt N
// Semantics: compares the IPv4 header's TTL with N (0..255): equal (not
//   equal with '!'), less than, greater than.  Exactly one of the three;
//   only --ttl-eq can be inverted.  No kernel restrictions (xt_hl).
// Example: -m ttl --ttl-lt 5
// Evaluation: yes
#include "matchers/hop_limit_match.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"ttl-eq", 1, true},
    {"ttl-lt", 1, false},
    {"ttl-gt", 1, false},
};
constexpr HopLimitField kField = {"ttl-eq", "ttl-lt", "ttl-gt", "TTL value", 8};

class TtlMatch : public HopLimitMatch {
 public:
  explicit TtlMatch(const ExtensionInfo* info) : HopLimitMatch(info, kField) {}
};

}  // namespace

extern const ExtensionInfo kTtlMatch = {
    .name = "ttl",
    .kind = ExtKind::kMatch,
    .families = kFamV4,
    .options = kOptions,
    .create = Create<TtlMatch>,
};

}  // namespace iptsim
