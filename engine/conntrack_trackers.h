// What the connection tracking files share and nothing else includes: the
// protocol numbers, the big-endian byte readers, and the protocol trackers
// as the per-packet code (engine/conntrack_packet.cc) calls them.
//   engine/conntrack.cc         tuples, the table, --format explain text
//   engine/conntrack_packet.cc  nf_conntrack_in and confirmation per packet
//   engine/conntrack_tcp.cc     the TCP tracker (states, windows, timeouts)
//   engine/conntrack_sctp.cc    the SCTP tracker (chunks, verification tags)
//   engine/defrag.cc            IPv4 / IPv6 defragmentation before conntrack
#pragma once

#include <cstddef>
#include <cstdint>

#include "engine/conntrack.h"

namespace iptsim {

struct PacketView;

namespace conntrack_internal {

constexpr uint8_t kTcp = 6, kUdp = 17, kIcmp = 1, kIcmpv6 = 58, kUdplite = 136, kSctp = 132,
                  kDccp = 33;


// ------------------------------------------------------------------- TCP

// What nf_conntrack_tcp_packet decided for a packet: kRepeat, a SYN that
// reopens a closed connection (the old entry dies, the packet is looked up
// again); kKill, a RST before any reply (the connection goes away);
// kAcceptNoRefresh, accepted without accounting or timeout refresh (a SYN
// retransmission).
enum class TcpResult { kAccept, kIgnore, kInvalid, kRepeat, kKill, kAcceptNoRefresh };

// nf_conntrack_tcp_packet after tcp_error: tcp_new for a fresh entry, the
// state table with its special cases, the window, the timeout.
TcpResult TcpPacket(ConntrackEntry& e, CtDir dir, bool fresh, const PacketView& v,
                    const ConntrackSettings& settings, double now);

// tcp_error: header length and flag combinations.
bool TcpHeaderValid(const PacketView& v);

// An entry assumed ESTABLISHED (--ctstate): the TCP state, liberal windows
// and the ESTABLISHED timeout from `now`.
void TcpAssumeEstablished(ConntrackEntry& e, double now);

// ------------------------------------------------------------------ SCTP

enum class SctpResult { kAccept, kIgnore, kInvalid };

// nf_conntrack_sctp_packet after sctp_error (which the per-packet code did)
// over the SCTP packet p[0..n).
SctpResult SctpPacket(ConntrackEntry& e, CtDir dir, bool fresh, const uint8_t* p, size_t n,
                      double now);

}  // namespace conntrack_internal
}  // namespace iptsim
