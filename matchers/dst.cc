// Extension: dst (match, IPv6)
// Synopsis: -m dst [[!] --dst-len LENGTH] [--dst-opts TYPE[:LEN][,TYPE[:LEN]...]]
// Semantics: the packet has a Destination Options extension header, whose
//   length is LENGTH bytes ((Hdr Ext Len + 1) * 8) and whose first options
//   are the listed types in that order, each with the given data length when
//   one is given (at most 16; type 0, Pad1, has no length).  Without options
//   it matches any packet with that header.
// Example: -m dst --dst-len 8 --dst-opts 5:2
// Evaluation: yes
#include "matchers/ip6_opts.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"dst-len", 1, true}, {"dst-opts", 1, false}};

class DstMatch : public Ip6OptsMatch {
 public:
  explicit DstMatch(const ExtensionInfo* info) : Ip6OptsMatch(info, "dst") {}
};

}  // namespace

extern const ExtensionInfo kDstMatch = {
    .name = "dst",
    .kind = ExtKind::kMatch,
    .families = kFamV6,
    .options = kOptions,
    .create = Create<DstMatch>,
};

}  // namespace iptsim
