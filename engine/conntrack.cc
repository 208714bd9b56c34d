#include "engine/conntrack.h"

#include <algorithm>
#include <cstdio>
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
  // DCCP: the kernel tracks it with the generic tracker since its DCCP
  // support was removed (6.16): no ports in the tuple, none rewritten.
  return proto == kTcp || proto == kUdp || proto == kUdplite || proto == kSctp;
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
        uint32_t right = Be32(d + i + 4);
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

// ------------------------------------------------------------------ SCTP

constexpr uint8_t kSctpData = 0, kSctpInit = 1, kSctpInitAck = 2, kSctpHeartbeat = 4,
                  kSctpHeartbeatAck = 5, kSctpAbort = 6, kSctpShutdown = 7, kSctpShutdownAck = 8,
                  kSctpError = 9, kSctpCookieEcho = 10, kSctpCookieAck = 11,
                  kSctpShutdownComplete = 14;
// SCTP_CONNTRACK_*.
enum : uint8_t { cNO, cCL, cCW, cCE, cES, cSS, cSR, cSA, cHS, cIV };
// sctp_conntracks[dir][chunk][state], chunks INIT INIT_ACK ABORT SHUTDOWN
// SHUTDOWN_ACK ERROR COOKIE_ECHO COOKIE_ACK SHUTDOWN_COMPLETE HEARTBEAT
// HEARTBEAT_ACK (nf_conntrack_proto_sctp.c).
constexpr uint8_t kSctpTransitions[2][11][9] = {
    {
        {cCL, cCL, cCW, cCE, cES, cCL, cCL, cSA, cCW},
        {cCL, cCL, cCW, cCE, cES, cSS, cSR, cSA, cCL},
        {cCL, cCL, cCL, cCL, cCL, cCL, cCL, cCL, cCL},
        {cCL, cCL, cCW, cCE, cSS, cSS, cSR, cSA, cCL},
        {cSA, cCL, cCW, cCE, cES, cSA, cSA, cSA, cSA},
        {cCL, cCL, cCW, cCE, cES, cSS, cSR, cSA, cCL},
        {cCL, cCL, cCE, cCE, cES, cSS, cSR, cSA, cCL},
        {cCL, cCL, cCW, cES, cES, cSS, cSR, cSA, cCL},
        {cCL, cCL, cCW, cCE, cES, cSS, cSR, cCL, cCL},
        {cHS, cCL, cCW, cCE, cES, cSS, cSR, cSA, cHS},
        {cCL, cCL, cCW, cCE, cES, cSS, cSR, cSA, cHS},
    },
    {
        {cIV, cCL, cCW, cCE, cES, cSS, cSR, cSA, cIV},
        {cIV, cCW, cCW, cCE, cES, cSS, cSR, cSA, cIV},
        {cIV, cCL, cCL, cCL, cCL, cCL, cCL, cCL, cIV},
        {cIV, cCL, cCW, cCE, cSR, cSS, cSR, cSA, cIV},
        {cIV, cCL, cCW, cCE, cES, cSA, cSA, cSA, cIV},
        {cIV, cCL, cCW, cCL, cES, cSS, cSR, cSA, cIV},
        {cIV, cCL, cCE, cCE, cES, cSS, cSR, cSA, cIV},
        {cIV, cCL, cCW, cES, cES, cSS, cSR, cSA, cIV},
        {cIV, cCL, cCW, cCE, cES, cSS, cSR, cCL, cIV},
        {cIV, cCL, cCW, cCE, cES, cSS, cSR, cSA, cHS},
        {cIV, cCL, cCW, cCE, cES, cSS, cSR, cSA, cES},
    },
};
constexpr double kSctpTimeouts[9] = {10, 10, 3, 3, 210, 3, 3, 3, 30};

