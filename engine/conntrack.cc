#include "engine/conntrack.h"

#include <cstring>

#include "engine/eval.h"

namespace iptsim {

namespace {

constexpr uint8_t kTcp = 6, kUdp = 17, kIcmp = 1, kIcmpv6 = 58, kUdplite = 136, kSctp = 132,
                  kDccp = 33;

uint16_t Be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t Be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}

bool HasPorts(uint8_t proto) {
  return proto == kTcp || proto == kUdp || proto == kUdplite || proto == kSctp || proto == kDccp;
}

// Default timeouts in seconds (nf_conntrack_*_timeout sysctls).
constexpr double kTcpTimeouts[] = {
    /*NONE*/ 0,       /*SYN_SENT*/ 120, /*SYN_RECV*/ 60, /*ESTABLISHED*/ 432000,
    /*FIN_WAIT*/ 120, /*CLOSE_WAIT*/ 60, /*LAST_ACK*/ 30, /*TIME_WAIT*/ 120,
    /*CLOSE*/ 10,     /*SYN_SENT2*/ 120,
};
constexpr double kTcpTimeoutUnack = 300;
constexpr double kUdpUnreplied = 30, kUdpReplied = 120, kIcmpTimeout = 30,
                 kGenericTimeout = 600;

// ip_ct_tcp_state flags.
constexpr uint8_t kTcpFlagWindowScale = 0x01, kTcpFlagSackPerm = 0x02, kTcpFlagCloseInit = 0x04,
                  kTcpFlagBeLiberal = 0x08, kTcpFlagDataUnack = 0x10, kTcpFlagMaxAckSet = 0x20;

// get_conntrack_index.
enum TcpIndex : uint8_t { kSynSet, kSynAckSet, kFinSet, kAckSet, kRstSet, kNoneSet };

using S = TcpCtState;
constexpr S sNO = S::kNone, sSS = S::kSynSent, sSR = S::kSynRecv, sES = S::kEstablished,
            sFW = S::kFinWait, sCW = S::kCloseWait, sLA = S::kLastAck, sTW = S::kTimeWait,
            sCL = S::kClose, sS2 = S::kSynSent2;
// sIV (invalid) and sIG (ignore) beyond the real states.
constexpr uint8_t sIV = 10, sIG = 11;
constexpr uint8_t U(S s) { return static_cast<uint8_t>(s); }

// tcp_conntracks[dir][index][state] (nf_conntrack_proto_tcp.c).
constexpr uint8_t kTcpTransitions[2][6][10] = {
    {
        // ORIGINAL    sNO      sSS      sSR      sES      sFW      sCW      sLA      sTW      sCL      sS2
        /*syn*/ {U(sSS), U(sSS), sIG, sIG, sIG, sIG, sIG, U(sSS), U(sSS), U(sS2)},
        /*synack*/ {sIV, sIV, sIG, sIG, sIG, sIG, sIG, sIG, sIG, U(sSR)},
        /*fin*/ {sIV, sIV, U(sFW), U(sFW), U(sLA), U(sLA), U(sLA), U(sTW), U(sCL), sIV},
        /*ack*/ {U(sES), sIV, U(sES), U(sES), U(sCW), U(sCW), U(sTW), U(sTW), U(sCL), sIV},
        /*rst*/ {sIV, U(sCL), U(sCL), U(sCL), U(sCL), U(sCL), U(sCL), U(sCL), U(sCL), U(sCL)},
        /*none*/ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
    },
    {
        // REPLY
        /*syn*/ {sIV, U(sS2), sIV, sIV, sIV, sIV, sIV, sIV, sIV, U(sS2)},
        /*synack*/ {sIV, U(sSR), sIG, sIG, sIG, sIG, sIG, sIG, sIG, U(sSR)},
        /*fin*/ {sIV, sIV, U(sFW), U(sFW), U(sLA), U(sLA), U(sLA), U(sTW), U(sCL), sIV},
        /*ack*/ {sIV, sIG, U(sSR), U(sES), U(sCW), U(sCW), U(sTW), U(sTW), U(sCL), sIG},
        /*rst*/ {sIV, U(sCL), U(sCL), U(sCL), U(sCL), U(sCL), U(sCL), U(sCL), U(sCL), U(sCL)},
        /*none*/ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
    },
};

// The TCP header as the tracker reads it.
struct TcpSeg {
  uint32_t seq, ack;
  uint16_t win;
  uint8_t flags;  // byte 13
  uint32_t end;   // seq + payload + SYN + FIN
  const uint8_t* opts;
  size_t opts_len;
  bool syn() const { return flags & 0x02; }
  bool fin() const { return flags & 0x01; }
  bool rst() const { return flags & 0x04; }
  bool ackf() const { return flags & 0x10; }
};

TcpIndex IndexOf(const TcpSeg& s) {
  if (s.rst()) return kRstSet;
  if (s.syn()) return s.ackf() ? kSynAckSet : kSynSet;
  if (s.fin()) return kFinSet;
  if (s.ackf()) return kAckSet;
  return kNoneSet;
}

// tcp_options: window scale and SACK permitted.
void TcpOptions(const TcpSeg& s, TcpWindow* w) {
  const uint8_t* p = s.opts;
  size_t len = s.opts_len;
  if (!len) return;
  w->scale = 0;
  w->flags = 0;
  while (len > 0) {
    uint8_t op = *p++;
    if (op == 0) return;
    if (op == 1) {
      --len;
      continue;
    }
    if (len < 2) return;
    uint8_t sz = *p++;
    if (sz < 2 || sz > len) return;
    if (op == 4 && sz == 2) w->flags |= kTcpFlagSackPerm;
    else if (op == 3 && sz == 3) {
      w->scale = p[0] > 14 ? 14 : p[0];
      w->flags |= kTcpFlagWindowScale;
    }
    p += sz - 2;
    len -= sz;
  }
}

// tcp_sack: the highest right edge of a SACK block.
void TcpSack(const TcpSeg& s, uint32_t* sack) {
  const uint8_t* p = s.opts;
  size_t len = s.opts_len;
  if (len == 12 && p[0] == 1 && p[1] == 1 && p[2] == 8 && p[3] == 10) return;
  while (len > 0) {
    uint8_t op = *p++;
    if (op == 0) return;
    if (op == 1) {
      --len;
      continue;
    }
    if (len < 2) return;
    uint8_t sz = *p++;
    if (sz < 2 || sz > len) return;
    if (op == 5 && sz >= 10 && (sz - 2) % 8 == 0) {
      for (int i = 0; i < sz - 2; i += 8) {
        uint32_t right = Be32(p + i + 4);
        if (static_cast<int32_t>(right - *sack) > 0) *sack = right;
      }
      return;
    }
    p += sz - 2;
    len -= sz;
  }
}

bool Before(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }
bool After(uint32_t a, uint32_t b) { return Before(b, a); }

uint32_t MaxAckWindow(const TcpWindow& sender) {
  return sender.maxwin > 66000 ? sender.maxwin : 66000;
}

enum class WindowResult { kAccept, kIgnore, kInvalid };

// tcp_in_window.
WindowResult TcpInWindow(ConntrackEntry& ct, CtDir dir, TcpIndex index, const TcpSeg& s,
                         bool be_liberal) {
  TcpWindow& sender = ct.tcp[dir];
  TcpWindow& receiver = ct.tcp[!dir];
  uint32_t seq = s.seq, ack = s.ack, sack = s.ack, win = s.win, end = s.end;
  if (receiver.flags & kTcpFlagSackPerm) TcpSack(s, &sack);

  if (sender.maxwin == 0) {
    if (s.syn()) {
      // SYN-ACK in reply to a SYN, or a SYN of the reply direction.
      sender.end = sender.maxend = end;
      sender.maxwin = win == 0 ? 1 : win;
      TcpOptions(s, &sender);
      if (!((sender.flags & kTcpFlagWindowScale) && (receiver.flags & kTcpFlagWindowScale)))
        sender.scale = receiver.scale = 0;
      if (!s.ackf()) return WindowResult::kAccept;  // simultaneous open
    } else {
      // Mid-stream: history lost, use the packet's data.
      sender.end = end;
      uint32_t swin = win << sender.scale;
      sender.maxwin = swin == 0 ? 1 : swin;
      sender.maxend = end + sender.maxwin;
      if (receiver.maxwin == 0) receiver.end = receiver.maxend = sack;
    }
  } else if (((ct.tcp_state == S::kSynSent && dir == kCtOriginal) ||
              (ct.tcp_state == S::kSynRecv && dir == kCtReply)) &&
             After(end, sender.end)) {
    // A reinitialised connection (RFC 793).
    sender.end = sender.maxend = end;
    sender.maxwin = win == 0 ? 1 : win;
    TcpOptions(s, &sender);
  }

  if (!s.ackf()) {
    ack = sack = receiver.end;
  } else if (s.rst() && ack == 0) {
    ack = sack = receiver.end;  // broken stacks: RST|ACK with ack 0
  }
  if (seq == end && (!s.rst() || (seq == 0 && ct.tcp_state == S::kSynSent)))
    seq = end = sender.end;  // no data: check the ack only

  bool in_recv_win = !receiver.maxwin || After(end, sender.end - receiver.maxwin - 1);
  const bool liberal = (sender.flags & kTcpFlagBeLiberal) || be_liberal;
  if (!Before(seq, sender.maxend + 1)) {
    // Beyond the receiver's window.  Some stacks overshoot it: when only
    // this check fails and by less than the receiver's window, the data is
    // remembered and the packet ignored (keeps its entry, "N bytes more
    // than expected"); otherwise it is invalid.
    const uint32_t overshot = end - sender.maxend + 1;
    const bool ack_ok = After(sack, receiver.end - MaxAckWindow(sender) - 1);
    const bool in_win = receiver.maxwin && After(end, sender.end - receiver.maxwin - 1);
    if (liberal) {
      // nf_tcp_log_invalid accepts for liberal connections.
    } else if (in_win && ack_ok && overshot <= receiver.maxwin && Before(sack, receiver.end + 1)) {
      sender.end = end;
      sender.flags |= kTcpFlagDataUnack;
      return WindowResult::kIgnore;
    } else {
      return WindowResult::kInvalid;
    }
  } else if (!liberal) {
    // "SEQ is under lower bound" (invalid), "ACK under lower bound"
    // (ignored: possibly overly delayed), "ACK is over upper bound" (invalid).
    if (!in_recv_win) return WindowResult::kInvalid;
    if (!After(sack, receiver.end - MaxAckWindow(sender) - 1)) return WindowResult::kIgnore;
    if (!Before(sack, receiver.end + 1)) return WindowResult::kInvalid;
  }
  (void)index;
  if (!s.syn()) win <<= sender.scale;
  uint32_t swin = win + (sack - ack);
  if (sender.maxwin < swin) sender.maxwin = swin;
  if (After(end, sender.end)) {
    sender.end = end;
    sender.flags |= kTcpFlagDataUnack;
  }
  if (s.ackf()) {
    if (!(sender.flags & kTcpFlagMaxAckSet)) {
      sender.maxack = ack;
      sender.flags |= kTcpFlagMaxAckSet;
    } else if (After(ack, sender.maxack)) {
      sender.maxack = ack;
    }
  }
  if (receiver.maxwin != 0 && After(end, sender.maxend)) receiver.maxwin += end - sender.maxend;
  if (After(sack + win, receiver.maxend - 1)) {
    receiver.maxend = sack + win;
    if (win == 0) receiver.maxend++;
  }
  if (ack == receiver.end) receiver.flags &= ~kTcpFlagDataUnack;
  return WindowResult::kAccept;
}

// tcp_error: header length and flag combinations.
bool TcpHeaderValid(const PacketView& v) {
  size_t n = v.transport_size();
  if (n < 20) return false;
  const uint8_t* th = v.transport();
  size_t doff = (th[12] >> 4) * 4u;
  if (doff < 20 || doff > n) return false;
  // tcp_valid_flags over FIN SYN RST ACK URG (ECE, CWR and PSH masked off).
  uint8_t f = th[13] & 0x37;
  constexpr uint8_t kFin = 1, kSyn = 2, kRst = 4, kAck = 0x10, kUrg = 0x20;
  switch (f) {
    case kSyn:
    case kSyn | kUrg:
    case kSyn | kAck:
    case kRst:
    case kRst | kAck:
    case kFin | kAck:
    case kFin | kAck | kUrg:
    case kAck:
    case kAck | kUrg:
      return true;
    default:
      return false;
  }
}

TcpSeg ReadTcp(const PacketView& v) {
  const uint8_t* th = v.transport();
  TcpSeg s;
  s.seq = Be32(th + 4);
  s.ack = Be32(th + 8);
  s.win = Be16(th + 14);
  s.flags = th[13];
  size_t doff = (th[12] >> 4) * 4u;
  s.opts = th + 20;
  s.opts_len = doff - 20;
  // segment_seq_plus_len uses skb->len: the bytes from the IP header on.
  uint32_t payload = static_cast<uint32_t>(v.size() - v.thoff - doff);
  s.end = s.seq + payload + (s.syn() ? 1 : 0) + (s.fin() ? 1 : 0);
  return s;
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

std::string_view TcpCtStateName(TcpCtState s) {
  static constexpr std::string_view kNames[] = {
      "NONE",     "SYN_SENT", "SYN_RECV",  "ESTABLISHED", "FIN_WAIT",
      "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",       "SYN_SENT2",
  };
  return kNames[static_cast<int>(s)];
}

std::string CtTuple::ToString() const {
  std::string s = std::to_string(proto) + " " + FormatIpAddr(family, src);
  if (HasPorts(proto)) s += ":" + std::to_string(sport);
  s += " -> " + FormatIpAddr(family, dst);
  if (HasPorts(proto)) s += ":" + std::to_string(dport);
  if (proto == kIcmp || proto == kIcmpv6)
    s += " type " + std::to_string(icmp_type()) + " code " + std::to_string(icmp_code()) +
         " id " + std::to_string(sport);
  return s;
}

uint32_t ConntrackEntry::ExpiresIn(double now) const {
  double left = timeout - now;
  return left <= 0 ? 0 : static_cast<uint32_t>(left);
}

bool PacketTuple(const PacketView& v, CtTuple* t) {
  const Packet& p = *v.pkt;
  size_t min = p.family == Family::kIPv4 ? 20 : 40;
  if (v.size() < min) return false;
  t->family = p.family;
  t->src = v.src();
  t->dst = v.dst();
  t->proto = v.l4proto_found ? v.l4proto : 0;
  t->sport = t->dport = 0;
  if (v.is_fragment && v.fragoff) return true;  // no transport header: generic
  if (HasPorts(t->proto)) {
    if (v.transport_size() < (t->proto == kTcp || t->proto == kUdp ? 8u : 4u)) return false;
    t->sport = Be16(v.transport());
    t->dport = Be16(v.transport() + 2);
  } else if ((t->proto == kIcmp && p.family == Family::kIPv4) ||
             (t->proto == kIcmpv6 && p.family == Family::kIPv6)) {
    if (v.transport_size() < 8) return false;
    const uint8_t* h = v.transport();
    t->dport = static_cast<uint16_t>(h[0] << 8 | h[1]);
    t->sport = Be16(h + 4);
  }
  return true;
}

bool InvertTuple(const CtTuple& t, CtTuple* out) {
  *out = t;
  out->src = t.dst;
  out->dst = t.src;
  if ((t.proto == kIcmp && t.family == Family::kIPv4) ||
      (t.proto == kIcmpv6 && t.family == Family::kIPv6)) {
    // icmp_invert_tuple / icmpv6_invert_tuple: request <-> reply.
    uint8_t type = t.icmp_type(), inv;
    if (t.family == Family::kIPv4) {
      switch (type) {
        case 8: inv = 0; break;
        case 0: inv = 8; break;
        case 13: inv = 14; break;
        case 14: inv = 13; break;
        case 15: inv = 16; break;
        case 16: inv = 15; break;
        case 17: inv = 18; break;
        case 18: inv = 17; break;
        default: return false;
      }
    } else {
      switch (type) {
        case 128: inv = 129; break;
        case 129: inv = 128; break;
        case 139: inv = 140; break;
        case 140: inv = 139; break;
        default: return false;
      }
    }
    out->dport = static_cast<uint16_t>(inv << 8 | t.icmp_code());
    out->sport = t.sport;
    return true;
  }
  out->sport = t.dport;
  out->dport = t.sport;
  return true;
}

// ---------------------------------------------------------------- table

size_t ConntrackTable::KeyHash::operator()(const Key& k) const {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](const void* p, size_t n) {
    const uint8_t* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  };
  mix(k.t.src.b.data(), 16);
  mix(k.t.dst.b.data(), 16);
  mix(&k.t.sport, 2);
  mix(&k.t.dport, 2);
  mix(&k.t.proto, 1);
  mix(&k.zone, 2);
  return h;
}

ConntrackEntry* ConntrackTable::Find(const CtTuple& t, uint16_t zone, double now, CtDir* dir) {
  auto it = index_.find(Key{t, zone});
  if (it == index_.end()) return nullptr;
  ConntrackEntry* e = it->second.first;
  if (now >= e->timeout && !(e->status & ips::kFixedTimeout)) {
    Remove(e);  // nf_ct_is_expired: gone
    return nullptr;
  }
  *dir = it->second.second;
  return e;
}

bool ConntrackTable::Taken(const CtTuple& t, uint16_t zone, const ConntrackEntry* ignore,
                           double now) {
  CtDir dir;
  ConntrackEntry* e = Find(t, zone, now, &dir);
  return e && e != ignore;
}

ConntrackEntry* ConntrackTable::Insert(std::unique_ptr<ConntrackEntry> e) {
  ConntrackEntry* p = e.get();
  p->status |= ips::kConfirmed;
  index_[Key{p->tuple[kCtOriginal], p->zone}] = {p, kCtOriginal};
  index_[Key{p->tuple[kCtReply], p->zone}] = {p, kCtReply};
  entries_.push_back(std::move(e));
  return p;
}

void ConntrackTable::Remove(ConntrackEntry* e) { Take(e); }

std::unique_ptr<ConntrackEntry> ConntrackTable::Take(ConntrackEntry* e) {
  for (int d = 0; d < 2; ++d) {
    auto it = index_.find(Key{e->tuple[d], e->zone});
    if (it != index_.end() && it->second.first == e) index_.erase(it);
  }
  for (auto it = entries_.begin(); it != entries_.end(); ++it)
    if (it->get() == e) {
      std::unique_ptr<ConntrackEntry> out = std::move(*it);
      entries_.erase(it);
      out->status |= ips::kDying;
      return out;
    }
  return nullptr;
}

std::vector<ConntrackEntry*> ConntrackTable::Entries() const {
  std::vector<ConntrackEntry*> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back(e.get());
  return out;
}

// ---------------------------------------------------------------- packet

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

// DESIGN.md: "--ctstate STATE: assumed conntrack state for a lone packet".
// With a connection table, the assumption pre-seeds the table as if earlier
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
    ref_.untracked = true;
    ref_.info = CtInfo::kUntracked;
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
    e->status = ips::kSeenReply | ips::kAssured | ips::kSrcNatDone | ips::kDstNatDone;
    if (has("SNAT")) e->status |= ips::kSrcNat;
    if (has("DNAT")) e->status |= ips::kDstNat;
    e->created = pkt.time;
    if (t.proto == kTcp) {
      e->tcp_state = S::kEstablished;
      e->tcp[0].flags = e->tcp[1].flags = kTcpFlagBeLiberal | kTcpFlagSackPerm;
      e->timeout = pkt.time + kTcpTimeouts[U(S::kEstablished)];
    } else {
      e->timeout = pkt.time + (t.proto == kUdp ? kUdpReplied : kGenericTimeout);
    }
    table_.Insert(std::move(e));
  }
}

