// The SCTP connection tracker (nf_conntrack_proto_sctp.c): the chunk walk
// and its basic checks, the state table per chunk type, the verification
// tags of both directions (RFC 4960 8.5) and the timeouts; and the CRC32c
// that sctp_error checks (and NAT writes anew).
#include <vector>

#include "base/bytes.h"
#include "engine/conntrack_trackers.h"

namespace iptsim {
namespace conntrack_internal {

namespace {

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
    const uint16_t len = GetBe16(p + off + 2);
    if (type == kSctpInit || type == kSctpInitAck || type == kSctpShutdownComplete) flag = true;
    if (((type == kSctpCookieAck || type == kSctpCookieEcho || flag) && count != 0) || !len)
      return false;
    map[type / 32] |= 1u << (type % 32);
    out->push_back({type, flags, off});
    off += (len + 3u) & ~3u;
  }
  return count != 0;
}

bool HasChunk(const uint32_t map[8], uint8_t type) { return (map[type / 32] >> (type % 32)) & 1; }

// The initiate tag of an INIT or INIT_ACK chunk; false when the chunk is cut
// short.
bool InitTag(const uint8_t* p, size_t n, const SctpChunk& c, uint32_t* tag) {
  if (c.off + 4 + 16 > n) return false;
  *tag = GetBe32(p + c.off + 4);
  return true;
}

// sctp_new: a fresh entry from the packet's chunks, noting the tags the
// chunks reveal.  False: the packet cannot start an association.
bool SctpNew(ConntrackEntry& e, const std::vector<SctpChunk>& chunks, const uint32_t map[8],
             uint32_t vtag, const uint8_t* p, size_t n) {
  // An out-of-the-blue packet with these chunks is discarded (8.4).
  if (HasChunk(map, kSctpAbort) || HasChunk(map, kSctpShutdownComplete) ||
      HasChunk(map, kSctpCookieAck))
    return false;
  for (const SctpChunk& c : chunks) {
    const uint8_t ns = SctpNewState(kCtOriginal, cNO, c.type);
    if (ns == cNO || ns == cIV) return false;
    if (c.type == kSctpInit) {
      uint32_t tag;
      if (vtag || !InitTag(p, n, c, &tag)) return false;
      e.sctp_vtag[kCtReply] = tag;
    } else if (c.type == kSctpHeartbeat) {
      e.sctp_vtag[kCtOriginal] = vtag;
    } else if (c.type == kSctpShutdownAck) {
      e.sctp_vtag[kCtReply] = vtag;
    }
    e.sctp_state = cNO;
  }
  return true;
}

constexpr uint8_t kFlagT = 1, kHeartbeatVtagFailed = 1;

enum class ChunkTag { kOk, kInvalid, kIgnore };

// The verification tag rules of one chunk: INIT carries none, ABORT and
// SHUTDOWN_COMPLETE may carry the peer's (T bit), COOKIE_ECHO needs the
// direction's; HEARTBEAT and HEARTBEAT_ACK learn a missing tag, and a
// mismatching HEARTBEAT is ignored until a HEARTBEAT_ACK of the other
// direction confirms the new tags.  `ignoring`: an earlier chunk was
// ignored.
ChunkTag SctpCheckChunkTag(ConntrackEntry& e, CtDir dir, const SctpChunk& c, uint32_t vtag,
                           bool has_data, bool ignoring) {
  if (c.type == kSctpInit) {
    if (vtag != 0) return ChunkTag::kInvalid;
  } else if (c.type == kSctpAbort || c.type == kSctpShutdownComplete) {
    if ((!(c.flags & kFlagT) && vtag != e.sctp_vtag[dir]) ||
        ((c.flags & kFlagT) && vtag != e.sctp_vtag[!dir]))
      return ChunkTag::kInvalid;
  } else if (c.type == kSctpCookieEcho) {
    if (vtag != e.sctp_vtag[dir]) return ChunkTag::kInvalid;
  } else if (c.type == kSctpCookieAck) {
    e.sctp_init[0] = e.sctp_init[1] = false;
  } else if (c.type == kSctpHeartbeat) {
    if (e.sctp_vtag[dir] == 0) {
      e.sctp_vtag[dir] = vtag;
    } else if (vtag != e.sctp_vtag[dir]) {
      if (has_data || ignoring) return ChunkTag::kInvalid;
      e.sctp_flags |= kHeartbeatVtagFailed;
      e.sctp_last_dir = dir;
      return ChunkTag::kIgnore;
    } else {
      e.sctp_flags &= ~kHeartbeatVtagFailed;
    }
  } else if (c.type == kSctpHeartbeatAck) {
    if (e.sctp_vtag[dir] == 0) {
      e.sctp_vtag[dir] = vtag;
    } else if (vtag != e.sctp_vtag[dir]) {
      if (has_data || ignoring) return ChunkTag::kInvalid;
      if (!(e.sctp_flags & kHeartbeatVtagFailed) || e.sctp_last_dir == dir)
        return ChunkTag::kInvalid;
      e.sctp_flags &= ~kHeartbeatVtagFailed;
      e.sctp_vtag[dir] = vtag;
      e.sctp_vtag[!dir] = 0;
    } else {
      e.sctp_flags &= ~kHeartbeatVtagFailed;
    }
  }
  return ChunkTag::kOk;
}

// The tags an INIT or INIT_ACK chunk announces for the other direction,
// after the state change from `old_state` to `new_state`.  False: the
// chunk is invalid (cut short, or an INIT_ACK whose tag contradicts the
// INIT seen, an INIT collision).  *ignore: an INIT retransmitted on a closed
// entry renews no timeout.
bool SctpRecordInitTags(ConntrackEntry& e, CtDir dir, bool fresh, const SctpChunk& c,
                        const uint8_t* p, size_t n, uint8_t old_state, uint8_t new_state,
                        bool* ignore) {
  if (c.type == kSctpInit) {
    uint32_t tag;
    if (!InitTag(p, n, c, &tag)) return false;
    // A stale or retransmitted INIT (the peer's tag) is not recorded.
    if (old_state == cNO || e.sctp_vtag[!dir] != tag) {
      if (e.sctp_init[dir] && e.sctp_init[!dir]) e.sctp_init[!dir] = false;
      e.sctp_init[dir] = true;
    }
    e.sctp_vtag[!dir] = tag;
    // No timeout renewal for an INIT retransmitted on a closed entry.
    if (new_state == cCL && old_state == cCL && !fresh) *ignore = true;
  } else if (c.type == kSctpInitAck) {
    uint32_t tag;
    if (!InitTag(p, n, c, &tag)) return false;
    const uint32_t v = e.sctp_vtag[!dir];
    if (!e.sctp_init[!dir] && v && v != tag) return false;
    if (e.sctp_init[dir] && e.sctp_init[!dir] && v != tag) return false;  // collision
    e.sctp_vtag[!dir] = tag;
  }
  return true;
}

}  // namespace