// sctp_new_state: unknown chunk types (DATA, SACK...) keep the state.
uint8_t SctpNewState(CtDir dir, uint8_t cur, uint8_t chunk) {
  int i;
  switch (chunk) {
    case kSctpInit: i = 0; break;
    case kSctpInitAck: i = 1; break;
    case kSctpAbort: i = 2; break;
    case kSctpShutdown: i = 3; break;
    case kSctpShutdownAck: i = 4; break;
    case kSctpError: i = 5; break;
    case kSctpCookieEcho: i = 6; break;
    case kSctpCookieAck: i = 7; break;
    case kSctpShutdownComplete: i = 8; break;
    case kSctpHeartbeat: i = 9; break;
    case kSctpHeartbeatAck: i = 10; break;
    default: return cur;
  }
  return kSctpTransitions[dir][i][cur];
}

struct SctpChunk {
  uint8_t type, flags;
  size_t off;  // in the SCTP packet
};

// for_each_sctp_chunk + do_basic_checks: false when the chunks are
// malformed (COOKIE_ACK/ECHO not first, INIT/INIT_ACK/SHUTDOWN_COMPLETE
// not alone, a zero length, none at all).
bool SctpChunks(const uint8_t* p, size_t n, std::vector<SctpChunk>* out, uint32_t map[8]) {
  bool flag = false;
  size_t count = 0;
  for (size_t off = 12; off < n && off + 4 <= n; ++count) {
    const uint8_t type = p[off], flags = p[off + 1];
    const uint16_t len = Be16(p + off + 2);
    if (type == kSctpInit || type == kSctpInitAck || type == kSctpShutdownComplete) flag = true;
    if (((type == kSctpCookieAck || type == kSctpCookieEcho || flag) && count != 0) || !len)
      return false;
    map[type / 32] |= 1u << (type % 32);
    out->push_back({type, flags, off});
    off += (len + 3u) & ~3u;
  }
  return count != 0;
}

enum class SctpResult { kAccept, kIgnore, kInvalid };

