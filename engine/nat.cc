#include "engine/nat.h"

#include <cstring>

#include "base/bytes.h"
#include "base/checksum.h"
#include "base/jhash.h"
#include "engine/host.h"
#include "engine/run_state.h"

namespace iptsim {

namespace {

constexpr uint8_t kTcp = 6, kUdp = 17, kIcmp = 1, kIcmpv6 = 58, kUdplite = 136, kSctp = 132;
constexpr uint32_t kRandomAll = kNatProtoRandom | kNatProtoRandomFully;

bool IsIcmp(const CtTuple& t) {
  return (t.proto == kIcmp && t.family == Family::kIPv4) ||
         (t.proto == kIcmpv6 && t.family == Family::kIPv6);
}
bool HasPorts(uint8_t p) {
  // DCCP: tracked by the generic tracker (no ports in the tuple) since the
  // kernel removed its DCCP support (6.16), so NAT rewrites no DCCP port.
  return p == kTcp || p == kUdp || p == kUdplite || p == kSctp;
}

// An address as the kernel's u32 words (network byte order in memory, read
// as host (little-endian) integers, as `(__force u32)` does on x86).
void Words(const IpAddr& a, uint32_t w[4]) { memcpy(w, a.b.data(), 16); }
uint32_t BeWord(const IpAddr& a, int i) {
  const uint8_t* p = a.b.data() + 4 * i;
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}
void SetBeWord(IpAddr& a, int i, uint32_t v) {
  uint8_t* p = a.b.data() + 4 * i;
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

int AddrCmp(Family f, const IpAddr& a, const IpAddr& b) {
  return memcmp(a.b.data(), b.b.data(), static_cast<size_t>(AddrLen(f)));
}

// ------------------------------------------------------------ get_unique_tuple

struct NatEnv {
  ConntrackTable& table;
  ConntrackEntry& ct;
  double now;
  RunState* run;
};

uint16_t RandomU16(NatEnv& env) {
  if (!env.run) return 0;
  return static_cast<uint16_t>(env.run->rng()());
}

// nf_nat_used_tuple: the reply of `t` is some other confirmed entry's tuple.
bool UsedTuple(NatEnv& env, const CtTuple& t) {
  CtTuple reply;
  if (!InvertTuple(t, &reply)) return false;
  return env.table.Taken(reply, env.ct.Zone(), kCtReply, &env.ct, env.now);
}

// nf_nat_used_tuple_harder: in the last attempts of a port search for a
// new TCP connection (SYN_SENT), an entry holding the tuple is evicted
// when it is closing (TIME_WAIT or later), was source-NATed, and the new
// connection's sequence number has advanced past its own.
bool UsedTupleHarder(NatEnv& env, const CtTuple& t, uint32_t attempts_left) {
  constexpr uint32_t kHarderThresh = 128 / 4;
  if (attempts_left > kHarderThresh || t.proto != kTcp ||
      env.ct.tcp_state != TcpCtState::kSynSent)
    return UsedTuple(env, t);
  CtTuple reply;
  if (!InvertTuple(t, &reply)) return false;
  CtDir dir;
  ConntrackEntry* other = env.table.Find(reply, env.ct.Zone(), env.now, &dir);
  if (!other || other == &env.ct) return false;
  if (dir == kCtOriginal) return true;
  // nf_nat_may_kill
  if (other->tcp_state < TcpCtState::kTimeWait) return true;
  if (other->status & (ips::kFixedTimeout | ips::kDying)) return true;
  if (!(other->status & ips::kSrcNat)) return true;
  // nf_seq_has_advanced
  if (static_cast<int32_t>(env.ct.tcp[0].end - other->tcp[0].end) <= 0) return true;
  env.table.Remove(other);
  return false;
}

bool L4InRange(const CtTuple& t, NatManip m, const NatRange& r) {
  uint16_t v;
  if (IsIcmp(t)) v = t.sport;
  else if (HasPorts(t.proto)) v = m == NatManip::kSrc ? t.sport : t.dport;
  else return true;
  return v >= r.min_port && v <= r.max_port;
}

// nf_in_range (source part).
bool InRange(const CtTuple& t, const NatRange& r) {
  if (r.flags & kNatMapIps) {
    if (AddrCmp(t.family, t.src, r.min_addr) < 0 || AddrCmp(t.family, t.src, r.max_addr) > 0)
      return false;
  }
  if (!(r.flags & kNatProtoSpecified)) return true;
  return L4InRange(t, NatManip::kSrc, r);
}

// find_appropriate_src: another connection from the same source (address,
// port, protocol) already mapped: reuse its mapping if it is in range.
bool FindAppropriateSrc(NatEnv& env, const CtTuple& t, const NatRange& r, CtTuple* result) {
  for (ConntrackEntry* e : env.table.BySource(t)) {
    if (e == &env.ct || !(e->status & ips::kSrcNatDone) ||
        e->Zone().Id(kCtOriginal) != env.ct.Zone().Id(kCtOriginal))
      continue;
    const CtTuple& o = e->tuple[kCtOriginal];
    if (o.src == t.src && o.sport == t.sport && o.proto == t.proto) {
      CtTuple inv;
      if (!InvertTuple(e->tuple[kCtReply], &inv)) continue;
      inv.dst = t.dst;
      inv.dport = t.dport;
      if (IsIcmp(t)) inv.dport = t.dport;
      if (InRange(inv, r)) {
        *result = inv;
        return true;
      }
    }
  }
  return false;
}

// find_best_ips_proto: the address from a hash of the tuple's addresses.
void FindBestIps(NatEnv& env, CtTuple* t, const NatRange& r, NatManip m) {
  if (!(r.flags & kNatMapIps)) return;
  IpAddr& var = m == NatManip::kSrc ? t->src : t->dst;
  if (r.min_addr == r.max_addr) {
    var = r.min_addr;
    return;
  }
  const int max = t->family == Family::kIPv4 ? 0 : 3;
  uint32_t src[4], dst[4];
  Words(t->src, src);
  Words(t->dst, dst);
  uint32_t j = Jhash2(src, 4, (r.flags & kNatPersistent) ? 0 : dst[max] ^ env.ct.zone);
  bool full_range = false;
  for (int i = 0; i <= max; ++i) {
    uint32_t minip, dist;
    if (!full_range) {
      minip = BeWord(r.min_addr, i);
      uint32_t maxip = BeWord(r.max_addr, i);
      dist = maxip - minip + 1;
    } else {
      minip = 0;
      dist = ~0u;
    }
    SetBeWord(var, i, minip + static_cast<uint32_t>((static_cast<uint64_t>(j) * dist) >> 32));
    if (BeWord(var, i) != BeWord(r.max_addr, i)) full_range = true;
    if (!(r.flags & kNatPersistent)) {
      uint32_t w[4];
      Words(t->dst, w);
      j ^= w[i];
    }
  }
}

// nf_nat_l4proto_unique_tuple: a free port (ICMP id) of the range.
void L4UniqueTuple(NatEnv& env, CtTuple* t, const NatRange& r, NatManip m) {
  uint16_t* key;
  uint32_t min, range_size;
  if (IsIcmp(*t)) {
    key = &t->sport;
    if (!(r.flags & kNatProtoSpecified)) {
      min = 0;
      range_size = 65536;
    } else {
      min = r.min_port;
      range_size = static_cast<uint32_t>(r.max_port) - r.min_port + 1;
    }
  } else if (HasPorts(t->proto)) {
    key = m == NatManip::kSrc ? &t->sport : &t->dport;
    if (!(r.flags & kNatProtoSpecified)) {
      if (m == NatManip::kDst) return;  // a destination port is not changed
      if (*key < 1024) {
        if (*key < 512) {
          min = 1;
          range_size = 511;
        } else {
          min = 600;
          range_size = 1023 - 600 + 1;
        }
      } else {
        min = 1024;
        range_size = 65535 - 1024 + 1;
      }
    } else {
      uint32_t lo = r.min_port, hi = r.max_port;
      if (hi < lo) std::swap(lo, hi);
      min = lo;
      range_size = hi - lo + 1;
    }
  } else {
    return;
  }
  uint32_t off;
  if (r.flags & kNatProtoOffset) {
    off = static_cast<uint16_t>(*key - r.base_port);
  } else if ((r.flags & kRandomAll) || m != NatManip::kDst) {
    // The kernel starts at a random offset (get_random_u16): the run's
    // generator, reproducible with --seed.
    off = RandomU16(env);
  } else {
    off = 0;
  }
  uint32_t attempts = range_size > 128 ? 128 : range_size;
  for (;;) {
    for (uint32_t i = 0; i < attempts; ++i, ++off) {
      *key = static_cast<uint16_t>(min + off % range_size);
      if (!UsedTupleHarder(env, *t, attempts - i)) return;
    }
    if (attempts >= range_size || attempts < 16) return;
    attempts /= 2;
    off = RandomU16(env);
  }
}

void GetUniqueTuple(NatEnv& env, CtTuple* tuple, const CtTuple& orig, const NatRange& r,
                    NatManip m) {
  // 1) Source NAT: keep the original tuple, or another connection's
  //    mapping of the same source, when in range and unique.
  if (m == NatManip::kSrc && !(r.flags & kRandomAll)) {
    if (InRange(orig, r)) {
      if (!UsedTuple(env, orig)) {
        *tuple = orig;
        return;
      }
    } else if (FindAppropriateSrc(env, orig, r, tuple)) {
      if (!UsedTuple(env, *tuple)) return;
    }
  }
  // 2) The address.
  *tuple = orig;
  FindBestIps(env, tuple, r, m);
  // 3) The port, only if not already in range and unique.
  if (!(r.flags & kRandomAll)) {
    if (r.flags & kNatProtoSpecified) {
      if (!(r.flags & kNatProtoOffset) && L4InRange(*tuple, m, r) &&
          (r.min_port == r.max_port || !UsedTuple(env, *tuple)))
        return;
    } else if (!UsedTuple(env, *tuple)) {
      return;
    }
  }
  L4UniqueTuple(env, tuple, r, m);
}

// nf_nat_setup_info.
void SetupInfo(NatEnv& env, const NatRange& range, NatManip m) {
  ConntrackEntry& ct = env.ct;
  if (ct.confirmed()) return;
  CtTuple curr, fresh;
  if (!InvertTuple(ct.tuple[kCtReply], &curr)) return;
  GetUniqueTuple(env, &fresh, curr, range, m);
  if (!(fresh == curr)) {
    CtTuple reply;
    InvertTuple(fresh, &reply);
    ct.tuple[kCtReply] = reply;
    ct.status |= m == NatManip::kSrc ? ips::kSrcNat : ips::kDstNat;
  }
  ct.status |= m == NatManip::kSrc ? ips::kSrcNatDone : ips::kDstNatDone;
}

// ---------------------------------------------------------------- checksums

// RFC 1624 eqn. 3 over 16-bit words: HC' = ~(~HC + ~m + m').
void CsumReplace(uint8_t* check, const uint8_t* from, const uint8_t* to, size_t n) {
  uint32_t sum = static_cast<uint16_t>(~(check[0] << 8 | check[1]));
  for (size_t i = 0; i + 1 < n; i += 2) {
    sum += static_cast<uint16_t>(~(from[i] << 8 | from[i + 1]));
    sum += static_cast<uint16_t>(to[i] << 8 | to[i + 1]);
  }
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  uint16_t r = static_cast<uint16_t>(~sum);
  check[0] = static_cast<uint8_t>(r >> 8);
  check[1] = static_cast<uint8_t>(r);
}

// The full ICMP (ICMPv6 with its pseudo header) checksum of an ICMP message.
void IcmpChecksum(Packet& pkt, size_t thoff) {
  auto& b = pkt.bytes;
  if (thoff + 4 > b.size()) return;
  b[thoff + 2] = b[thoff + 3] = 0;
  const size_t len = b.size() - thoff;
  uint32_t sum = pkt.family == Family::kIPv6
                     ? ChecksumPseudoHeader(b.data() + 8, b.data() + 24, 16, kIcmpv6,
                                            static_cast<uint32_t>(len))
                     : 0;
  PutBe16(&b[thoff + 2], ChecksumFinish(ChecksumAdd(sum, b.data() + thoff, len)));
}

void ManipDatagram(Packet& p, const CtTuple& target, NatManip m) {
  const PacketView v = PacketView::Of(p);
  auto& b = p.bytes;
  const bool v4 = p.family == Family::kIPv4;
  const size_t alen = v4 ? 4 : 16;
  const size_t aoff = v4 ? (m == NatManip::kSrc ? 12 : 16) : (m == NatManip::kSrc ? 8 : 24);
  if (b.size() < aoff + alen) return;
  const IpAddr& na = m == NatManip::kSrc ? target.src : target.dst;
  uint8_t old_addr[16];
  memcpy(old_addr, b.data() + aoff, alen);
  // The transport part first (it needs the old address for the pseudo
  // header update).
  const size_t th = v.thoff;
  const size_t tn = v.transport_size();
  const bool first = !(v.is_fragment && v.fragoff);
  if (first && v.l4proto_found) {
    uint8_t proto = v.l4proto;
    uint16_t nport = m == NatManip::kSrc ? target.sport : target.dport;
    const uint8_t np[2] = {static_cast<uint8_t>(nport >> 8), static_cast<uint8_t>(nport)};
    const size_t poff = th + (m == NatManip::kSrc ? 0 : 2);
    auto pseudo = [&](size_t coff) {
      CsumReplace(b.data() + coff, old_addr, na.b.data(), alen);
    };
    if (proto == kTcp && tn >= 8) {
      bool full = tn >= 20;
      if (full) {
        pseudo(th + 16);
        CsumReplace(b.data() + th + 16, b.data() + poff, np, 2);
      }
      b[poff] = np[0];
      b[poff + 1] = np[1];
    } else if ((proto == kUdp || proto == kUdplite) && tn >= 8) {
      bool update = proto == kUdplite || b[th + 6] || b[th + 7];
      if (update) {
        pseudo(th + 6);
        CsumReplace(b.data() + th + 6, b.data() + poff, np, 2);
        if (!b[th + 6] && !b[th + 7]) b[th + 6] = b[th + 7] = 0xff;  // CSUM_MANGLED_0
      }
      b[poff] = np[0];
      b[poff + 1] = np[1];
    } else if (proto == kSctp && tn >= 4) {
      b[poff] = np[0];
      b[poff + 1] = np[1];
      if (tn >= 12) {
        // sctp_manip_pkt: the CRC32c over the whole SCTP packet again.
        b[th + 8] = b[th + 9] = b[th + 10] = b[th + 11] = 0;
        const uint32_t crc = SctpCrc32c(b.data() + th, tn);
        b[th + 8] = static_cast<uint8_t>(crc);
        b[th + 9] = static_cast<uint8_t>(crc >> 8);
        b[th + 10] = static_cast<uint8_t>(crc >> 16);
        b[th + 11] = static_cast<uint8_t>(crc >> 24);
      }
    } else if (proto == kIcmp && v4 && tn >= 8) {
      uint8_t type = b[th];
      bool has_id = type == 0 || type == 8 || type == 13 || type == 14 || type == 15 ||
                    type == 16 || type == 17 || type == 18;
      if (has_id) {
        const uint8_t nid[2] = {static_cast<uint8_t>(target.sport >> 8),
                                static_cast<uint8_t>(target.sport)};
        CsumReplace(b.data() + th + 2, b.data() + th + 4, nid, 2);
        b[th + 4] = nid[0];
        b[th + 5] = nid[1];
      }
    } else if (proto == kIcmpv6 && !v4 && tn >= 8) {
      pseudo(th + 2);
      uint8_t type = b[th];
      if (type == 128 || type == 129) {
        const uint8_t nid[2] = {static_cast<uint8_t>(target.sport >> 8),
                                static_cast<uint8_t>(target.sport)};
        CsumReplace(b.data() + th + 2, b.data() + th + 4, nid, 2);
        b[th + 4] = nid[0];
        b[th + 5] = nid[1];
      }
    }
  }
  if (v4) CsumReplace(b.data() + 10, old_addr, na.b.data(), 4);
  memcpy(b.data() + aoff, na.b.data(), alen);
}

}  // namespace

void NatManipPacket(Packet& pkt, size_t l3off, const CtTuple& target, NatManip manip) {
  if (l3off == 0) {
    ManipDatagram(pkt, target, manip);
    return;
  }
  if (l3off >= pkt.bytes.size()) return;
  Packet inner;
  inner.family = pkt.family;
  inner.bytes.assign(pkt.bytes.begin() + static_cast<long>(l3off), pkt.bytes.end());
  ManipDatagram(inner, target, manip);
  std::copy(inner.bytes.begin(), inner.bytes.end(), pkt.bytes.begin() + static_cast<long>(l3off));
}

TargetVerdict NatSetup(const NatRange& range, NatManip manip, EvalContext& ctx) {
  if (!ctx.ct || !ctx.ct->entry || !ctx.ct->packet) return TargetVerdict::kAccept;
  ConntrackPacket& cp = *ctx.ct->packet;
  NatEnv env{cp.table(), *ctx.ct->entry, cp.now(), ctx.run ? ctx.run : cp.run()};
  SetupInfo(env, range, manip);
  return TargetVerdict::kAccept;
}

TargetVerdict NatMasquerade(const NatRange& range, const Packet& pkt, EvalContext& ctx) {
  if (!ctx.ct || !ctx.ct->entry || !ctx.ct->packet) return TargetVerdict::kAccept;
  const ConntrackEntry& e = *ctx.ct->entry;
  if (e.tuple[kCtOriginal].src == IpAddr()) return TargetVerdict::kAccept;  // 0.0.0.0: local
  const ConntrackHostHooks* host = ctx.ct->packet->host();
  std::optional<IpAddr> addr;
  if (host && host->iface_address)
    addr = host->iface_address(pkt.out, pkt.family, e.tuple[kCtOriginal].dst);
  if (!addr && host && host->iface_address) {
    // nf_nat_masquerade_ipv4: "... ate my IP address": NF_DROP.
    return TargetVerdict::kDrop;
  }
  if (!addr) {
    ctx.unknown_reason = "MASQUERADE takes the address of the output interface '" +
                         std::string(pkt.out.view()) +
                         "', which iptsim does not know without a host model (--host)";
    return TargetVerdict::kUnknown;
  }
  NatRange r = range;
  r.flags |= kNatMapIps;
  r.min_addr = r.max_addr = *addr;
  if (!ctx.ct->entry->confirmed()) ctx.ct->entry->masq_dev = pkt.out;
  return NatSetup(r, NatManip::kSrc, ctx);
}

TargetVerdict NatRedirect(const NatRange& range, const Packet& pkt, EvalContext& ctx) {
  if (!ctx.ct || !ctx.ct->entry || !ctx.ct->packet) return TargetVerdict::kAccept;
  IpAddr addr;
  if (ctx.hook == Hook::kLocalOut) {
    // Locally generated packets go to the loopback address.
    if (pkt.family == Family::kIPv4) addr.b[0] = 127, addr.b[3] = 1;
    else addr.b[15] = 1;
  } else {
    const ConntrackHostHooks* host = ctx.ct->packet->host();
    std::optional<IpAddr> a;
    if (host && host->primary_address) {
      a = host->primary_address(pkt.in, pkt.family);
      if (!a) return TargetVerdict::kDrop;  // nf_nat_redirect: no address, NF_DROP
    }
    if (!a) {
      ctx.unknown_reason = "REDIRECT takes the primary address of the input interface '" +
                           std::string(pkt.in.view()) +
                           "', which iptsim does not know without a host model (--host)";
      return TargetVerdict::kUnknown;
    }
    addr = *a;
  }
  NatRange r = range;
  r.flags |= kNatMapIps;
  r.min_addr = r.max_addr = addr;
  return NatSetup(r, NatManip::kDst, ctx);
}

TargetVerdict NatNetmap(const NatRange& range, const PacketView& view, EvalContext& ctx) {
  if (!ctx.ct || !ctx.ct->entry) return TargetVerdict::kAccept;
  const NatManip m = HookManip(ctx.hook);
  const IpAddr cur = m == NatManip::kDst ? view.dst() : view.src();
  IpAddr n;
  for (int i = 0; i < 16; ++i) {
    uint8_t mask = static_cast<uint8_t>(~(range.min_addr.b[i] ^ range.max_addr.b[i]));
    n.b[i] = static_cast<uint8_t>((cur.b[i] & ~mask) | (range.min_addr.b[i] & mask));
  }
  NatRange r = range;
  r.flags |= kNatMapIps;
  r.min_addr = r.max_addr = n;
  return NatSetup(r, m, ctx);
}

// ----------------------------------------------------- the nat hook itself

bool ConntrackPacket::NatBefore(Hook hook) const {
  if (!ref_.entry || related_icmp_) return false;
  if (ref_.info != CtInfo::kNew && ref_.info != CtInfo::kRelated &&
      ref_.info != CtInfo::kRelatedReply)
    return false;
  const uint32_t done = HookManip(hook) == NatManip::kSrc ? ips::kSrcNatDone : ips::kDstNatDone;
  return !(ref_.entry->status & done);
}

ConntrackPacket::NatStep ConntrackPacket::NatAfter(Hook hook, Packet& pkt, bool chain_ran,
                                                   std::string* reason) {
  ConntrackEntry* e = ref_.entry;
  if (!e) return NatStep::kGo;
  const NatManip m = HookManip(hook);
  const CtDir dir = ref_.dir();
  uint32_t statusbit = m == NatManip::kSrc ? ips::kSrcNat : ips::kDstNat;
  if (dir == kCtReply) statusbit ^= ips::kSrcNat | ips::kDstNat;
  if (related_icmp_) {
    // nf_nat_icmp_reply_translation: the embedded packet is translated as
    // the connection's packet of the other direction, then the outer
    // header as a reply to it.  A redirect about a connection with NAT
    // (or whose NAT is not set up yet) is dropped.
    const PacketView v = PacketView::Of(pkt);
    if (pkt.family == Family::kIPv4 && v.transport_size() >= 1 && v.transport()[0] == 5 &&
        ((e->status & (ips::kSrcNatDone | ips::kDstNatDone)) !=
             (ips::kSrcNatDone | ips::kDstNatDone) ||
         (e->status & (ips::kSrcNat | ips::kDstNat)))) {
      *reason =
          "an ICMP redirect about a NATed connection (nf_nat_icmp_reply_translation drops it)";
      return NatStep::kDrop;
    }
    if (!(e->status & statusbit)) return NatStep::kGo;
    const CtTuple& other = e->tuple[!dir];
    NatManipPacket(pkt, v.thoff + 8u, other,
                   m == NatManip::kSrc ? NatManip::kDst : NatManip::kSrc);
    IcmpChecksum(pkt, v.thoff);
    CtTuple target;
    InvertTuple(other, &target);
    NatManipPacket(pkt, 0, target, m);
    if (m == NatManip::kDst) dst_rewritten_ = true;
    return NatStep::kGo;
  }
  // nf_nat_oif_changed: a masqueraded connection whose packets now leave
  // by another device is killed, the packet dropped.
  if (!chain_ran && hook == Hook::kPostRouting && dir == kCtOriginal && !e->masq_dev.empty() &&
      !(e->masq_dev == pkt.out.view())) {
    *reason = "the masqueraded connection now leaves by another device: the kernel kills it";
    if (e->confirmed()) dying_ = table_.Take(e);
    else e->status |= ips::kDying;
    return NatStep::kDrop;
  }
  const uint32_t done = m == NatManip::kSrc ? ips::kSrcNatDone : ips::kDstNatDone;
  if (chain_ran && !(e->status & done)) {
    // nf_nat_alloc_null_binding: no NAT target ran, the connection keeps
    // its address (but may still get another port on a clash).
    NatRange r;
    r.flags = kNatMapIps;
    r.min_addr = r.max_addr =
        m == NatManip::kSrc ? e->tuple[kCtReply].dst : e->tuple[kCtReply].src;
    NatEnv env{table_, *e, now_, run_};
    SetupInfo(env, r, m);
  }
  if (e->status & statusbit) {
    // nf_nat_manip_pkt: the packet gets the other direction's tuple,
    // inverted.
    CtTuple target;
    if (InvertTuple(e->tuple[!dir], &target)) {
      NatManipPacket(pkt, 0, target, m);
      if (m == NatManip::kDst) dst_rewritten_ = true;
    }
  }
  return NatStep::kGo;
}

namespace {

bool IsLinkLocal6(const IpAddr& a) { return a.b[0] == 0xfe && (a.b[1] & 0xc0) == 0x80; }

}  // namespace

ConntrackHostHooks HostHooksFor(const HostModel* host) {
  ConntrackHostHooks h;
  if (!host) return h;
  // inet_select_addr(dev, nexthop, RT_SCOPE_UNIVERSE): the first address
  // of the device whose subnet holds the next hop, else its first one
  // (IPv6: link-local addresses only when there is nothing else).
  h.iface_address = [host](const IfaceName& dev, Family f,
                           const IpAddr& dst) -> std::optional<IpAddr> {
    const HostIface* i = host->FindIface(dev.view());
    if (!i) return std::nullopt;
    IpAddr nh = dst;
    if (const HostRoute* r = host->Lookup(f, dst, host->IfaceIndex(dev.view())))
      if (r->via) nh = *r->via;
    std::optional<IpAddr> first, first_ll;
    for (const HostAddr& a : i->addrs) {
      if (a.family != f) continue;
      if (f == Family::kIPv6 && IsLinkLocal6(a.addr)) {
        if (!first_ll) first_ll = a.addr;
        continue;
      }
      IpPrefix p{a.addr, PrefixMask(f, a.prefix_len)};
      if (PrefixContains(p, nh)) return a.addr;
      if (!first) first = a.addr;
    }
    return first ? first : first_ll;
  };
  h.primary_address = [host](const IfaceName& dev, Family f) -> std::optional<IpAddr> {
    const HostIface* i = host->FindIface(dev.view());
    if (!i) return std::nullopt;
    for (const HostAddr& a : i->addrs)
      if (a.family == f) return a.addr;
    return std::nullopt;
  };
  return h;
}

}  // namespace iptsim
