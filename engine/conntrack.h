// Connection tracking: the table of connections that all packets of one
// simulation run share (as one network namespace's nf_conntrack table), the
// lookup of a packet's tuple in both directions, the ctinfo the matches see
// (NEW / ESTABLISHED / RELATED / reply / untracked, or no entry: INVALID),
// the protocol trackers (TCP states and windows, SCTP, UDP, ICMP, GRE,
// generic), timeouts, counters, zones and confirmation at the end of the
// path.  NAT bindings and rewriting: engine/nat.h.
//
// How it is wired (engine/netfilter.cc calls these, nothing else):
//   ConntrackTable::Defrag      before the first hook (defragmentation, -400)
//   ConntrackPacket::In         after the raw table of PREROUTING / OUTPUT
//                               (nf_conntrack_in, priority -200)
//   ConntrackPacket::NatBefore  whether a nat chain runs (nf_nat_inet_fn)
//   ConntrackPacket::NatAfter   null binding + the rewrite (nf_nat_packet)
//   ConntrackPacket::Confirm    at the end of INPUT / POSTROUTING
//                               (__nf_conntrack_confirm); a packet dropped
//                               before leaves no entry.
// and engine/simulator.cc: one ConntrackPacket per packet on the run's
// ConntrackTable, ConntrackPacket::Attach for REJECT's replies.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/model.h"
#include "engine/netaddr.h"
#include "engine/packet.h"

namespace iptsim {

struct PacketView;

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

// Per-run settings of the tracker: the kernel's sysctls (defaults).
struct ConntrackSettings {
  bool tcp_loose = true;       // nf_conntrack_tcp_loose
  bool tcp_be_liberal = false; // nf_conntrack_tcp_be_liberal
  bool checksum = true;        // nf_conntrack_checksum
};

// The run's connection table.
class ConntrackTable {
 public:
  ConntrackTable() = default;
  ConntrackTable(const ConntrackTable&) = delete;
  ConntrackTable& operator=(const ConntrackTable&) = delete;

  // The confirmed entry holding `t` as its original or reply tuple, in
  // `zone`, not expired at `now` (an expired one is removed); *dir says which.
  ConntrackEntry* Find(const CtTuple& t, CtZone zone, double now, CtDir* dir);
  ConntrackEntry* Find(const CtTuple& t, uint16_t zone, double now, CtDir* dir) {
    return Find(t, CtZone{zone, 3}, now, dir);
  }
  // Whether a confirmed entry other than `ignore` uses `t` in either
  // direction (nf_conntrack_tuple_taken: NAT clash resolution).
  // `as`: the direction whose zone id the tuple is looked up with.
  bool Taken(const CtTuple& t, CtZone zone, CtDir as, const ConntrackEntry* ignore, double now);
  // Inserts a new entry (confirmation).
  ConntrackEntry* Insert(std::unique_ptr<ConntrackEntry> e);
  // Removes an entry (nf_ct_kill).
  void Remove(ConntrackEntry* e);
  // Removes it and hands it over (a packet that still refers to it).
  std::unique_ptr<ConntrackEntry> Take(ConntrackEntry* e);
  // Every live entry, in insertion order (tests).
  std::vector<ConntrackEntry*> Entries() const;
  // The source-NATed entries whose original source (address, port,
  // protocol) is the tuple's, newest first (nf_nat_bysource).
  std::vector<ConntrackEntry*> BySource(const CtTuple& orig) const;
  size_t size() const { return entries_.size(); }
  uint64_t NextId() { return ++last_id_; }

  ConntrackSettings settings;

  // Conntrack's defragmentation (nf_defrag_ipv4 / nf_ct_frag6_gather, before
  // raw): a fragment joins its datagram's queue; when the datagram is
  // complete its bytes replace the packet's and true is returned, else the
  // fragment is held (false).  A packet that is no fragment: true, as is.
  bool Defrag(Packet& pkt);

 private:
  struct FragQueue {
    std::vector<std::pair<uint32_t, std::vector<uint8_t>>> parts;  // offset, data
    std::vector<uint8_t> head;  // the unfragmentable part of the first fragment
    size_t nexthdr_at = 0;      // IPv6: the byte that names the fragment header
    uint32_t total = 0;         // known once the last fragment came
    bool have_last = false, df = false;
  };
  std::map<std::string, FragQueue> frags_;