// nf_conntrack_sctp_packet after sctp_error (which Track did).
SctpResult SctpPacket(ConntrackEntry& e, CtDir dir, bool fresh, const uint8_t* p, size_t n,
                      double now) {
  std::vector<SctpChunk> chunks;
  uint32_t map[8] = {};
  auto has = [&](uint8_t t) { return (map[t / 32] >> (t % 32)) & 1; };
  if (!SctpChunks(p, n, &chunks, map)) return SctpResult::kInvalid;
  const uint32_t vtag = Be32(p + 4);
  auto init_tag = [&](const SctpChunk& c, uint32_t* tag) {
    if (c.off + 4 + 16 > n) return false;
    *tag = Be32(p + c.off + 4);
    return true;
  };
  if (fresh) {
    // An out-of-the-blue packet with these chunks is discarded (8.4).
    if (has(kSctpAbort) || has(kSctpShutdownComplete) || has(kSctpCookieAck))
      return SctpResult::kInvalid;
    // sctp_new
    for (const SctpChunk& c : chunks) {
      const uint8_t ns = SctpNewState(kCtOriginal, cNO, c.type);
      if (ns == cNO || ns == cIV) return SctpResult::kInvalid;
      if (c.type == kSctpInit) {
        uint32_t tag;
        if (vtag || !init_tag(c, &tag)) return SctpResult::kInvalid;
        e.sctp_vtag[kCtReply] = tag;
      } else if (c.type == kSctpHeartbeat) {
        e.sctp_vtag[kCtOriginal] = vtag;
      } else if (c.type == kSctpShutdownAck) {
        e.sctp_vtag[kCtReply] = vtag;
      }
      e.sctp_state = cNO;
    }
  }
  // The verification tag (8.5).
  if (!has(kSctpInit) && !has(kSctpShutdownComplete) && !has(kSctpCookieEcho) &&
      !has(kSctpAbort) && !has(kSctpShutdownAck) && !has(kSctpHeartbeat) &&
      !has(kSctpHeartbeatAck) && vtag != e.sctp_vtag[dir])
    return SctpResult::kInvalid;
  constexpr uint8_t kFlagT = 1, kHeartbeatVtagFailed = 1;
  uint8_t old_state = cNO, new_state = cNO;
  bool ignore = false;
  for (const SctpChunk& c : chunks) {
    if (c.type == kSctpInit) {
      if (vtag != 0) return SctpResult::kInvalid;
    } else if (c.type == kSctpAbort || c.type == kSctpShutdownComplete) {
      if ((!(c.flags & kFlagT) && vtag != e.sctp_vtag[dir]) ||
          ((c.flags & kFlagT) && vtag != e.sctp_vtag[!dir]))
        return SctpResult::kInvalid;
    } else if (c.type == kSctpCookieEcho) {
      if (vtag != e.sctp_vtag[dir]) return SctpResult::kInvalid;
    } else if (c.type == kSctpCookieAck) {
      e.sctp_init[0] = e.sctp_init[1] = false;
    } else if (c.type == kSctpHeartbeat) {
      if (e.sctp_vtag[dir] == 0) {
        e.sctp_vtag[dir] = vtag;
      } else if (vtag != e.sctp_vtag[dir]) {
        if (has(kSctpData) || ignore) return SctpResult::kInvalid;
        e.sctp_flags |= kHeartbeatVtagFailed;
        e.sctp_last_dir = dir;
        ignore = true;
        continue;
      } else {
        e.sctp_flags &= ~kHeartbeatVtagFailed;
      }
    } else if (c.type == kSctpHeartbeatAck) {
      if (e.sctp_vtag[dir] == 0) {
        e.sctp_vtag[dir] = vtag;
      } else if (vtag != e.sctp_vtag[dir]) {
        if (has(kSctpData) || ignore) return SctpResult::kInvalid;
        if (!(e.sctp_flags & kHeartbeatVtagFailed) || e.sctp_last_dir == dir)
          return SctpResult::kInvalid;
        e.sctp_flags &= ~kHeartbeatVtagFailed;
        e.sctp_vtag[dir] = vtag;
        e.sctp_vtag[!dir] = 0;
      } else {
        e.sctp_flags &= ~kHeartbeatVtagFailed;
      }
    }
    old_state = e.sctp_state;
    new_state = SctpNewState(dir, old_state, c.type);
    if (new_state == cIV) return SctpResult::kInvalid;
    if (c.type == kSctpInit) {
      uint32_t tag;
      if (!init_tag(c, &tag)) return SctpResult::kInvalid;
      // A stale or retransmitted INIT (the peer's tag) is not recorded.
      if (old_state == cNO || e.sctp_vtag[!dir] != tag) {
        if (e.sctp_init[dir] && e.sctp_init[!dir]) e.sctp_init[!dir] = false;
        e.sctp_init[dir] = true;
      }
      e.sctp_vtag[!dir] = tag;
      // No timeout renewal for an INIT retransmitted on a closed entry.
      if (new_state == cCL && old_state == cCL && !fresh) ignore = true;
    } else if (c.type == kSctpInitAck) {
      uint32_t tag;
      if (!init_tag(c, &tag)) return SctpResult::kInvalid;
      const uint32_t v = e.sctp_vtag[!dir];
      if (!e.sctp_init[!dir] && v && v != tag) return SctpResult::kInvalid;
      if (e.sctp_init[dir] && e.sctp_init[!dir] && v != tag) return SctpResult::kInvalid;  // collision
      e.sctp_vtag[!dir] = tag;
    }
    e.sctp_state = new_state;
    if (old_state != new_state && new_state == cES) e.status |= ips::kAssured;
  }
  if (ignore) return SctpResult::kIgnore;
  if (!(e.status & ips::kFixedTimeout)) e.timeout = now + kSctpTimeouts[new_state];
  return SctpResult::kAccept;
}

enum class TcpResult { kAccept, kIgnore, kInvalid, kRepeat, kKill, kAcceptNoRefresh };

