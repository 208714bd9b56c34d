// The connection tracking core: tuples (nf_ct_get_tuple,
// nf_ct_invert_tuple), the run's table of confirmed connections with its
// lookups (nf_conntrack_find_get, nf_conntrack_tuple_taken, the NAT
// by-source hash) and the text --format explain shows.  The per-packet code
// is in engine/conntrack_packet.cc, the protocol trackers in
// engine/conntrack_tcp.cc and engine/conntrack_sctp.cc, defragmentation in
// engine/defrag.cc.
#include "base/bytes.h"
#include "engine/conntrack.h"

#include <cstdio>

#include "engine/conntrack_trackers.h"
#include "engine/eval.h"

namespace iptsim {

using conntrack_internal::kDccp;
using conntrack_internal::kIcmp;
using conntrack_internal::kIcmpv6;
using conntrack_internal::kSctp;
using conntrack_internal::kTcp;
using conntrack_internal::kUdp;
using conntrack_internal::kUdplite;

namespace {

bool HasPorts(uint8_t proto) {
  // DCCP: the kernel tracks it with the generic tracker since its DCCP
  // support was removed (6.16): no ports in the tuple, none rewritten.
  return proto == kTcp || proto == kUdp || proto == kUdplite || proto == kSctp;
}

}  // namespace

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
    t->sport = GetBe16(v.transport());
    t->dport = GetBe16(v.transport() + 2);
  } else if ((t->proto == kIcmp && p.family == Family::kIPv4) ||
             (t->proto == kIcmpv6 && p.family == Family::kIPv6)) {
    if (v.transport_size() < 8) return false;
    const uint8_t* h = v.transport();
    t->dport = static_cast<uint16_t>(h[0] << 8 | h[1]);
    t->sport = GetBe16(h + 4);
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

}  // namespace iptsim
