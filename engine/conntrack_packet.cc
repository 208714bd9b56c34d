// The conntrack side of one packet (nf_conntrack_in and
// __nf_conntrack_confirm): the protocols' error checks, ICMP errors related
// to an entry, the lookup or creation of the packet's entry, the protocol
// tracker's verdict, accounting, and confirmation at the end of the path.
// The nat hooks' part of ConntrackPacket is in engine/nat.cc.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "engine/conntrack.h"
#include "engine/conntrack_trackers.h"
#include "engine/eval.h"

namespace iptsim {

using conntrack_internal::kIcmp;
using conntrack_internal::kIcmpv6;
using conntrack_internal::kSctp;
using conntrack_internal::kTcp;
using conntrack_internal::kUdp;
using conntrack_internal::kUdplite;
using conntrack_internal::SctpPacket;
using conntrack_internal::SctpResult;
using conntrack_internal::TcpAssumeEstablished;
using conntrack_internal::TcpHeaderValid;
using conntrack_internal::TcpPacket;
using conntrack_internal::TcpResult;

namespace {

// Default timeouts in seconds (nf_conntrack_*_timeout sysctls).
constexpr double kUdpUnreplied = 30, kUdpReplied = 120, kIcmpTimeout = 30,
                 kGenericTimeout = 600;

// The transport checksum over the datagram's payload with the pseudo
// header (nf_ip_checksum / nf_ip6_checksum); true when it verifies.
// `covered`: the bytes the sum runs over (UDP-Lite's coverage), 0 for all;
// `pseudo_proto`: the protocol in the pseudo header (0: `proto`).
bool TransportChecksumOk(const PacketView& v, uint8_t proto, size_t covered = 0,
                         uint8_t pseudo_proto = 0) {
  const Packet& p = *v.pkt;
  const uint8_t* b = p.bytes.data();
  const size_t len = v.transport_size();
  uint64_t sum = 0;
  auto add = [&](const uint8_t* d, size_t n) {
    for (size_t i = 0; i + 1 < n; i += 2) sum += static_cast<uint32_t>(d[i] << 8 | d[i + 1]);
    if (n & 1) sum += static_cast<uint32_t>(d[n - 1] << 8);
  };
  if (!(proto == kIcmp && p.family == Family::kIPv4)) {
    if (p.family == Family::kIPv4) add(b + 12, 8);
    else add(b + 8, 32);
    sum += pseudo_proto ? pseudo_proto : proto;
    sum += len;
  }
  add(v.transport(), covered ? covered : len);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum == 0xffff;
}

// The protocols' error checks (tcp_error, udp_error, udplite_error,
// icmp_error, icmpv6_error, sctp_error): false makes the packet INVALID.
// `checksum`: verify the transport checksum too.
bool L4Valid(const PacketView& v, uint8_t proto, bool checksum) {
  if (v.is_fragment && v.fragoff) return true;
  const size_t n = v.transport_size();
  const bool v4 = v.pkt->family == Family::kIPv4;
  switch (proto) {
    case kTcp:
      if (!TcpHeaderValid(v)) return false;
      return !checksum || TransportChecksumOk(v, proto);
    case kUdp:
    case kUdplite: {
      if (n < 8) return false;
      const uint16_t ulen = GetBe16(v.transport() + 4);
      if (proto == kUdp) {
        if (ulen > n || ulen < 8) return false;  // truncated / malformed
        if (!v.transport()[6] && !v.transport()[7]) return true;  // no checksum
      } else {
        // udplite_error: the coverage, a mandatory checksum, verified at
        // PREROUTING as nf_checksum_partial with IPPROTO_UDP in the pseudo
        // header (what the kernel passes), so a correct UDP-Lite sum fails.
        if (ulen > n || (ulen != 0 && ulen < 8)) return false;
        if (!v.transport()[6] && !v.transport()[7]) return false;
        return !checksum || TransportChecksumOk(v, proto, ulen ? ulen : n, kUdp);
      }
      return !checksum || TransportChecksumOk(v, proto);
    }
    case kIcmp:
      if (!v4) return true;
      if (n < 8) return false;
      return !checksum || TransportChecksumOk(v, proto);
    case kIcmpv6:
      if (v4) return true;
      if (n < 8) return false;
      return !checksum || TransportChecksumOk(v, proto);
    case kSctp: {
      // sctp_error: a short packet; the CRC32c at PREROUTING.
      if (n < 12) return false;
      if (!checksum) return true;
      std::vector<uint8_t> copy(v.transport(), v.transport() + n);
      const uint32_t stored = static_cast<uint32_t>(copy[8]) | copy[9] << 8 | copy[10] << 16 |
                              static_cast<uint32_t>(copy[11]) << 24;
      copy[8] = copy[9] = copy[10] = copy[11] = 0;
      return SctpCrc32c(copy.data(), n) == stored;
    }
    default:
      return true;
  }
}

// ICMP types of requests that may start a connection (icmp valid_new) and
// the types that embed an offending packet (icmp_error_message).
bool IcmpIsRequest(Family f, uint8_t type) {
  if (f == Family::kIPv4) return type == 8 || type == 13 || type == 15 || type == 17;
  return type == 128 || type == 139;
}
bool IcmpIsError(Family f, uint8_t type) {
  if (f == Family::kIPv4) return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
  return type < 128;
}

uint32_t PacketLength(const Packet& pkt) { return static_cast<uint32_t>(pkt.bytes.size()); }

}  // namespace

ConntrackPacket::ConntrackPacket(ConntrackTable& table, const ConntrackHostHooks* host,
                                 RunState* run)
    : table_(table), host_(host), run_(run) {
  ref_.table = &table_;
  ref_.packet = this;
}

ConntrackPacket::~ConntrackPacket() = default;

void ConntrackPacket::In(Hook hook, const Packet& pkt) {
  if (in_done_) return;
  in_done_ = true;
  now_ = pkt.time;
  Track(hook, pkt);
}

// --ctstate STATE gives a lone packet an assumed conntrack state.  With a
// connection table, the assumption pre-seeds the table as if earlier
// packets (not simulated) had made it so, and only when the table has no
// entry for the packet (a flow's own packets decide otherwise):
//   NEW          nothing (the packet creates its entry)
//   ESTABLISHED  a confirmed entry with the packet's tuple as original
//                direction, SEEN_REPLY and ASSURED (TCP: ESTABLISHED), so
//                the packet is ESTABLISHED and skips nat
//   RELATED      the packet's new entry is an expected one (IPS_EXPECTED):
//                ctinfo RELATED, it crosses nat as the first packet
//   INVALID      the packet gets no entry
//   UNTRACKED    the packet is untracked (as after -j NOTRACK)
//   SNAT, DNAT   the entry's IPS_SRC_NAT / IPS_DST_NAT status bits (the
//                addresses are not changed)
void ConntrackPacket::ApplyAssumedState(const CtTuple& t, const Packet& pkt) {
  auto has = [&](std::string_view name) {
    size_t pos = 0;
    std::string_view s = assumed_;
    while (pos <= s.size()) {
      size_t comma = s.find(',', pos);
      if (comma == std::string_view::npos) comma = s.size();
      if (s.substr(pos, comma - pos) == name) return true;
      pos = comma + 1;
    }
    return false;
  };
  if (has("UNTRACKED")) {
    MarkUntracked();
    return;
  }
  if (has("INVALID")) {
    ref_.entry = nullptr;
    return;
  }
  if (has("ESTABLISHED")) {
    auto e = std::make_unique<ConntrackEntry>();
    e->id = table_.NextId();
    e->tuple[kCtOriginal] = t;
    if (!InvertTuple(t, &e->tuple[kCtReply])) return;
    e->zone = ref_.tmpl_zone;
    e->zone_dir = ref_.tmpl_zone_dir;
    e->status = ips::kSeenReply | ips::kAssured | ips::kSrcNatDone | ips::kDstNatDone;
    if (has("SNAT")) e->status |= ips::kSrcNat;
    if (has("DNAT")) e->status |= ips::kDstNat;
    e->created = pkt.time;
    if (t.proto == kTcp) {
      TcpAssumeEstablished(*e, pkt.time);
    } else {
      e->timeout = pkt.time + (t.proto == kUdp ? kUdpReplied : kGenericTimeout);
    }
    table_.Insert(std::move(e));
  }
}

void ConntrackPacket::MarkUntracked() {
  ref_.untracked = true;
  ref_.info = CtInfo::kUntracked;
}

// icmp_error_message / icmpv6_error_message: an ICMP error is RELATED to
// the entry of the packet it embeds (looked up as the reply to it), or has
// no entry at all.
void ConntrackPacket::TrackIcmpError(const PacketView& v, const Packet& pkt, CtZone zone) {
  Packet inner;
  inner.family = pkt.family;
  size_t off = v.thoff + 8u;
  if (off >= pkt.bytes.size()) return;
  inner.bytes.assign(pkt.bytes.begin() + static_cast<long>(off), pkt.bytes.end());
  const PacketView iv = PacketView::Of(inner);
  CtTuple it, inv;
  if (!PacketTuple(iv, &it) || !InvertTuple(it, &inv)) return;
  CtDir dir;
  ConntrackEntry* e = table_.Find(inv, zone, now_, &dir);
  if (!e) return;
  ref_.entry = e;
  ref_.info = dir == kCtReply ? CtInfo::kRelatedReply : CtInfo::kRelated;
  related_icmp_ = true;
}

// init_conntrack: a new, unconfirmed entry for the packet's tuple, nullptr
// for an ICMP type that has no reply type.
ConntrackEntry* ConntrackPacket::NewEntry(const CtTuple& t, CtZone zone) {
  auto n = std::make_unique<ConntrackEntry>();
  n->tuple[kCtOriginal] = t;
  if (!InvertTuple(t, &n->tuple[kCtReply])) return nullptr;
  n->id = table_.NextId();
  n->zone = zone.id;
  n->zone_dir = zone.dir;
  n->helper = ref_.tmpl_helper;
  n->created = now_;
  if (!assumed_.empty() && assumed_.find("RELATED") != std::string::npos)
    n->status |= ips::kExpected;
  unconfirmed_ = std::move(n);
  return unconfirmed_.get();
}

ConntrackPacket::TrackStep ConntrackPacket::TrackTcp(ConntrackEntry* e, CtDir dir, bool fresh,
                                                     CtInfo info, const PacketView& v,
                                                     const Packet& pkt, bool first_attempt) {
  const TcpResult r = TcpPacket(*e, dir, fresh, v, table_.settings, now_);
  if (r == TcpResult::kRepeat && first_attempt) {
    table_.Remove(e);  // a SYN reopening a closed connection: look up again
    return TrackStep::kRepeat;
  }
  if (r == TcpResult::kInvalid || r == TcpResult::kRepeat) {
    if (fresh) unconfirmed_.reset();
    return TrackStep::kDone;
  }
  if (r == TcpResult::kIgnore || r == TcpResult::kAcceptNoRefresh) {
    ref_.entry = e;
    ref_.info = info;
    // No accounting, no timeout refresh (an ignored packet, a SYN
    // retransmission); nf_conntrack_in still notes the reply.
    if (info == CtInfo::kEstablishedReply) e->status |= ips::kSeenReply;
    return TrackStep::kDone;
  }
  if (r == TcpResult::kKill) {
    // Only a RST back: no connection (nf_ct_kill_acct).  The packet keeps
    // its (now dying) entry; later packets start anew.
    e->packets[dir]++;
    e->bytes[dir] += PacketLength(pkt);
    ref_.entry = e;
    ref_.info = info;
    if (!fresh) dying_ = table_.Take(e);
    else unconfirmed_->status |= ips::kDying;
    return TrackStep::kDone;
  }
  return TrackStep::kCount;
}

ConntrackPacket::TrackStep ConntrackPacket::TrackSctp(ConntrackEntry* e, CtDir dir, bool fresh,
                                                      CtInfo info, const PacketView& v) {
  const SctpResult r = SctpPacket(*e, dir, fresh, v.transport(), v.transport_size(), now_);
  if (r == SctpResult::kInvalid) {
    if (fresh) unconfirmed_.reset();
    return TrackStep::kDone;
  }
  if (r == SctpResult::kIgnore) {
    ref_.entry = e;
    ref_.info = info;
    if (info == CtInfo::kEstablishedReply) e->status |= ips::kSeenReply;
    return TrackStep::kDone;  // accepted, the timeout not renewed (and no accounting)
  }
  return TrackStep::kCount;
}

// The trackers that keep no state but the status bits (UDP, UDP-Lite,
// ICMP, GRE, generic): the timeout.
ConntrackPacket::TrackStep ConntrackPacket::TrackStateless(ConntrackEntry* e, const CtTuple& t,
                                                           bool icmp, bool fresh) {
  double timeout = kGenericTimeout;
  if (t.proto == kUdp || t.proto == kUdplite) {
    if (fresh) e->created = now_;
    if (e->status & ips::kSeenReply) {
      // A stream once it lasts beyond 2 s (udp_packet: stream_ts).
      if (now_ > e->created + 2) {
        timeout = kUdpReplied;
        e->status |= ips::kAssured;
      } else {
        timeout = kUdpUnreplied;
      }
    } else {
      timeout = kUdpUnreplied;
    }
  } else if (icmp) {
    if (fresh && !IcmpIsRequest(t.family, t.icmp_type())) {
      unconfirmed_.reset();
      return TrackStep::kDone;  // only requests start an ICMP connection
    }
    timeout = kIcmpTimeout;
  } else if (t.proto == 47) {
    // gre_packet (version 0: no keys): a stream once a reply was seen.
    if (e->status & ips::kSeenReply) {
      timeout = 180;
      e->status |= ips::kAssured;
    } else {
      timeout = 30;
    }
  } else {
    // nf_conntrack_generic: never assured.  DCCP has a tracker of its
    // own in the kernel (packet-type state machine); iptsim
    // approximates it by this one.
  }
  if (!(e->status & ips::kFixedTimeout)) e->timeout = now_ + timeout;
  return TrackStep::kCount;
}

void ConntrackPacket::Track(Hook hook, const Packet& pkt) {
  if (ref_.untracked || ref_.entry) return;
  if (ref_.tmpl_notrack) {
    MarkUntracked();
    return;
  }
  const PacketView v = PacketView::Of(pkt);
  // A fragment left after defragmentation gets no entry, but an IPv6 first
  // fragment, whose upper-layer header is there (ipv6_skip_exthdr passes
  // a fragment header of offset 0: one the defragmentation let go on).
  if (v.is_fragment && !(pkt.family == Family::kIPv6 && v.fragoff == 0)) return;
  CtTuple t;
  if (!PacketTuple(v, &t)) return;  // cut short: no entry (INVALID)
  const CtZone zone{ref_.tmpl_zone, ref_.tmpl_zone_dir};

  // ICMP errors (icmp_error / icmpv6_error): RELATED to the entry of the
  // embedded packet, or no entry at all.
  const bool icmp = (t.proto == kIcmp && t.family == Family::kIPv4) ||
                    (t.proto == kIcmpv6 && t.family == Family::kIPv6);
  // The protocols' error checks (tcp_error, udp_error, icmp_error...):
  // malformed headers, and at PREROUTING the checksum
  // (nf_conntrack_checksum), make the packet INVALID.
  if (!L4Valid(v, t.proto, hook == Hook::kPreRouting && table_.settings.checksum)) return;
  if (icmp && t.family == Family::kIPv6) {
    // icmpv6_error: MLD and neighbour discovery are never tracked.
    const uint8_t type = t.icmp_type();
    if ((type >= 130 && type <= 136) || type == 143) {
      MarkUntracked();
      return;
    }
  }
  if (icmp) {
    if (t.family == Family::kIPv4 && t.icmp_type() > 18) return;  // NR_ICMP_TYPES
    if (IcmpIsError(t.family, t.icmp_type())) {
      TrackIcmpError(v, pkt, zone);
      return;
    }
  }
  if (!assumed_.empty()) {
    CtDir d;
    if (!table_.Find(t, zone, now_, &d)) ApplyAssumedState(t, pkt);
    if (ref_.untracked || assumed_.find("INVALID") != std::string::npos) {
      CtDir d2;
      if (!table_.Find(t, zone, now_, &d2)) return;
    }
  }

  for (int attempt = 0; attempt < 2; ++attempt) {
    CtDir dir = kCtOriginal;
    ConntrackEntry* e = table_.Find(t, zone, now_, &dir);
    const bool fresh = !e;
    if (fresh && !(e = NewEntry(t, zone))) return;
    CtInfo info;
    if (dir == kCtReply) info = CtInfo::kEstablishedReply;
    else if (e->status & ips::kSeenReply) info = CtInfo::kEstablished;
    else if (e->status & ips::kExpected) info = CtInfo::kRelated;
    else info = CtInfo::kNew;

    // The protocol tracker (nf_conntrack_handle_packet).
    TrackStep step;
    if (t.proto == kTcp) step = TrackTcp(e, dir, fresh, info, v, pkt, attempt == 0);
    else if (t.proto == kSctp) step = TrackSctp(e, dir, fresh, info, v);
    else step = TrackStateless(e, t, icmp, fresh);
    if (step == TrackStep::kRepeat) continue;
    if (step == TrackStep::kDone) return;
    e->packets[dir]++;
    e->bytes[dir] += PacketLength(pkt);
    if (info == CtInfo::kEstablishedReply) e->status |= ips::kSeenReply;
    ref_.entry = e;
    ref_.info = info;
    return;
  }
}

void ConntrackPacket::Attach(const CtRef& original, const Packet& pkt) {
  if (!original.entry) return;  // untracked or invalid: nothing to attach
  in_done_ = true;
  now_ = original.packet ? original.packet->now_ : 0;
  ref_.entry = original.entry;
  ref_.info = original.dir() == kCtOriginal ? CtInfo::kRelatedReply : CtInfo::kRelated;
  // An ICMP error is translated as one (nf_nat_icmp_reply_translation); a
  // RST goes through the nat hooks as a RELATED packet.
  const PacketView v = PacketView::Of(pkt);
  related_icmp_ = v.l4proto_found && (v.l4proto == kIcmp || v.l4proto == kIcmpv6);
  attached_ = true;
}

bool ConntrackPacket::Confirm() {
  if (!unconfirmed_ || ref_.entry != unconfirmed_.get()) return true;
  if (unconfirmed_->status & ips::kDying) return true;
  // __nf_conntrack_confirm: a tuple that another entry holds already (NAT
  // found no free one) loses; nf_ct_resolve_clash cannot save a NATed
  // winner or a reply-direction clash: NF_DROP.
  for (int d = 0; d < 2; ++d) {
    if (!table_.Taken(unconfirmed_->tuple[d], unconfirmed_->Zone(), static_cast<CtDir>(d),
                      nullptr, now_))
      continue;
    // __nf_ct_resolve_clash: for protocols that allow a clash (UDP,
    // UDP-Lite, ICMP), a winner without NAT takes the packet over and the
    // new entry is dropped instead of the packet.
    const uint8_t proto = unconfirmed_->tuple[kCtOriginal].proto;
    CtDir wd;
    ConntrackEntry* winner =
        table_.Find(unconfirmed_->tuple[d], unconfirmed_->Zone(), now_, &wd);
    if (winner && (proto == kUdp || proto == kUdplite || proto == kIcmp || proto == kIcmpv6) &&
        !(winner->status & (ips::kSrcNatDone | ips::kDstNatDone))) {
      ref_.entry = winner;
      unconfirmed_.reset();
      return true;
    }
    return false;
  }
  table_.Insert(std::move(unconfirmed_));
  return true;
}

}  // namespace iptsim