void ConntrackPacket::Track(Hook hook, const Packet& pkt) {
  (void)hook;
  if (ref_.untracked || ref_.entry) return;
  if (ref_.tmpl_notrack) {
    ref_.untracked = true;
    ref_.info = CtInfo::kUntracked;
    return;
  }
  const PacketView v = PacketView::Of(pkt);
  CtTuple t;
  if (!PacketTuple(v, &t)) return;  // cut short: no entry (INVALID)
  const uint16_t zone = ref_.tmpl_zone;

  // ICMP errors (icmp_error / icmpv6_error): RELATED to the entry of the
  // embedded packet, or no entry at all.
  const bool icmp = (t.proto == kIcmp && t.family == Family::kIPv4) ||
                    (t.proto == kIcmpv6 && t.family == Family::kIPv6);
  if (icmp) {
    if (t.family == Family::kIPv4 && t.icmp_type() > 18) return;  // NR_ICMP_TYPES
    if (IcmpIsError(t.family, t.icmp_type())) {
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
      return;
    }
  }
  if (t.proto == kTcp && !TcpHeaderValid(v)) return;
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
    bool fresh = false;
    if (!e) {
      // init_conntrack: a new, unconfirmed entry.
      auto n = std::make_unique<ConntrackEntry>();
      n->tuple[kCtOriginal] = t;
      if (!InvertTuple(t, &n->tuple[kCtReply])) return;  // an ICMP type without reply
      n->id = table_.NextId();
      n->zone = zone;
      n->helper = ref_.tmpl_helper;
      n->created = now_;
      if (!assumed_.empty() && assumed_.find("RELATED") != std::string::npos)
        n->status |= ips::kExpected;
      unconfirmed_ = std::move(n);
      e = unconfirmed_.get();
      fresh = true;
    }
    CtInfo info;
    if (dir == kCtReply) info = CtInfo::kEstablishedReply;
    else if (e->status & ips::kSeenReply) info = CtInfo::kEstablished;
    else if (e->status & ips::kExpected) info = CtInfo::kRelated;
    else info = CtInfo::kNew;

    // The protocol tracker (nf_conntrack_handle_packet).
    double timeout = kGenericTimeout;
    if (t.proto == kTcp) {
      const TcpSeg s = ReadTcp(v);
      const TcpIndex index = IndexOf(s);
      if (fresh) {
        // tcp_new: a SYN starts a connection; any other packet whose
        // transition from NONE is valid (an ACK) is picked up mid-stream
        // (nf_conntrack_tcp_loose), with liberal window checks.
        uint8_t ns = kTcpTransitions[0][index][U(sNO)];
        if (ns == U(sSS)) {
          e->tcp[0].end = s.end;
          e->tcp[0].maxwin = s.win == 0 ? 1 : s.win;
          e->tcp[0].maxend = s.end;
          TcpOptions(s, &e->tcp[0]);
        } else if (ns == sIV || !table_.settings.tcp_loose) {
          unconfirmed_.reset();
          return;
        } else {
          e->tcp[0].end = s.end;
          e->tcp[0].maxwin = s.win == 0 ? 1 : s.win;
          e->tcp[0].maxend = s.end + e->tcp[0].maxwin;
          e->tcp[0].flags = e->tcp[1].flags = kTcpFlagSackPerm | kTcpFlagBeLiberal;
        }
      }
      const S old_state = e->tcp_state;
      uint8_t ns = kTcpTransitions[dir][index][U(old_state)];
      bool ignore = false;
      if (ns == U(sSS) && old_state >= S::kTimeWait && !fresh) {
        // A SYN reopening a closed connection: the old entry dies and
        // the packet is looked up again (-NF_REPEAT); otherwise it is
        // ignored as below.
        if (((e->tcp[0].flags | e->tcp[1].flags) & kTcpFlagCloseInit) ||
            (e->last_dir == dir && e->last_index == kRstSet)) {
          if (attempt == 0) {
            table_.Remove(e);
            continue;
          }
        }
        ns = sIG;
      }
      if (ns == sIG) {
        // An ignored packet keeps its entry, changes nothing (but is
        // remembered for a SYN/ACK answering an ignored SYN).
        if (index == kSynAckSet && e->last_index == kSynSet && e->last_dir != dir &&
            s.ack == e->last_end) {
          // It acknowledges a SYN we ignored: client and server are in
          // sync, the entry is not; take the annotated SYN's values.
          TcpWindow& w = e->tcp[e->last_dir];
          w.end = e->last_end;
          w.maxend = e->last_end;
          w.maxwin = e->last_win == 0 ? 1 : e->last_win;
          e->tcp[dir] = TcpWindow();
          ns = U(sSR);
        } else {
          e->last_index = index;
          e->last_dir = dir;
          e->last_seq = s.seq;
          e->last_ack = s.ack;
          e->last_end = s.end;
          e->last_win = s.win;
          ignore = true;
        }
      } else if (ns == sIV) {
        if (fresh) unconfirmed_.reset();
        return;  // invalid: no entry for the packet
      }
      if (ignore) {
        ref_.entry = e;
        ref_.info = info;
        return;  // no accounting, no timeout refresh
      }
      WindowResult w = TcpInWindow(*e, static_cast<CtDir>(dir), index, s,
                                   table_.settings.tcp_be_liberal);
      if (w == WindowResult::kIgnore) {
        ref_.entry = e;
        ref_.info = info;
        return;
      }
      if (w == WindowResult::kInvalid) {
        if (fresh) unconfirmed_.reset();
        return;
      }
      e->last_index = index;
      e->last_dir = dir;
      const S new_state = static_cast<S>(ns);
      e->tcp_state = new_state;
      if (old_state != new_state && new_state == S::kFinWait)
        e->tcp[dir].flags |= kTcpFlagCloseInit;
      if (index == kRstSet) timeout = kTcpTimeouts[U(S::kClose)];
      else if (((e->tcp[0].flags | e->tcp[1].flags) & kTcpFlagDataUnack) &&
               kTcpTimeouts[U(new_state)] > kTcpTimeoutUnack)
        timeout = kTcpTimeoutUnack;
      else
        timeout = kTcpTimeouts[U(new_state)];
      bool refresh = true;
      if (!(e->status & ips::kSeenReply)) {
        if (s.rst()) {
          // Only a RST back: no connection (nf_ct_kill_acct).  The packet
          // keeps its (now dying) entry; later packets start anew.
          e->packets[dir]++;
          e->bytes[dir] += PacketLength(pkt);
          ref_.entry = e;
          ref_.info = info;
          if (!fresh) dying_ = table_.Take(e);
          else unconfirmed_->status |= ips::kDying;
          return;
        }
        if (index == kSynSet && old_state == S::kSynSent) refresh = false;  // SYN retransmit
      } else if (!(e->status & ips::kAssured) &&
                 (old_state == S::kSynRecv || old_state == S::kEstablished) &&
                 new_state == S::kEstablished) {
        e->status |= ips::kAssured;
      }
      if (refresh) e->timeout = now_ + timeout;
    } else {
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
          return;  // only requests start an ICMP connection
        }
        timeout = kIcmpTimeout;
      } else {
        // Generic tracker (GRE, SCTP, DCCP: approximated by it).
        if (e->status & ips::kSeenReply) e->status |= ips::kAssured;
      }
      if (!(e->status & ips::kFixedTimeout)) e->timeout = now_ + timeout;
    }
    e->packets[dir]++;
    e->bytes[dir] += PacketLength(pkt);
    if (info == CtInfo::kEstablishedReply) e->status |= ips::kSeenReply;
    ref_.entry = e;
    ref_.info = info;
    return;
  }
}

void ConntrackPacket::Confirm() {
  if (!unconfirmed_ || ref_.entry != unconfirmed_.get()) return;
  if (unconfirmed_->status & ips::kDying) return;
  table_.Insert(std::move(unconfirmed_));
}

}  // namespace iptsim
