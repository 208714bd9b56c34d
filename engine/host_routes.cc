#include "engine/host_routes.h"

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

size_t RouteIndex::KeyHash::operator()(const Key& k) const {
  // FNV-1a over the address, then the table, family and length.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint64_t v) {
    h ^= v;
    h *= 1099511628211ull;
  };
  for (uint8_t byte : k.dst.b) mix(byte);
  mix(k.table);
  mix(k.family);
  mix(k.prefix_len);
  return static_cast<size_t>(h ^ (h >> 29));
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
  chains_.clear();
  next_.clear();
  lengths_.clear();
  custom_local4_ = false;
}

void RouteIndex::AddNext(const std::vector<HostRoute>& routes) {
  const uint32_t i = static_cast<uint32_t>(next_.size());
  const HostRoute& r = routes[i];
  next_.push_back(kNone);
  auto [it, added] = chains_.try_emplace(KeyOf(r.family, r.table, r.dst, r.prefix_len), Chain{i, i, i});
  if (!added) {
    Chain& c = it->second;
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
    auto it = chains_.find(KeyOf(f, table, dst, len));
    if (it == chains_.end()) continue;
    if (oif < 0) return &routes[it->second.best];
    const HostRoute* best = nullptr;
    for (uint32_t i = it->second.head; i != kNone; i = next_[i]) {
      const HostRoute& r = routes[i];
      if (PassesOif(r, oif) && (!best || r.metric < best->metric)) best = &r;
    }
    if (best) return best;
  }
  return nullptr;
}

uint32_t RouteIndex::First(const HostRoute& r) const {
  auto it = chains_.find(KeyOf(r.family, r.table, r.dst, r.prefix_len));
  return it == chains_.end() ? kNone : it->second.head;
}

}  // namespace iptsim
