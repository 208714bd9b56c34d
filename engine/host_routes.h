// The index of a host's routes (engine/host.h) that the FIB lookup uses:
// per table and family, one hash table per prefix length present, so that a
// lookup probes at most 33 (IPv4) or 129 (IPv6) lengths whatever the number
// of routes, and loading a full BGP table stays linear.  The routes with the
// same table, family, prefix and length form one chain in the order they
// were added; the decisions are exactly those of the linear scan
// (LinearLookupTable, kept as the reference): longest prefix, then lowest
// metric, then the route added first.
#pragma once

#include <bitset>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "engine/netaddr.h"

namespace iptsim {

struct HostRoute;

// The lookup of one table by scanning every route: the reference the index
// must agree with (and what a model whose index is stale falls back on).
const HostRoute* LinearLookupTable(const std::vector<HostRoute>& routes, Family f, uint32_t table,
                                   const IpAddr& dst, int oif);

class RouteIndex {
 public:
  static constexpr uint32_t kNone = 0xffffffffu;

  // How many routes (the first ones of the model's list) are indexed.
  size_t indexed() const { return next_.size(); }
  void Clear();
  // Indexes routes[indexed()], the next route of the list.
  void AddNext(const std::vector<HostRoute>& routes);
  const HostRoute* Lookup(const std::vector<HostRoute>& routes, Family f, uint32_t table,
                          const IpAddr& dst, int oif) const;
  // The first indexed route with the same family, table, prefix and
  // length as `r` (kNone for none); Next() walks the rest in order.
  uint32_t First(const HostRoute& r) const;
  uint32_t Next(uint32_t i) const { return next_[i]; }
  // An IPv4 local route not added by the kernel for an address.
  bool custom_local4() const { return custom_local4_; }

 private:
  struct Key {
    IpAddr dst;
    uint32_t table = 0;
    uint8_t family = 0;
    uint8_t prefix_len = 0;
    bool operator==(const Key&) const = default;
  };
  struct Chain {
    uint32_t head, tail;
    uint32_t best;  // lowest metric, first added: the answer without an oif
  };
  // The chains in one open-addressing table (linear probing, at most half
  // full): a lookup probes several lengths, most of them misses, and a
  // miss then costs one or two cache lines instead of a walk of nodes.
  struct Slot {
    Key key;
    Chain chain;
    bool used = false;
  };
  static Key KeyOf(Family f, uint32_t table, const IpAddr& a, int len);
  static uint64_t Hash(const Key& k);
  const Chain* Find(const Key& k) const;
  Chain* Insert(const Key& k, bool* added);

  std::vector<Slot> slots_;
  size_t used_ = 0;
  std::vector<uint32_t> next_;  // per route: the next of its chain
  // Per family and table: the prefix lengths some route has.
  std::map<std::pair<uint8_t, uint32_t>, std::bitset<129>> lengths_;
  bool custom_local4_ = false;
};

}  // namespace iptsim
