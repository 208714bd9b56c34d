// Readers and writers shared by the connection-tracking extensions
// (conntrack, state, connbytes, connlimit, ipvs, ...): libxtables' range
// syntax "A[:B]" with empty parts, HOSTMASK addresses (kept unmasked, as
// iptables keeps them), prefix lengths or dotted masks, and comma lists of
// names that iptables accepts by case-insensitive prefix ("N,E").
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/netaddr.h"
#include "engine/conntrack.h"
#include "engine/extension.h"
#include "engine/predicate.h"
#include "matchers/parse_util.h"

namespace iptsim {

// "A", "A:B", ":B", "A:", ":" with every number as ParseUInt reads it, at most
// `max`.  A missing first part is 0, a missing second part is `max`; a single
// number gives lo == hi == A and *two = false.  Rejects lo > hi unless `order`
// allows it.
// `what` names the value in messages ("expiry time").
Status ParseUIntRange(std::string_view text, uint64_t max, std::string_view what, uint64_t* lo,
                      uint64_t* hi, bool* two, RangeOrder order = RangeOrder::kStartNotAboveEnd);

// A port as libxtables' xtables_getportbyname reads it (getaddrinfo): a
// decimal number 0..65535 or a service name of any protocol.
bool ParseServicePort(std::string_view text, uint16_t* out);
// "A", "A:B", ":B", "A:", ":" of such ports (missing parts 0 and 65535);
// refuses A > B unless `order` allows it.
Status ParseServicePortRange(std::string_view text, uint16_t* lo, uint16_t* hi,
                             RangeOrder order = RangeOrder::kStartNotAboveEnd);

// A prefix length 0..32 (0..128) or, when it is written as an address, a
// contiguous mask ("255.255.255.0", "ffff:ffff::").  Non-contiguous masks are
// refused (iptables cannot represent them in these options).
bool ParsePrefixLenOrMask(Family f, std::string_view text, int* len);

// XTTYPE_HOSTMASK: "ADDR[/LEN|/MASK]".  The address keeps its host bits (the
// kernel masks both sides when it compares).
Status ParseHostMask(Family f, std::string_view text, IpPrefix* out);
// "ADDR" for a full-length mask, else "ADDR/LEN" (as xtables_ipmask_to_numeric).
std::string FormatHostMask(Family f, const IpPrefix& p);

// A name with the bit it stands for.
struct NamedBit {
  std::string_view name;
  uint32_t bit;
};
// "A,B,C" where each item is a case-insensitive prefix of a name of `names`
// (the first in table order wins, as iptables' strncasecmp loop).  Empty items
// are errors.  On failure *bad is the offending item.
bool ParseNameList(std::string_view text, std::span<const NamedBit> names, uint32_t* mask,
                   std::string* bad);
// "empty WHAT in 'LIST' (...)" for an empty item of a comma list.
std::string EmptyItem(std::string_view what, std::string_view list);
// The names whose bits are in `mask`, comma-separated, in the order of `order`.
std::string NameListText(uint32_t mask, std::span<const NamedBit> order);

// The packet's conntrack state as xt_conntrack / xt_state number it
// (XT_CONNTRACK_STATE_BIT): INVALID 1 (no entry; also before conntrack ran,
// e.g. in the raw table, and when conntrack is off), ESTABLISHED 2, RELATED
// 4, NEW 8; `untracked_bit` for an untracked packet (conntrack: 1 << 8,
// state: 1 << 6).
uint32_t CtStateOf(const EvalContext& ctx, uint32_t untracked_bit);
// The same for one state of engine/predicate.h (CtStateOfRef's answer).
uint32_t CtStateBit(CtStateValue state, uint32_t untracked_bit);
// "The state's bit is in `mask`" over the ctstate field: the states whose
// bit is set, as an Or of equalities (False when none is).
Pred CtStateIn(uint32_t mask, uint32_t untracked_bit);

// Shared "given twice" refusal: iptables' option framework lets every option
// of these extensions appear once.
Status OnlyOnce(bool* seen, std::string_view option);

}  // namespace iptsim
