// Extension: DNPT (target, IPv6)
// Synopsis: -j DNPT --src-pfx ADDR/LEN --dst-pfx ADDR/LEN
// Semantics: stateless IPv6 prefix translation (RFC 6296) of the
//   destination address: the --src-pfx prefix is replaced by the --dst-pfx
//   one and a 16-bit word of the interface identifier is adjusted so the
//   transport checksum stays valid; then the rule continues.  Both options
//   are required.  Kernel (ip6t_NPT): mangle table, PREROUTING and OUTPUT;
//   prefixes of at most /64 with no bits set after the prefix.
// Example: -d fd00:1::/64 -j DNPT --src-pfx 2001:db8:1::/64 --dst-pfx fd00:1::/64
// Evaluation: yes (the prefix is rewritten checksum-neutrally as ip6t_NPT does, also in the packet an ICMPv6 error embeds; a packet without an adjustable word is dropped)
#include "matchers/nat_npt.h"

namespace iptsim {

extern const ExtensionInfo kDnptTarget = {
    .name = "DNPT",
    .kind = ExtKind::kTarget,
    .families = kFamV6,
    .options = kNptOptions,
    .table = static_cast<int8_t>(TableId::kMangle),
    .hooks = HookBit(Hook::kPreRouting) | HookBit(Hook::kLocalOut),
    .create = Create<NptTarget>,
};

}  // namespace iptsim
