// Extension: hbh (match, IPv6)
// Synopsis: -m hbh [[!] --hbh-len LENGTH] [--hbh-opts TYPE[:LEN][,TYPE[:LEN]...]]
// Semantics: the packet has a Hop-by-Hop Options extension header, whose
//   length is LENGTH bytes ((Hdr Ext Len + 1) * 8) and whose first options
//   are the listed types in that order, each with the given data length when
//   one is given (at most 16; type 0, Pad1, has no length).  Without options
//   it matches any packet with that header.
// Example: -m hbh --hbh-len 8 --hbh-opts 5:2
// Evaluation: yes
#include "matchers/ip6_opts.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"hbh-len", 1, true}, {"hbh-opts", 1, false}};

class HbhMatch : public Ip6OptsMatch {
 public:
  explicit HbhMatch(const ExtensionInfo* info) : Ip6OptsMatch(info, "hbh") {}
};

}  // namespace

extern const ExtensionInfo kHbhMatch = {
    .name = "hbh",
    .kind = ExtKind::kMatch,
    .families = kFamV6,
    .options = kOptions,
    .create = Create<HbhMatch>,
};

}  // namespace iptsim