SctpResult SctpPacket(ConntrackEntry& e, CtDir dir, bool fresh, const uint8_t* p, size_t n,
                      double now) {
  std::vector<SctpChunk> chunks;
  uint32_t map[8] = {};
  if (!SctpChunks(p, n, &chunks, map)) return SctpResult::kInvalid;
  const uint32_t vtag = GetBe32(p + 4);
  if (fresh && !SctpNew(e, chunks, map, vtag, p, n)) return SctpResult::kInvalid;
  // The verification tag (8.5).
  auto has = [&](uint8_t t) { return HasChunk(map, t); };
  if (!has(kSctpInit) && !has(kSctpShutdownComplete) && !has(kSctpCookieEcho) &&
      !has(kSctpAbort) && !has(kSctpShutdownAck) && !has(kSctpHeartbeat) &&
      !has(kSctpHeartbeatAck) && vtag != e.sctp_vtag[dir])
    return SctpResult::kInvalid;
  uint8_t old_state = cNO, new_state = cNO;
  bool ignore = false;
  for (const SctpChunk& c : chunks) {
    const ChunkTag tag = SctpCheckChunkTag(e, dir, c, vtag, has(kSctpData), ignore);
    if (tag == ChunkTag::kInvalid) return SctpResult::kInvalid;
    if (tag == ChunkTag::kIgnore) {
      ignore = true;
      continue;
    }
    old_state = e.sctp_state;
    new_state = SctpNewState(dir, old_state, c.type);
    if (new_state == cIV) return SctpResult::kInvalid;
    if (!SctpRecordInitTags(e, dir, fresh, c, p, n, old_state, new_state, &ignore))
      return SctpResult::kInvalid;
    e.sctp_state = new_state;
    if (old_state != new_state && new_state == cES) e.status |= ips::kAssured;
  }
  if (ignore) return SctpResult::kIgnore;
  if (!(e.status & ips::kFixedTimeout)) e.timeout = now + kSctpTimeouts[new_state];
  return SctpResult::kAccept;
}

}  // namespace conntrack_internal

uint32_t SctpCrc32c(const uint8_t* d, size_t n) {
  uint32_t crc = 0xffffffff;
  for (size_t i = 0; i < n; ++i) {
    crc ^= d[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
  }
  return ~crc;
}

}  // namespace iptsim
