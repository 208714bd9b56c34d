// Connection tracking: the table of connections that all packets of one
// simulation run share (as one network namespace's nf_conntrack table), the
// lookup of a packet's tuple in both directions, the ctinfo the matches see
// (NEW / ESTABLISHED / RELATED / reply / untracked, or no entry: INVALID),
// the protocol trackers (TCP states and windows, SCTP, UDP, ICMP, GRE,
// generic), timeouts, counters, zones and confirmation at the end of the
// path.  NAT bindings and rewriting: engine/nat.h.
//
// Where it is: engine/conntrack_entry.h (a connection's entry and the
// packet's reference to it), engine/conntrack.cc (tuples, the table,
// explain text), engine/conntrack_packet.cc (ConntrackPacket:
// nf_conntrack_in and confirmation), engine/conntrack_tcp.cc and
// engine/conntrack_sctp.cc (the stateful protocol trackers),
// engine/defrag.h (defragmentation) and engine/nat.cc (ConntrackPacket's
// nat hooks).
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

#include "engine/conntrack_entry.h"
#include "engine/defrag.h"
#include "engine/model.h"
#include "engine/netaddr.h"
#include "engine/packet.h"

namespace iptsim {

struct PacketView;

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
  // complete its bytes replace the packet's (kPass), else the fragment is
  // held or refused (engine/defrag.h).  A packet that is no fragment: kPass.
  DefragResult Defrag(Packet& pkt, bool local_out) { return defrag_.Add(pkt, local_out); }

 private:
  Defragmenter defrag_;

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

  // --ctstate on the packet: the conntrack state assumed for a lone packet,
  // applied once before the lookup when the table has no entry for the
  // packet (see ApplyAssumedState in engine/conntrack_packet.cc).
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
  // (nf_nat_packet, nf_nat_icmp_reply_translation).  kDrop with *reason
  // when the kernel drops the packet there (a masqueraded connection leaving
  // by another device, an ICMP redirect about a NATed one); kUnknown with
  // *reason when the rewrite needs what the inputs do not give.
  enum class NatStep : uint8_t { kGo, kDrop, kUnknown };
  NatStep NatAfter(Hook hook, Packet& pkt, bool chain_ran, std::string* reason);

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
  // nf_conntrack_in's steps (engine/conntrack_packet.cc).
  enum class TrackStep : uint8_t {
    kCount,   // the tracker accepted the packet: count it, attach the entry
    kDone,    // decided: the packet has its entry, or none (INVALID)
    kRepeat,  // the old entry died (a SYN reopening it): look up again
  };
  void Track(Hook hook, const Packet& pkt);
  void ApplyAssumedState(const CtTuple& t, const Packet& pkt);
  void MarkUntracked();
  void TrackIcmpError(const PacketView& v, const Packet& pkt, CtZone zone);
  ConntrackEntry* NewEntry(const CtTuple& t, CtZone zone);
  TrackStep TrackTcp(ConntrackEntry* e, CtDir dir, bool fresh, CtInfo info, const PacketView& v,
                     const Packet& pkt, bool first_attempt);
  TrackStep TrackSctp(ConntrackEntry* e, CtDir dir, bool fresh, CtInfo info,
                      const PacketView& v);
  TrackStep TrackStateless(ConntrackEntry* e, const CtTuple& t, bool icmp, bool fresh);

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
