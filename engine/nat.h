// NAT bindings (nf_nat_core.c): what DNAT, SNAT, MASQUERADE, REDIRECT and
// NETMAP set up on a new connection, the choice of a unique tuple within
// the range (get_unique_tuple, with the kernel's address hash and port
// search), and the rewrite of packets of both directions from the binding
// (nf_nat_manip_pkt with checksum updates, ICMP errors' embedded packets).
// The nat chains themselves run only for the first packet of a connection;
// engine/conntrack.h's ConntrackPacket::NatBefore/NatAfter decide that.
#pragma once

#include <string>

#include "engine/conntrack.h"
#include "engine/eval.h"
#include "engine/nat_range.h"

namespace iptsim {

enum class NatManip : uint8_t { kSrc, kDst };

// HOOK2MANIP: PREROUTING and OUTPUT rewrite the destination, INPUT and
// POSTROUTING the source.
inline NatManip HookManip(Hook h) {
  return h == Hook::kPreRouting || h == Hook::kLocalOut ? NatManip::kDst : NatManip::kSrc;
}

// nf_nat_setup_info: binds the packet's new connection (ctx.ct) to a tuple
// of `range` for `manip`.  Random choices (--random, a clashing source
// port) come from the run's generator (--seed).  Returns the target's
// verdict: kAccept, kContinue when there is no connection to bind
// (untracked or invalid packets: the kernel's targets return NF_ACCEPT
// too, so kAccept), kUnknown with ctx.unknown_reason when it cannot be
// decided.
TargetVerdict NatSetup(const NatRange& range, NatManip manip, EvalContext& ctx);

// The targets' ranges made concrete from the packet (xt_MASQUERADE,
// xt_REDIRECT, xt_NETMAP), then NatSetup.
TargetVerdict NatMasquerade(const NatRange& range, const Packet& pkt, EvalContext& ctx);
TargetVerdict NatRedirect(const NatRange& range, const Packet& pkt, EvalContext& ctx);
TargetVerdict NatNetmap(const NatRange& range, const PacketView& view, EvalContext& ctx);

// MASQUERADE's and REDIRECT's interface addresses from the host model.
ConntrackHostHooks HostHooksFor(const HostModel* host);

// Rewrites the addresses (and ports / ICMP id) of the datagram that starts
// at `l3off` in pkt.bytes so that its source (kSrc) or destination (kDst)
// part is that of `target`, updating the IP, TCP, UDP, UDP-Lite and ICMPv6
// checksums incrementally as the kernel does (DCCP: addresses only, no
// longer a NAT protocol), SCTP's CRC32c anew (a
// truncated embedded transport header keeps its checksum).
void NatManipPacket(Packet& pkt, size_t l3off, const CtTuple& target, NatManip manip);

}  // namespace iptsim
