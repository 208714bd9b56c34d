// What a connection is and what a packet sees of it: the conntrack status
// bits, ctinfo and directions, tuples and zones, the TCP tracker's states
// and windows, one connection's entry (struct nf_conn) and the packet's
// reference to it (skb->_nfct) that matches and targets read.  The table and
// the per-packet code that make and find entries: engine/conntrack.h.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/model.h"
#include "engine/netaddr.h"

namespace iptsim {

// IPS_* status bits (uapi nf_conntrack_common.h).
namespace ips {
constexpr uint32_t kExpected = 1u << 0;
constexpr uint32_t kSeenReply = 1u << 1;
constexpr uint32_t kAssured = 1u << 2;
constexpr uint32_t kConfirmed = 1u << 3;
constexpr uint32_t kSrcNat = 1u << 4;
constexpr uint32_t kDstNat = 1u << 5;
constexpr uint32_t kSeqAdjust = 1u << 6;
constexpr uint32_t kSrcNatDone = 1u << 7;
constexpr uint32_t kDstNatDone = 1u << 8;
constexpr uint32_t kDying = 1u << 9;
constexpr uint32_t kFixedTimeout = 1u << 10;
constexpr uint32_t kTemplate = 1u << 11;
constexpr uint32_t kUntracked = 1u << 12;
constexpr uint32_t kHelper = 1u << 13;
}  // namespace ips

// enum ip_conntrack_info.
enum class CtInfo : uint8_t {
  kEstablished = 0,
  kRelated = 1,
  kNew = 2,
  kEstablishedReply = 3,
  kRelatedReply = 4,
  kUntracked = 7,
};

enum CtDir : uint8_t { kCtOriginal = 0, kCtReply = 1 };

// struct nf_conntrack_tuple: addresses, protocol and the protocol's part.
// Ports for TCP/UDP/UDP-Lite/SCTP/DCCP; ICMP/ICMPv6: `sport` is the id,
// `dport` is type << 8 | code; other protocols: both 0.
struct CtTuple {
  Family family = Family::kIPv4;
  IpAddr src, dst;
  uint16_t sport = 0, dport = 0;
  uint8_t proto = 0;
  bool operator==(const CtTuple&) const = default;
  uint8_t icmp_type() const { return static_cast<uint8_t>(dport >> 8); }
  uint8_t icmp_code() const { return static_cast<uint8_t>(dport); }
  std::string ToString() const;  // "tcp 10.0.0.1:40000 -> 10.0.0.2:80" (messages, tests)
};

// A conntrack zone (struct nf_conntrack_zone): its id applies to the
// directions in `dir` (1 original, 2 reply; CT --zone-orig / --zone-reply),
// the other direction is in the default zone 0 (nf_ct_zone_id).
struct CtZone {
  uint16_t id = 0;
  uint8_t dir = 3;
  uint16_t Id(CtDir d) const { return (dir >> d) & 1 ? id : 0; }
};

// The TCP tracker's states (enum tcp_conntrack).
enum class TcpCtState : uint8_t {
  kNone,
  kSynSent,
  kSynRecv,
  kEstablished,
  kFinWait,
  kCloseWait,
  kLastAck,
  kTimeWait,
  kClose,
  kSynSent2,
};
std::string_view TcpCtStateName(TcpCtState s);  // "ESTABLISHED" as /proc/net/nf_conntrack

// struct ip_ct_tcp_state: one direction's window.
struct TcpWindow {
  uint32_t end = 0, maxend = 0, maxwin = 0, maxack = 0;
  uint8_t scale = 0;
  uint8_t flags = 0;  // IP_CT_TCP_FLAG_*
};

// One connection (struct nf_conn).  A NAT binding (nf_nat_setup_info) is
// carried by the reply tuple and the IPS_SRC_NAT / IPS_DST_NAT bits.
struct ConntrackEntry {
  uint64_t id = 0;
  CtTuple tuple[2];  // [kCtOriginal], [kCtReply] (the reply tuple after NAT)
  uint32_t status = 0;
  uint32_t mark = 0;   // ctmark (CONNMARK, -m connmark)
  uint32_t secmark = 0;
  uint16_t zone = 0;   // CT --zone id
  uint8_t zone_dir = 3;  // ... for these directions (CtZone)
  CtZone Zone() const { return CtZone{zone, zone_dir}; }
  std::array<uint8_t, 16> labels{};  // connlabel bits 0..127
  std::string helper;  // CT --helper (assignment only: no expectations)
  IfaceName masq_dev;  // MASQUERADE's output device (nf_conn_nat masq_index)
  uint64_t packets[2] = {0, 0}, bytes[2] = {0, 0};
  double timeout = 0;     // absolute expiry, in the packets' --time clock
  double created = 0;     // time of the first packet
  // TCP
  TcpCtState tcp_state = TcpCtState::kNone;
  TcpWindow tcp[2];
  uint8_t last_dir = 0, last_index = 0;
  uint32_t last_seq = 0, last_ack = 0, last_end = 0;
  uint16_t last_win = 0;
  uint8_t last_wscale = 0, last_flags = 0;
  uint8_t retrans = 0;
  // SCTP (struct ip_ct_sctp)
  uint8_t sctp_state = 0;  // SCTP_CONNTRACK_*: NONE CLOSED COOKIE_WAIT ... HEARTBEAT_SENT
  uint32_t sctp_vtag[2] = {0, 0};
  bool sctp_init[2] = {false, false};
  uint8_t sctp_flags = 0, sctp_last_dir = 0;

  // A packet of direction `dir` carries tuple[dir] before NAT and the
  // inverse of tuple[!dir] after it.
  bool confirmed() const { return status & ips::kConfirmed; }
  // Remaining lifetime in seconds at `now` (--ctexpire), 0 once expired.
  uint32_t ExpiresIn(double now) const;
};

// The packet's entry and ctinfo (skb->_nfct), what matches see through
// EvalContext::ct.  `entry` is nullptr for an untracked packet and for one
// without entry (INVALID).
struct CtRef {
  ConntrackEntry* entry = nullptr;
  CtInfo info = CtInfo::kNew;
  bool untracked = false;
  class ConntrackTable* table = nullptr;  // the run's table (connlimit)
  class ConntrackPacket* packet = nullptr;

  // CT target settings for a packet that has no entry yet (a template).
  bool tmpl_notrack = false;
  bool tmpl = false;  // a CT template is attached (xt_ct_target: ctinfo IP_CT_NEW)
  uint16_t tmpl_zone = 0;
  uint8_t tmpl_zone_dir = 3;
  std::string tmpl_helper;

  bool invalid() const { return !entry && !untracked; }
  CtDir dir() const {
    return info == CtInfo::kEstablishedReply || info == CtInfo::kRelatedReply ? kCtReply
                                                                               : kCtOriginal;
  }
};

}  // namespace iptsim