  struct Key {
    CtTuple t;
    uint16_t zone;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  std::list<std::unique_ptr<ConntrackEntry>> entries_;
  std::unordered_map<const ConntrackEntry*, std::list<std::unique_ptr<ConntrackEntry>>::iterator>
      where_;
  std::unordered_map<Key, std::pair<ConntrackEntry*, CtDir>, KeyHash> index_;
  std::unordered_map<Key, std::vector<ConntrackEntry*>, KeyHash> by_source_;
  static Key SourceKey(const CtTuple& orig);
  uint64_t last_id_ = 0;
};

// "NEW (original), udp 10.0.0.1:1 -> 10.0.0.2:2, unconfirmed" / "INVALID
// (no entry)" / "UNTRACKED": the packet's conntrack state for --format
// explain; with `nat`, the entry's NAT binding instead ("" when none).
std::string DescribeConntrack(const CtRef& ct, bool nat);

// CRC32c (Castagnoli) as SCTP's checksum uses it (stored little-endian).
uint32_t SctpCrc32c(const uint8_t* d, size_t n);

// The packet's tuple (nf_ct_get_tuple): false when the protocol's part is
// cut short.  For ICMP errors this is the outer ICMP tuple.
bool PacketTuple(const PacketView& v, CtTuple* t);
// The tuple of the other direction (nf_ct_invert_tuple): false for an ICMP
// type that has no reply type.
bool InvertTuple(const CtTuple& t, CtTuple* out);

// What conntrack needs from the host model (the lead wires these to
// engine/host.h; unset: unknown).
struct ConntrackHostHooks {
  // The source address the kernel picks on `dev` toward `dst`
  // (MASQUERADE: inet_select_addr / ipv6_dev_get_saddr); REDIRECT: the
  // primary address of the input device.
  std::function<std::optional<IpAddr>(const IfaceName& dev, Family f, const IpAddr& dst)>
      iface_address;
  // REDIRECT: the first address of the input device (nf_nat_redirect).
  std::function<std::optional<IpAddr>(const IfaceName& dev, Family f)> primary_address;
};

// The conntrack side of one packet's journey through the hooks.
class ConntrackPacket {
 public:
  // `run` (may be nullptr): the run's random source for NAT port choices.
  ConntrackPacket(ConntrackTable& table, const ConntrackHostHooks* host, class RunState* run);
  ~ConntrackPacket();

  CtRef& ref() { return ref_; }

  // --ctstate on the packet (DESIGN.md "assumed conntrack state for a lone
  // packet"), applied once before the lookup when the table has no entry
  // for the packet: see ApplyAssumedState in conntrack.cc.
  void set_assumed_state(std::string_view states) { assumed_ = std::string(states); }

  // nf_ct_attach: a packet the kernel generates in answer to another
  // (REJECT's ICMP error or RST) carries that packet's entry, as RELATED in
  // the other direction, and is not looked up.
  void Attach(const CtRef& original, const Packet& pkt);

  // nf_conntrack_in at `hook` (PREROUTING or OUTPUT): look up or create the
  // entry, run the protocol tracker, count the packet.  A packet that
  // already has an entry (the loopback path) or is untracked is left as it is.
  void In(Hook hook, const Packet& pkt);
  bool in_done() const { return in_done_; }

  // nf_nat_inet_fn, before the nat chain of `hook`: whether it runs.
  bool NatBefore(Hook hook) const;
  // After the nat chain of `hook` accepted (or when it did not run): the
  // null binding if no NAT target set one up, then the packet's rewrite
  // (nf_nat_packet, nf_nat_icmp_reply_translation).  kDrop with *why when
  // the kernel drops the packet there (a masqueraded connection leaving by
  // another device, an ICMP redirect about a NATed one); kUnknown with *why
  // when the rewrite needs what the inputs do not give.
  enum class NatStep : uint8_t { kGo, kDrop, kUnknown };
  NatStep NatAfter(Hook hook, Packet& pkt, bool chain_ran, std::string* why);

  // __nf_conntrack_confirm: the new entry goes into the table.  False when
  // its tuple is taken (the kernel drops the packet).
  bool Confirm();

  // Whether a DNAT binding rewrote the destination at `hook` of this
  // packet (the routing decision must be taken again: ip_route_me_harder /
  // the PREROUTING route lookup sees the new address).
  bool dst_rewritten() const { return dst_rewritten_; }

  double now() const { return now_; }
  const ConntrackHostHooks* host() const { return host_; }
  class RunState* run() const { return run_; }
  ConntrackTable& table() { return table_; }

 private:
  void Track(Hook hook, const Packet& pkt);
  void ApplyAssumedState(const CtTuple& t, const Packet& pkt);

  ConntrackTable& table_;
  const ConntrackHostHooks* host_;
  class RunState* run_;
  CtRef ref_;
  std::unique_ptr<ConntrackEntry> unconfirmed_;
  std::unique_ptr<ConntrackEntry> dying_;  // killed while this packet refers to it
  std::string assumed_;
  bool in_done_ = false;
  bool related_icmp_ = false;
  bool attached_ = false;  // an ICMP error tied to an entry (nf_nat_icmp_reply_translation)
  bool dst_rewritten_ = false;
  double now_ = 0;
};

}  // namespace iptsim
