// The TCP connection tracker (nf_conntrack_proto_tcp.c): the state table,
// the window checks of tcp_in_window, the special cases of
// nf_conntrack_tcp_packet (resynchronisation, RST validation, challenge
// ACKs, reopening) and the timeouts.
#include "base/bytes.h"
#include "engine/conntrack_trackers.h"
#include "engine/eval.h"

namespace iptsim {
namespace conntrack_internal {

namespace {

// Default timeouts in seconds (nf_conntrack_*_timeout sysctls).
constexpr double kTcpTimeouts[] = {
    /*NONE*/ 0,       /*SYN_SENT*/ 120, /*SYN_RECV*/ 60, /*ESTABLISHED*/ 432000,
    /*FIN_WAIT*/ 120, /*CLOSE_WAIT*/ 60, /*LAST_ACK*/ 30, /*TIME_WAIT*/ 120,
    /*CLOSE*/ 10,     /*SYN_SENT2*/ 120,
};
constexpr double kTcpTimeoutUnack = 300;

// ip_ct_tcp_state flags.
constexpr uint8_t kTcpFlagWindowScale = 0x01, kTcpFlagSackPerm = 0x02, kTcpFlagCloseInit = 0x04,
                  kTcpFlagBeLiberal = 0x08, kTcpFlagDataUnack = 0x10, kTcpFlagMaxAckSet = 0x20,
                  kTcpExpChallengeAck = 0x40, kTcpSimultaneousOpen = 0x80;
constexpr double kTcpTimeoutRetrans = 300;
constexpr uint32_t kTcpMaxRetrans = 3;  // nf_conntrack_tcp_max_retrans

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
        /*synack*/ {sIV, sIV, U(sSR), sIV, sIV, sIV, sIV, sIV, sIV, U(sSR)},
        /*fin*/ {sIV, sIV, U(sFW), U(sFW), U(sLA), U(sLA), U(sLA), U(sTW), U(sCL), sIV},
        /*ack*/ {U(sES), sIV, U(sES), U(sES), U(sCW), U(sCW), U(sTW), U(sTW), U(sCL), sIV},
        /*rst*/ {sIV, U(sCL), U(sCL), U(sCL), U(sCL), U(sCL), U(sCL), U(sCL), U(sCL), U(sCL)},
        /*none*/ {sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
    },
    {
        // REPLY
        /*syn*/ {sIV, U(sS2), sIV, sIV, sIV, sIV, sIV, U(sSS), sIV, U(sS2)},
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

// The walk of tcp_options and tcp_sack over a segment's options: calls
// fn(kind, data, size) for each option but NOP, stops at EOL, at a malformed
// length or when fn returns false.
template <class Fn>
void WalkTcpOptions(const uint8_t* p, size_t len, Fn fn) {
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
    if (!fn(op, p, sz)) return;
    p += sz - 2;
    len -= sz;
  }
}

// tcp_options: window scale and SACK permitted (a liberal flag stays).
void TcpOptions(const TcpSeg& s, TcpWindow* w) {
  if (!s.opts_len) return;
  w->scale = 0;
  w->flags &= kTcpFlagBeLiberal;
  WalkTcpOptions(s.opts, s.opts_len, [w](uint8_t op, const uint8_t* p, uint8_t sz) {
    if (op == 4 && sz == 2) {
      w->flags |= kTcpFlagSackPerm;
    } else if (op == 3 && sz == 3) {
      w->scale = p[0] > 14 ? 14 : p[0];
      w->flags |= kTcpFlagWindowScale;
    }
    return true;
  });
}

// tcp_sack: the highest right edge of a SACK block.
void TcpSack(const TcpSeg& s, uint32_t* sack) {
  const uint8_t* p = s.opts;
  if (s.opts_len == 12 && p[0] == 1 && p[1] == 1 && p[2] == 8 && p[3] == 10) return;
  WalkTcpOptions(p, s.opts_len, [sack](uint8_t op, const uint8_t* d, uint8_t sz) {
    if (op == 5 && sz >= 10 && (sz - 2) % 8 == 0) {
      for (int i = 0; i < sz - 2; i += 8) {
        uint32_t right = GetBe32(d + i + 4);
        if (static_cast<int32_t>(right - *sack) > 0) *sack = right;
      }
      return false;
    }
    return true;
  });
}

bool Before(uint32_t a, uint32_t b) { return static_cast<int32_t>(a - b) < 0; }
bool After(uint32_t a, uint32_t b) { return Before(b, a); }

uint32_t MaxAckWindow(const TcpWindow& sender) {
  return sender.maxwin > 66000 ? sender.maxwin : 66000;
}

// tcp_init_sender: the first SYN(-ACK) of a direction.
void TcpInitSender(TcpWindow& sender, TcpWindow& receiver, const TcpSeg& s, uint32_t win,
                   CtDir dir) {
  sender.end = sender.maxend = s.end;
  sender.maxwin = win == 0 ? 1 : win;
  TcpOptions(s, &sender);
  // RFC 1323: both sides must send the window scale option.
  if (dir == kCtReply &&
      !((sender.flags & kTcpFlagWindowScale) && (receiver.flags & kTcpFlagWindowScale)))
    sender.scale = receiver.scale = 0;
}

enum class WindowResult { kAccept, kIgnore, kInvalid };

// tcp_in_window (nf_tcp_store_invalid: a liberal connection accepts what
// would be ignored or invalid, without updating the window).
WindowResult TcpInWindow(ConntrackEntry& ct, CtDir dir, TcpIndex index, const TcpSeg& s,
                         bool be_liberal) {
  TcpWindow& sender = ct.tcp[dir];
  TcpWindow& receiver = ct.tcp[!dir];
  const bool liberal = (sender.flags & kTcpFlagBeLiberal) || be_liberal;
  auto store_invalid = [&](WindowResult r) { return liberal ? WindowResult::kAccept : r; };
  uint32_t seq = s.seq, ack = s.ack, sack = s.ack, end = s.end;
  uint32_t win = s.win;
  if (receiver.flags & kTcpFlagSackPerm) TcpSack(s, &sack);

  if (sender.maxwin == 0) {
    if (s.syn()) {
      TcpInitSender(sender, receiver, s, win, dir);
      if (!s.ackf()) return WindowResult::kAccept;  // simultaneous open
    } else {
      // Mid-stream: history lost, use the packet's data.
      sender.end = end;
      uint32_t swin = win << sender.scale;
      sender.maxwin = swin == 0 ? 1 : swin;
      sender.maxend = end + sender.maxwin;
      if (receiver.maxwin == 0) receiver.end = receiver.maxend = sack;
      else if (sack == receiver.end + 1) receiver.end++;  // a reply to a keepalive
    }
  } else if (s.syn() && After(end, sender.end) &&
             (ct.tcp_state == S::kSynSent || ct.tcp_state == S::kSynRecv)) {
    // A reinitialised connection (RFC 793): this direction starts over.
    TcpInitSender(sender, receiver, s, win, dir);
    if (dir == kCtReply && !s.ackf()) return WindowResult::kAccept;
  }

  if (!s.ackf()) {
    ack = sack = receiver.end;
  } else if (s.rst() && ack == 0) {
    ack = sack = receiver.end;  // broken stacks: RST|ACK with ack 0
  }
  if (s.rst() && seq == 0 && ct.tcp_state == S::kSynSent) seq = end = sender.end;  // RST to a SYN

  if (!Before(seq, sender.maxend + 1)) {
    // Beyond the receiver's window.  Some stacks overshoot it: when only
    // this check fails and by less than the receiver's window, the data is
    // remembered and the packet ignored; otherwise it is invalid.
    const uint32_t overshot = end - sender.maxend + 1;
    const bool ack_ok = After(sack, receiver.end - MaxAckWindow(sender) - 1);
    const bool in_win = receiver.maxwin && After(end, sender.end - receiver.maxwin - 1);
    if (in_win && ack_ok && overshot <= receiver.maxwin && Before(sack, receiver.end + 1)) {
      sender.end = end;
      sender.flags |= kTcpFlagDataUnack;
      return store_invalid(WindowResult::kIgnore);
    }
    return store_invalid(WindowResult::kInvalid);
  }
  // "ACK is over upper bound (ACKed data not seen yet)".
  if (!Before(sack, receiver.end + 1)) return store_invalid(WindowResult::kInvalid);
  // "SEQ is under lower bound", "ACK under lower bound": ignored.
  const bool in_recv_win = !receiver.maxwin || After(end, sender.end - receiver.maxwin - 1);
  if (!in_recv_win) return store_invalid(WindowResult::kIgnore);
  if (!After(sack, receiver.end - MaxAckWindow(sender) - 1))
    return store_invalid(WindowResult::kIgnore);

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
  // Retransmissions (an identical ACK segment again).
  if (index == kAckSet) {
    if (ct.last_dir == dir && ct.last_seq == seq && ct.last_ack == ack && ct.last_end == end &&
        ct.last_win == s.win) {
      ct.retrans++;
    } else {
      ct.last_dir = dir;
      ct.last_seq = seq;
      ct.last_ack = ack;
      ct.last_end = end;
      ct.last_win = s.win;
      ct.retrans = 0;
    }
  }
  return WindowResult::kAccept;
}

TcpSeg ReadTcp(const PacketView& v) {
  const uint8_t* th = v.transport();
  TcpSeg s;
  s.seq = GetBe32(th + 4);
  s.ack = GetBe32(th + 8);
  s.win = GetBe16(th + 14);
  s.flags = th[13];
  size_t doff = (th[12] >> 4) * 4u;
  s.opts = th + 20;
  s.opts_len = doff - 20;
  // segment_seq_plus_len uses skb->len: the bytes from the IP header on.
  uint32_t payload = static_cast<uint32_t>(v.size() - v.thoff - doff);
  s.end = s.seq + payload + (s.syn() ? 1 : 0) + (s.fin() ? 1 : 0);
  return s;
}

// tcp_new: a SYN starts a connection; any other packet whose transition
// from NONE is valid (an ACK) is picked up mid-stream
// (nf_conntrack_tcp_loose), with liberal window checks.  False: the packet
// is invalid and starts nothing.
bool TcpNew(ConntrackEntry& e, TcpIndex index, const TcpSeg& s, bool loose) {
  const uint8_t ns = kTcpTransitions[0][index][U(sNO)];
  if (ns == sIV) return false;
  e.tcp[0] = e.tcp[1] = TcpWindow();
  if (ns == U(sSS)) {
    e.tcp[0].end = s.end;
    e.tcp[0].maxwin = s.win == 0 ? 1 : s.win;
    e.tcp[0].maxend = s.end;
    TcpOptions(s, &e.tcp[0]);
  } else if (!loose) {
    return false;
  } else {
    e.tcp[0].end = s.end;
    e.tcp[0].maxwin = s.win == 0 ? 1 : s.win;
    e.tcp[0].maxend = s.end + e.tcp[0].maxwin;
    e.tcp[0].flags = e.tcp[1].flags = kTcpFlagSackPerm | kTcpFlagBeLiberal;
  }
  e.last_index = kNoneSet;
  return true;
}

// An ignored packet keeps its entry and changes nothing but the notes that
// let a later SYN/ACK answering it resynchronise.
TcpResult TcpIgnore(ConntrackEntry& e, CtDir dir, TcpIndex index, const TcpSeg& s,
                    S old_state) {
  e.last_index = index;
  e.last_dir = dir;
  e.last_seq = s.seq;
  e.last_end = s.end;
  e.last_win = s.win;
  if (index == kSynSet && dir == kCtOriginal) {
    TcpWindow seen;
    TcpOptions(s, &seen);
    e.last_flags = 0;
    e.last_wscale = 0;
    if (seen.flags & kTcpFlagWindowScale) {
      e.last_flags |= kTcpFlagWindowScale;
      e.last_wscale = seen.scale;
    }
    if (seen.flags & kTcpFlagSackPerm) e.last_flags |= kTcpFlagSackPerm;
    if (old_state == S::kLastAck) e.last_flags |= kTcpExpChallengeAck;
  }
  if (old_state == S::kSynSent && index == kAckSet && dir == kCtReply) e.last_ack = s.ack;
  return TcpResult::kIgnore;
}

// A SYN/ACK that acknowledges a SYN we ignored: client and server are in
// sync, the entry is not; the ignored SYN's direction takes the values noted
// for it, this direction starts over.
void TcpResyncToIgnoredSyn(ConntrackEntry& e, CtDir dir) {
  TcpWindow& w = e.tcp[e.last_dir];
  w.end = w.maxend = e.last_end;
  w.maxwin = e.last_win == 0 ? 1 : e.last_win;
  w.scale = e.last_wscale;
  e.last_flags &= ~kTcpExpChallengeAck;
  w.flags = e.last_flags;
  TcpWindow& mine = e.tcp[dir];
  mine.end = mine.maxend = mine.maxwin = mine.maxack = 0;
  mine.scale = 0;
  mine.flags &= kTcpFlagBeLiberal;
}

// A RST that moves the connection to CLOSE: whether its sequence number is
// acceptable.  False for an invalid RST.  *ns becomes the old state when the
// RST is in the window but not exact (the peer answers it with a challenge
// ACK); *skip_window_check when the RST needs no window check (a closing
// connection, tcp_can_early_drop, or a RST answering a packet we let
// through).
bool TcpCheckRst(const ConntrackEntry& e, CtDir dir, const TcpSeg& s, S old_state, uint8_t* ns,
                 bool* skip_window_check) {
  const bool established = e.tcp_state == S::kEstablished && (e.status & ips::kAssured);
  bool done = false;
  if (old_state == S::kFinWait || old_state == S::kLastAck || old_state == S::kTimeWait ||
      old_state == S::kClose || old_state == S::kCloseWait) {
    *skip_window_check = true;
    done = true;
  }
  if (!done && (e.tcp[!dir].flags & kTcpFlagMaxAckSet) && e.last_index != kSynSet) {
    const uint32_t seq = s.seq;
    if (seq == 0 && !established) {
      done = true;
    } else if (Before(seq, e.tcp[!dir].maxack)) {
      return false;  // invalid RST
    } else if (!established || seq == e.tcp[!dir].maxack) {
      done = true;
    } else if (e.last_index == kAckSet && e.last_dir == dir && seq == e.last_end) {
      done = true;  // a RST in a train
    } else {
      *ns = U(old_state);  // not exact: keep the state for a challenge ACK
    }
  }
  if (!done) {
    if ((((e.status & ips::kSeenReply) && e.last_index == kSynSet && e.last_dir != dir) ||
         (!(e.status & ips::kAssured) && e.last_index == kAckSet)) &&
        s.ack == e.last_end) {
      *skip_window_check = true;  // RST to a SYN or ACK we let through
    } else if (old_state == S::kSynSent && e.last_index == kAckSet && e.last_dir == kCtReply &&
               s.seq == e.last_ack) {
      *skip_window_check = true;  // reset answering a challenge ACK
    }
  }
  return true;
}

// nf_tcp_handle_invalid: out-of-window FIN/RST of both sides shrink an
// assured connection's timeout to the unacknowledged one.
void TcpHandleInvalid(ConntrackEntry& e, CtDir dir, TcpIndex index, double now) {
  if (!(e.status & ips::kAssured) || (e.status & ips::kFixedTimeout) ||
      (index != kRstSet && index != kFinSet))
    return;
  if (e.last_dir != dir && (e.last_index == kFinSet || e.last_index == kRstSet)) {
    const double expires = e.timeout - now;
    if (expires >= 120 && expires > kTcpTimeoutUnack) e.timeout = now + kTcpTimeoutUnack;
  } else {
    e.last_index = index;
    e.last_dir = dir;
  }
}

// The timeout of the connection in `new_state` after an accepted packet:
// shorter while retransmitting, after a RST, with unacknowledged data or
// with a zero window.
double TcpTimeout(const ConntrackEntry& e, TcpIndex index, S new_state) {
  const double full = kTcpTimeouts[U(new_state)];
  if (e.retrans >= kTcpMaxRetrans && full > kTcpTimeoutRetrans) return kTcpTimeoutRetrans;
  if (index == kRstSet) return kTcpTimeouts[U(S::kClose)];
  if (((e.tcp[0].flags | e.tcp[1].flags) & kTcpFlagDataUnack) && full > kTcpTimeoutUnack)
    return kTcpTimeoutUnack;
  if (e.last_win == 0 && full > kTcpTimeoutRetrans) return kTcpTimeoutRetrans;
  return full;
}

}  // namespace

TcpResult TcpPacket(ConntrackEntry& e, CtDir dir, bool fresh, const PacketView& v,
                    const ConntrackSettings& settings, double now) {
  const TcpSeg s = ReadTcp(v);
  const TcpIndex index = IndexOf(s);
  if (fresh && !TcpNew(e, index, s, settings.tcp_loose)) return TcpResult::kInvalid;
  S old_state = e.tcp_state;
  uint8_t ns = kTcpTransitions[dir][index][U(old_state)];
  bool skip_window_check = false;
  if (ns == U(sSS) && old_state >= S::kTimeWait) {
    // A SYN on a closed connection: an aborted or closed one is reopened
    // (the old entry dies, -NF_REPEAT), otherwise it is ignored.
    if (((e.tcp[dir].flags | e.tcp[!dir].flags) & kTcpFlagCloseInit) ||
        (e.last_dir == dir && e.last_index == kRstSet))
      return TcpResult::kRepeat;
    ns = sIG;
  }
  if (ns == sIG) {
    if (!(index == kSynAckSet && e.last_index == kSynSet && e.last_dir != dir &&
          s.ack == e.last_end))
      return TcpIgnore(e, dir, index, s, old_state);
    old_state = S::kSynSent;
    ns = U(sSR);
    TcpResyncToIgnoredSyn(e, dir);
  } else if (ns == sIV) {
    return TcpResult::kInvalid;
  } else if (ns == U(sTW)) {
    // An RFC 5961 challenge ACK does not acknowledge the last FIN.
    if (old_state == S::kLastAck && index == kAckSet && e.last_dir != dir &&
        e.last_index == kSynSet && (e.last_flags & kTcpExpChallengeAck)) {
      e.last_flags &= ~kTcpExpChallengeAck;
      return TcpResult::kIgnore;
    }
  } else if (ns == U(sS2)) {
    e.last_flags |= kTcpSimultaneousOpen;
  } else if (ns == U(sSR)) {
    if (dir == kCtReply && index == kAckSet && (e.last_flags & kTcpSimultaneousOpen))
      ns = U(sES);
  } else if (ns == U(sCL) && index == kRstSet) {
    if (!TcpCheckRst(e, dir, s, old_state, &ns, &skip_window_check)) return TcpResult::kInvalid;
  }
  if (!skip_window_check) {
    const WindowResult w = TcpInWindow(e, dir, index, s, settings.tcp_be_liberal);
    if (w == WindowResult::kIgnore) return TcpResult::kIgnore;
    if (w == WindowResult::kInvalid) {
      TcpHandleInvalid(e, dir, index, now);
      return TcpResult::kInvalid;
    }
  }
  e.last_index = index;
  e.last_dir = dir;
  const S new_state = static_cast<S>(ns);
  e.tcp_state = new_state;
  if (old_state != new_state && new_state == S::kFinWait) e.tcp[dir].flags |= kTcpFlagCloseInit;
  double timeout = TcpTimeout(e, index, new_state);
  if (!(e.status & ips::kSeenReply)) {
    if (s.rst()) return TcpResult::kKill;
    if (index == kSynSet && old_state == S::kSynSent) return TcpResult::kAcceptNoRefresh;
    // A picked-up connection without a reply: not the long timeout.
    if (new_state == S::kEstablished && timeout > kTcpTimeoutUnack) timeout = kTcpTimeoutUnack;
  } else if (!(e.status & ips::kAssured) &&
             (old_state == S::kSynRecv || old_state == S::kEstablished) &&
             new_state == S::kEstablished) {
    e.status |= ips::kAssured;
  }
  if (!(e.status & ips::kFixedTimeout)) e.timeout = now + timeout;
  return TcpResult::kAccept;
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

void TcpAssumeEstablished(ConntrackEntry& e, double now) {
  e.tcp_state = S::kEstablished;
  e.tcp[0].flags = e.tcp[1].flags = kTcpFlagBeLiberal | kTcpFlagSackPerm;
  e.timeout = now + kTcpTimeouts[U(S::kEstablished)];
}

}  // namespace conntrack_internal

std::string_view TcpCtStateName(TcpCtState s) {
  static constexpr std::string_view kNames[] = {
      "NONE",     "SYN_SENT", "SYN_RECV",  "ESTABLISHED", "FIN_WAIT",
      "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",       "SYN_SENT2",
  };
  return kNames[static_cast<int>(s)];
}

}  // namespace iptsim