// nf_conntrack_tcp_packet after tcp_error: tcp_new for a fresh entry, the
// state table with its special cases, the window, the timeout.
TcpResult TcpPacket(ConntrackEntry& e, CtDir dir, bool fresh, const TcpSeg& s,
                    const ConntrackSettings& settings, double now) {
  const TcpIndex index = IndexOf(s);
  if (fresh) {
    // tcp_new: a SYN starts a connection; any other packet whose transition
    // from NONE is valid (an ACK) is picked up mid-stream
    // (nf_conntrack_tcp_loose), with liberal window checks.
    const uint8_t ns = kTcpTransitions[0][index][U(sNO)];
    if (ns == sIV) return TcpResult::kInvalid;
    e.tcp[0] = e.tcp[1] = TcpWindow();
    if (ns == U(sSS)) {
      e.tcp[0].end = s.end;
      e.tcp[0].maxwin = s.win == 0 ? 1 : s.win;
      e.tcp[0].maxend = s.end;
      TcpOptions(s, &e.tcp[0]);
    } else if (!settings.tcp_loose) {
      return TcpResult::kInvalid;
    } else {
      e.tcp[0].end = s.end;
      e.tcp[0].maxwin = s.win == 0 ? 1 : s.win;
      e.tcp[0].maxend = s.end + e.tcp[0].maxwin;
      e.tcp[0].flags = e.tcp[1].flags = kTcpFlagSackPerm | kTcpFlagBeLiberal;
    }
    e.last_index = kNoneSet;
  }
  S old_state = e.tcp_state;
  uint8_t ns = kTcpTransitions[dir][index][U(old_state)];
  bool in_window = false;  // skip the window check
  auto ignore = [&]() {
    // An ignored packet keeps its entry and changes nothing but the notes
    // that let a later SYN/ACK answering it resynchronise.
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
  };
  if (ns == U(sSS) && old_state >= S::kTimeWait) {
    // A SYN on a closed connection: an aborted or closed one is reopened
    // (the old entry dies, -NF_REPEAT), otherwise it is ignored.
    if (((e.tcp[dir].flags | e.tcp[!dir].flags) & kTcpFlagCloseInit) ||
        (e.last_dir == dir && e.last_index == kRstSet))
      return TcpResult::kRepeat;
    ns = sIG;
  }
  if (ns == sIG) {
    if (index == kSynAckSet && e.last_index == kSynSet && e.last_dir != dir &&
        s.ack == e.last_end) {
      // It acknowledges a SYN we ignored: client and server are in sync,
      // the entry is not; take the annotated SYN's values.
      old_state = S::kSynSent;
      ns = U(sSR);
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
    } else {
      return ignore();
    }
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
    const bool established = e.tcp_state == S::kEstablished && (e.status & ips::kAssured);
    bool done = false;
    if (old_state == S::kFinWait || old_state == S::kLastAck || old_state == S::kTimeWait ||
        old_state == S::kClose || old_state == S::kCloseWait) {
      in_window = true;  // tcp_can_early_drop: no validation
      done = true;
    }
    if (!done && (e.tcp[!dir].flags & kTcpFlagMaxAckSet) && e.last_index != kSynSet) {
      const uint32_t seq = s.seq;
      if (seq == 0 && !established) {
        done = true;
      } else if (Before(seq, e.tcp[!dir].maxack)) {
        return TcpResult::kInvalid;  // invalid RST
      } else if (!established || seq == e.tcp[!dir].maxack) {
        done = true;
      } else if (e.last_index == kAckSet && e.last_dir == dir && seq == e.last_end) {
        done = true;  // a RST in a train
      } else {
        ns = U(old_state);  // not exact: keep the state for a challenge ACK
      }
    }
    if (!done) {
      if ((((e.status & ips::kSeenReply) && e.last_index == kSynSet && e.last_dir != dir) ||
           (!(e.status & ips::kAssured) && e.last_index == kAckSet)) &&
          s.ack == e.last_end) {
        in_window = true;  // RST to a SYN or ACK we let through
      } else if (old_state == S::kSynSent && e.last_index == kAckSet &&
                 e.last_dir == kCtReply && s.seq == e.last_ack) {
        in_window = true;  // reset answering a challenge ACK
      }
    }
  }
  if (!in_window) {
    const WindowResult w = TcpInWindow(e, dir, index, s, settings.tcp_be_liberal);
    if (w == WindowResult::kIgnore) return TcpResult::kIgnore;
    if (w == WindowResult::kInvalid) {
      // nf_tcp_handle_invalid: out-of-window FIN/RST of both sides shrink
      // an assured connection's timeout to the unacknowledged one.
      if ((e.status & ips::kAssured) && !(e.status & ips::kFixedTimeout) &&
          (index == kRstSet || index == kFinSet)) {
        if (e.last_dir != dir && (e.last_index == kFinSet || e.last_index == kRstSet)) {
          const double expires = e.timeout - now;
          if (expires >= 120 && expires > kTcpTimeoutUnack) e.timeout = now + kTcpTimeoutUnack;
        } else {
          e.last_index = index;
          e.last_dir = dir;
        }
      }
      return TcpResult::kInvalid;
    }
  }
  e.last_index = index;
  e.last_dir = dir;
  const S new_state = static_cast<S>(ns);
  e.tcp_state = new_state;
  if (old_state != new_state && new_state == S::kFinWait) e.tcp[dir].flags |= kTcpFlagCloseInit;
  const double full = kTcpTimeouts[U(new_state)];
  double timeout;
  if (e.retrans >= kTcpMaxRetrans && full > kTcpTimeoutRetrans)
    timeout = kTcpTimeoutRetrans;
  else if (index == kRstSet)
    timeout = kTcpTimeouts[U(S::kClose)];
  else if (((e.tcp[0].flags | e.tcp[1].flags) & kTcpFlagDataUnack) && full > kTcpTimeoutUnack)
    timeout = kTcpTimeoutUnack;
  else if (e.last_win == 0 && full > kTcpTimeoutRetrans)
    timeout = kTcpTimeoutRetrans;
  else
    timeout = full;
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

}  // namespace

