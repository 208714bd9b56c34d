#include "engine/host_routes.h"

#include <algorithm>

#include "engine/host.h"

namespace iptsim {

namespace {

bool InPrefix(Family f, const IpAddr& net, int len, const IpAddr& a) {
  IpAddr m = PrefixMask(f, len);
  for (int i = 0; i < AddrLen(f); ++i)
    if ((net.b[i] & m.b[i]) != (a.b[i] & m.b[i])) return false;
  return true;
}

// The route through `oif` when one is asked for: error routes (blackhole,
// unreachable...) have no device and match regardless.
bool PassesOif(const HostRoute& r, int oif) { return oif < 0 || IsErrorType(r.type) || r.dev == oif; }

}  // namespace

const HostRoute* LinearLookupTable(const std::vector<HostRoute>& routes, Family f, uint32_t table,
                                   const IpAddr& dst, int oif) {
  const HostRoute* best = nullptr;
  for (const HostRoute& r : routes) {
    if (r.family != f || r.table != table) continue;
    if (!InPrefix(f, r.dst, r.prefix_len, dst)) continue;
    if (!PassesOif(r, oif)) continue;
    if (!best || r.prefix_len > best->prefix_len ||
        (r.prefix_len == best->prefix_len && r.metric < best->metric))
      best = &r;
  }
  return best;
}

uint64_t RouteIndex::Hash(const Key& k) {
  uint64_t lo = 0, hi = 0;
  for (int i = 0; i < 8; ++i) {
    lo = lo << 8 | k.dst.b[i];
    hi = hi << 8 | k.dst.b[8 + i];
  }
  uint64_t h = lo * 0x9e3779b97f4a7c15ull ^ hi * 0xc2b2ae3d27d4eb4full ^
               (uint64_t{k.table} << 16 | uint64_t{k.family} << 8 | k.prefix_len) * 0x165667b19e3779f9ull;
  h ^= h >> 32;
  h *= 0xd6e8feb86659fd93ull;
  return h ^ (h >> 32);
}

const RouteIndex::Chain* RouteIndex::Find(const Key& k) const {
  if (slots_.empty()) return nullptr;
  const size_t mask = slots_.size() - 1;
  for (size_t i = Hash(k) & mask; slots_[i].used; i = (i + 1) & mask)
    if (slots_[i].key == k) return &slots_[i].chain;
  return nullptr;
}

RouteIndex::Chain* RouteIndex::Insert(const Key& k, bool* added) {
  if ((used_ + 1) * 2 > slots_.size()) {
    std::vector<Slot> old(std::max<size_t>(16, slots_.size() * 2));
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (!s.used) continue;
      size_t i = Hash(s.key) & mask;
      while (slots_[i].used) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  const size_t mask = slots_.size() - 1;
  size_t i = Hash(k) & mask;
  for (; slots_[i].used; i = (i + 1) & mask)
    if (slots_[i].key == k) {
      *added = false;
      return &slots_[i].chain;
    }
  slots_[i].used = true;
  slots_[i].key = k;
  ++used_;
  *added = true;
  return &slots_[i].chain;
}

RouteIndex::Key RouteIndex::KeyOf(Family f, uint32_t table, const IpAddr& a, int len) {
  Key k;
  k.dst = MaskedAddr(f, a, len);
  k.table = table;
  k.family = static_cast<uint8_t>(f);
  k.prefix_len = static_cast<uint8_t>(len);
  return k;
}

void RouteIndex::Clear() {
  slots_.clear();
  used_ = 0;
  next_.clear();
  lengths_.clear();
  custom_local4_ = false;
}

void RouteIndex::AddNext(const std::vector<HostRoute>& routes) {
  const uint32_t i = static_cast<uint32_t>(next_.size());
  const HostRoute& r = routes[i];
  next_.push_back(kNone);
  bool added = false;
  Chain& c = *Insert(KeyOf(r.family, r.table, r.dst, r.prefix_len), &added);
  if (added) {
    c = Chain{i, i, i};
  } else {
    next_[c.tail] = i;
    c.tail = i;
    if (r.metric < routes[c.best].metric) c.best = i;
  }
  lengths_[{static_cast<uint8_t>(r.family), r.table}].set(static_cast<size_t>(r.prefix_len));
  if (r.family == Family::kIPv4 && r.type == RouteType::kLocal && !r.kernel) custom_local4_ = true;
}

const HostRoute* RouteIndex::Lookup(const std::vector<HostRoute>& routes, Family f, uint32_t table,
                                    const IpAddr& dst, int oif) const {
  auto lens = lengths_.find({static_cast<uint8_t>(f), table});
  if (lens == lengths_.end()) return nullptr;
  for (int len = AddrLen(f) * 8; len >= 0; --len) {
    if (!lens->second.test(static_cast<size_t>(len))) continue;
    const Chain* c = Find(KeyOf(f, table, dst, len));
    if (!c) continue;
    if (oif < 0) return &routes[c->best];
    const HostRoute* best = nullptr;
    for (uint32_t i = c->head; i != kNone; i = next_[i]) {
      const HostRoute& r = routes[i];
      if (PassesOif(r, oif) && (!best || r.metric < best->metric)) best = &r;
    }
    if (best) return best;
  }
  return nullptr;
}

uint32_t RouteIndex::First(const HostRoute& r) const {
  const Chain* c = Find(KeyOf(r.family, r.table, r.dst, r.prefix_len));
  return c ? c->head : kNone;
}

}  // namespace iptsim
