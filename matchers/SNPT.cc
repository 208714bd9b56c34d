// Extension: SNPT (target, IPv6)
// Synopsis: -j SNPT --src-pfx ADDR/LEN --dst-pfx ADDR/LEN
// Semantics: stateless IPv6 prefix translation (RFC 6296) of the source
//   address: the --src-pfx prefix is replaced by the --dst-pfx one and a
//   16-bit word of the interface identifier is adjusted so the transport
//   checksum stays valid; then the rule continues.  Both options are
//   required.  Kernel (ip6t_NPT): mangle table, INPUT and POSTROUTING;
//   prefixes of at most /64 with no bits set after the prefix.
// Example: -s fd00:1::/64 -j SNPT --src-pfx fd00:1::/64 --dst-pfx 2001:db8:1::/64
// Evaluation: yes (the prefix is rewritten checksum-neutrally as ip6t_NPT does, also in the packet an ICMPv6 error embeds; a packet without an adjustable word is dropped)
#include "matchers/nat_npt.h"

namespace iptsim {

extern const ExtensionInfo kSnptTarget = {
    .name = "SNPT",
    .kind = ExtKind::kTarget,
    .families = kFamV6,
    .options = kNptOptions,
    .table = static_cast<int8_t>(TableId::kMangle),
    .hooks = HookBit(Hook::kLocalIn) | HookBit(Hook::kPostRouting),
    .create = Create<NptTarget>,
};

}  // namespace iptsim