uint32_t SctpCrc32c(const uint8_t* d, size_t n) {
  uint32_t crc = 0xffffffff;
  for (size_t i = 0; i < n; ++i) {
    crc ^= d[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
  }
  return ~crc;
}

namespace {

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
      const uint16_t ulen = Be16(v.transport() + 4);
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

std::string DescribeConntrack(const CtRef& ct, bool nat) {
  auto tuple = [](const CtTuple& t) {
    static constexpr std::pair<uint8_t, std::string_view> kNames[] = {
        {kTcp, "tcp"}, {kUdp, "udp"}, {kIcmp, "icmp"}, {kIcmpv6, "icmpv6"},
        {kUdplite, "udplite"}, {kSctp, "sctp"}, {kDccp, "dccp"}};
    std::string p = std::to_string(t.proto);
    for (const auto& [n, name] : kNames)
      if (n == t.proto && (n != kIcmp || t.family == Family::kIPv4)) p = name;
    std::string s = p + " " + FormatIpAddr(t.family, t.src);
    if (HasPorts(t.proto)) s += ":" + std::to_string(t.sport);
    s += " -> " + FormatIpAddr(t.family, t.dst);
    if (HasPorts(t.proto)) s += ":" + std::to_string(t.dport);
    if ((t.proto == kIcmp && t.family == Family::kIPv4) ||
        (t.proto == kIcmpv6 && t.family == Family::kIPv6))
      s += " id " + std::to_string(t.sport);
    return s;
  };
  const ConntrackEntry* e = ct.entry;
  if (nat) {
    if (!e || !(e->status & (ips::kSrcNat | ips::kDstNat))) return "";
    CtTuple inv;
    InvertTuple(e->tuple[kCtReply], &inv);
    std::string s = (e->status & ips::kSrcNat) && (e->status & ips::kDstNat) ? "SNAT+DNAT"
                    : (e->status & ips::kSrcNat)                            ? "SNAT"
                                                                              : "DNAT";
    return s + ": " + tuple(e->tuple[kCtOriginal]) + " becomes " + tuple(inv) +
           "; replies come as " + tuple(e->tuple[kCtReply]);
  }
  if (ct.untracked) return "UNTRACKED";
  if (!e) return "INVALID (no entry)";
  static constexpr std::string_view kInfo[] = {"ESTABLISHED", "RELATED", "NEW", "ESTABLISHED",
                                               "RELATED"};
  const int i = static_cast<int>(ct.info);
  std::string s = std::string(i < 5 ? kInfo[i] : "?") +
                  (ct.dir() == kCtReply ? " (reply)" : " (original)") + ", " +
                  tuple(e->tuple[kCtOriginal]);
  if (e->tuple[kCtOriginal].proto == kTcp) s += ", " + std::string(TcpCtStateName(e->tcp_state));
  if (!e->confirmed()) s += ", unconfirmed";
  if (e->mark) s += ", ctmark 0x" + [&] {
    char b[16];
    snprintf(b, sizeof b, "%x", e->mark);
    return std::string(b);
  }();
  if (e->zone) s += ", zone " + std::to_string(e->zone);
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

ConntrackEntry* ConntrackTable::Find(const CtTuple& t, CtZone zone, double now, CtDir* dir) {
  // nf_conntrack_find_get: the original direction's zone id, then the
  // reply's; the entry's zone must match for the direction found.
  const uint16_t ids[2] = {zone.Id(kCtOriginal), zone.Id(kCtReply)};
  for (int i = 0; i < 2; ++i) {
    if (i == 1 && ids[1] == ids[0]) break;
    auto it = index_.find(Key{t, ids[i]});
    if (it == index_.end()) continue;
    ConntrackEntry* e = it->second.first;
    const CtDir d = it->second.second;
    if (zone.Id(d) != ids[i]) continue;
    if (now >= e->timeout && !(e->status & ips::kFixedTimeout)) {
      Remove(e);  // nf_ct_is_expired: gone
      return nullptr;
    }
    *dir = d;
    return e;
  }
  return nullptr;
}

bool ConntrackTable::Taken(const CtTuple& t, CtZone zone, CtDir as, const ConntrackEntry* ignore,
                           double now) {
  auto it = index_.find(Key{t, zone.Id(as)});
  if (it == index_.end()) return false;
  ConntrackEntry* e = it->second.first;
  if (e == ignore || zone.Id(it->second.second) != zone.Id(as)) return false;
  if (now >= e->timeout && !(e->status & ips::kFixedTimeout)) {
    Remove(e);
    return false;
  }
  return true;
}

ConntrackEntry* ConntrackTable::Insert(std::unique_ptr<ConntrackEntry> e) {
  ConntrackEntry* p = e.get();
  p->status |= ips::kConfirmed;
  index_[Key{p->tuple[kCtOriginal], p->Zone().Id(kCtOriginal)}] = {p, kCtOriginal};
  index_[Key{p->tuple[kCtReply], p->Zone().Id(kCtReply)}] = {p, kCtReply};
  if (p->status & ips::kSrcNatDone) by_source_[SourceKey(p->tuple[kCtOriginal])].push_back(p);
  entries_.push_back(std::move(e));
  where_[p] = std::prev(entries_.end());
  return p;
}

ConntrackTable::Key ConntrackTable::SourceKey(const CtTuple& orig) {
  CtTuple k;
  k.family = orig.family;
  k.src = orig.src;
  k.sport = orig.sport;
  k.proto = orig.proto;
  return Key{k, 0};
}

std::vector<ConntrackEntry*> ConntrackTable::BySource(const CtTuple& orig) const {
  auto it = by_source_.find(SourceKey(orig));
  if (it == by_source_.end()) return {};
  return std::vector<ConntrackEntry*>(it->second.rbegin(), it->second.rend());
}

void ConntrackTable::Remove(ConntrackEntry* e) { Take(e); }

std::unique_ptr<ConntrackEntry> ConntrackTable::Take(ConntrackEntry* e) {
  for (int d = 0; d < 2; ++d) {
    auto it = index_.find(Key{e->tuple[d], e->Zone().Id(static_cast<CtDir>(d))});
    if (it != index_.end() && it->second.first == e) index_.erase(it);
  }
  auto bs = by_source_.find(SourceKey(e->tuple[kCtOriginal]));
  if (bs != by_source_.end()) {
    std::erase(bs->second, e);
    if (bs->second.empty()) by_source_.erase(bs);
  }
  auto w = where_.find(e);
  if (w == where_.end()) return nullptr;
  std::unique_ptr<ConntrackEntry> out = std::move(*w->second);
  entries_.erase(w->second);
  where_.erase(w);
  out->status |= ips::kDying;
  return out;
}

std::vector<ConntrackEntry*> ConntrackTable::Entries() const {
  std::vector<ConntrackEntry*> out;
  out.reserve(entries_.size());
  for (const auto& e : entries_) out.push_back(e.get());
  return out;
}

bool ConntrackTable::Defrag(Packet& pkt) {
  auto& b = pkt.bytes;
  std::string key;
  uint32_t off = 0;
  bool more = false;
  size_t data_at = 0, data_end = b.size();
  FragQueue part;
  if (pkt.family == Family::kIPv4) {
    if (b.size() < 20) return true;
    const uint16_t frag = Be16(b.data() + 6);
    if (!(frag & 0x3fff)) return true;
    const size_t ihl = (b[0] & 0x0f) * 4u;
    const size_t tot = Be16(b.data() + 2);
    if (ihl < 20 || tot < ihl || tot > b.size()) return true;
    off = (frag & 0x1fffu) * 8u;
    more = frag & 0x2000;
    part.df = frag & 0x4000;
    data_at = ihl;
    data_end = tot;
    key.assign(reinterpret_cast<const char*>(b.data() + 12), 8);  // src, dst
    key.append(reinterpret_cast<const char*>(b.data() + 4), 2);   // id
    key.push_back(static_cast<char>(b[9]));                        // protocol
    part.head.assign(b.begin(), b.begin() + static_cast<long>(ihl));
  } else {
    if (b.size() < 40) return true;
    uint8_t nh = b[6];
    size_t at = 40, nh_at = 6;
    while (nh == 0 || nh == 43 || nh == 60 || nh == 51) {
      if (at + 8 > b.size()) return true;
      size_t len = nh == 51 ? (b[at + 1] + 2u) * 4u : (b[at + 1] + 1u) * 8u;
      nh_at = at;
      nh = b[at];
      at += len;
    }
    if (nh != 44 || at + 8 > b.size()) return true;
    const uint16_t fo = Be16(b.data() + at + 2);
    off = fo & 0xfff8u;
    more = fo & 1;
    if (!off && !more) return true;  // an atomic fragment goes on as it is
    data_at = at + 8;
    data_end = std::min(b.size(), 40u + static_cast<size_t>(Be16(b.data() + 4)));
    key.assign(reinterpret_cast<const char*>(b.data() + 8), 32);
    key.append(reinterpret_cast<const char*>(b.data() + at + 4), 4);  // identification
    part.head.assign(b.begin(), b.begin() + static_cast<long>(at));
    part.head[nh_at] = b[at];  // the fragment header's next header moves up
    part.nexthdr_at = nh_at;
  }
  key.insert(key.begin(), static_cast<char>(pkt.family));
  FragQueue& q = frags_[key];
  if (data_end < data_at) data_end = data_at;
  q.parts.emplace_back(off, std::vector<uint8_t>(b.begin() + static_cast<long>(data_at),
                                                  b.begin() + static_cast<long>(data_end)));
  q.df = q.df || part.df;
  if (off == 0) {
    q.head = std::move(part.head);
    q.nexthdr_at = part.nexthdr_at;
  }
  if (!more) {
    q.have_last = true;
    q.total = off + static_cast<uint32_t>(data_end - data_at);
  }
  if (!q.have_last || q.head.empty()) return false;
  // Complete when the parts cover 0..total without a hole.
  std::sort(q.parts.begin(), q.parts.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  uint32_t covered = 0;
  for (const auto& p : q.parts)
    if (p.first <= covered) covered = std::max<uint32_t>(covered, p.first + static_cast<uint32_t>(p.second.size()));
  if (covered < q.total) return false;
  std::vector<uint8_t> data(q.total);
  for (const auto& p : q.parts)
    for (size_t i = 0; i < p.second.size() && p.first + i < q.total; ++i) data[p.first + i] = p.second[i];
  std::vector<uint8_t> out = q.head;
  out.insert(out.end(), data.begin(), data.end());
  if (pkt.family == Family::kIPv4) {
    const size_t tot = out.size();
    out[2] = static_cast<uint8_t>(tot >> 8);
    out[3] = static_cast<uint8_t>(tot);
    out[6] = q.df ? 0x40 : 0;  // ip_frag_reasm: DF if a fragment had it
    out[7] = 0;
    out[10] = out[11] = 0;
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < q.head.size(); i += 2) sum += static_cast<uint32_t>(out[i] << 8 | out[i + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    out[10] = static_cast<uint8_t>(~sum >> 8);
    out[11] = static_cast<uint8_t>(~sum);
  } else {
    const size_t pl = out.size() - 40;
    out[4] = static_cast<uint8_t>(pl >> 8);
    out[5] = static_cast<uint8_t>(pl);
  }
  frags_.erase(key);
  b = std::move(out);
  return true;
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
    e->zone_dir = ref_.tmpl_zone_dir;
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
  if (ref_.untracked || ref_.entry) return;
  if (ref_.tmpl_notrack) {
    ref_.untracked = true;
    ref_.info = CtInfo::kUntracked;
    return;
  }
  const PacketView v = PacketView::Of(pkt);
  // A fragment left after defragmentation is a malformed datagram (the IP
  // layer would have dropped it): no entry.
  if (v.is_fragment) return;
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
      ref_.untracked = true;
      ref_.info = CtInfo::kUntracked;
      return;
    }
  }
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
      n->zone = zone.id;
      n->zone_dir = zone.dir;
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
      const TcpResult r = TcpPacket(*e, dir, fresh, ReadTcp(v), table_.settings, now_);
      if (r == TcpResult::kRepeat && attempt == 0) {
        table_.Remove(e);  // a SYN reopening a closed connection: look up again
        continue;
      }
      if (r == TcpResult::kInvalid || r == TcpResult::kRepeat) {
        if (fresh) unconfirmed_.reset();
        return;
      }
      if (r == TcpResult::kIgnore || r == TcpResult::kAcceptNoRefresh) {
        ref_.entry = e;
        ref_.info = info;
        // No accounting, no timeout refresh (an ignored packet, a SYN
        // retransmission); nf_conntrack_in still notes the reply.
        if (info == CtInfo::kEstablishedReply) e->status |= ips::kSeenReply;
        return;
      }
      if (r == TcpResult::kKill) {
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
    } else if (t.proto == kSctp) {
      const SctpResult r = SctpPacket(*e, dir, fresh, v.transport(), v.transport_size(), now_);
      if (r == SctpResult::kInvalid) {
        if (fresh) unconfirmed_.reset();
        return;
      }
      if (r == SctpResult::kIgnore) {
        ref_.entry = e;
        ref_.info = info;
        if (info == CtInfo::kEstablishedReply) e->status |= ips::kSeenReply;
        return;  // accepted, the timeout not renewed (and no accounting)
      }
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
    }
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
