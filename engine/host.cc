#include "engine/host.h"

#include <algorithm>
#include <cstdlib>

namespace iptsim {

namespace {

bool InPrefix(Family f, const IpAddr& net, int len, const IpAddr& a) {
  IpAddr m = PrefixMask(f, len);
  for (int i = 0; i < AddrLen(f); ++i)
    if ((net.b[i] & m.b[i]) != (a.b[i] & m.b[i])) return false;
  return true;
}

bool IsLbcast(const IpAddr& a) { return a.b[0] == 255 && a.b[1] == 255 && a.b[2] == 255 && a.b[3] == 255; }
bool IsMulticast4(const IpAddr& a) { return (a.b[0] & 0xf0) == 0xe0; }

}  // namespace

bool IsErrorType(RouteType t) {
  return t == RouteType::kBlackhole || t == RouteType::kUnreachable ||
         t == RouteType::kProhibit || t == RouteType::kThrow;
}

IpAddr MaskedAddr(Family f, const IpAddr& a, int len) {
  IpAddr m = PrefixMask(f, len), r;
  for (int i = 0; i < AddrLen(f); ++i) r.b[i] = a.b[i] & m.b[i];
  return r;
}

std::string_view RouteTypeName(RouteType t) {
  switch (t) {
    case RouteType::kUnicast: return "unicast";
    case RouteType::kLocal: return "local";
    case RouteType::kBroadcast: return "broadcast";
    case RouteType::kAnycast: return "anycast";
    case RouteType::kMulticast: return "multicast";
    case RouteType::kBlackhole: return "blackhole";
    case RouteType::kUnreachable: return "unreachable";
    case RouteType::kProhibit: return "prohibit";
    case RouteType::kThrow: return "throw";
  }
  return "";
}

// ---------------------------------------------------------------------------
// The model's queries.

const HostIface* HostModel::FindIface(std::string_view name) const {
  int i = IfaceIndex(name);
  return i < 0 ? nullptr : &ifaces[i];
}

int HostModel::IfaceIndex(std::string_view name) const {
  for (size_t i = 0; i < ifaces.size(); ++i)
    if (ifaces[i].name == name) return static_cast<int>(i);
  return -1;
}

bool HostModel::IsLocalAddress(Family f, const IpAddr& a, int dev) const {
  for (size_t i = 0; i < ifaces.size(); ++i) {
    if (dev != -1 && static_cast<int>(i) != dev) continue;
    for (const HostAddr& ha : ifaces[i].addrs)
      if (ha.family == f && ha.addr == a) return true;
  }
  return false;
}

void HostModel::SetSysctl(const std::string& key, const std::string& value) {
  sysctls[key] = value;
  bool on = atoi(value.c_str()) != 0;
  if (key == "net.ipv4.ip_forward" || key == "net.ipv4.conf.all.forwarding") forward4 = on;
  if (key == "net.ipv6.conf.all.forwarding") forward6 = on;
}

int HostModel::SysctlInt(const std::string& key) const {
  auto it = sysctls.find(key);
  if (it == sysctls.end()) return 0;
  return atoi(it->second.c_str());
}

int HostModel::RpFilter(std::string_view dev) const {
  return std::max(SysctlInt("net.ipv4.conf.all.rp_filter"),
                  SysctlInt("net.ipv4.conf." + std::string(dev) + ".rp_filter"));
}

bool HostModel::AcceptLocal(std::string_view dev) const {
  return SysctlInt("net.ipv4.conf.all.accept_local") ||
         SysctlInt("net.ipv4.conf." + std::string(dev) + ".accept_local");
}

bool HostModel::Forwarding(Family f, std::string_view in_dev) const {
  if (f == Family::kIPv6) return forward6;
  // IN_DEV_FORWARD: the input device's own setting (ip_forward sets all).
  auto it = sysctls.find("net.ipv4.conf." + std::string(in_dev) + ".forwarding");
  if (it != sysctls.end()) return atoi(it->second.c_str()) != 0;
  return forward4;
}

void HostModel::AddRoute(const HostRoute& r) {
  IndexRoutes();
  routes.push_back(r);
  route_index.AddNext(routes);
}

void HostModel::IndexRoutes() {
  if (route_index.indexed() > routes.size()) route_index.Clear();
  while (route_index.indexed() < routes.size()) route_index.AddNext(routes);
}

bool HostModel::HasCustomLocalRoutes4() const {
  if (RoutesIndexed()) return route_index.custom_local4();
  for (const HostRoute& r : routes)
    if (r.family == Family::kIPv4 && r.type == RouteType::kLocal && !r.kernel) return true;
  return false;
}

const HostRoute* HostModel::LookupTable(Family f, uint32_t table, const IpAddr& dst,
                                        int oif) const {
  if (RoutesIndexed()) return route_index.Lookup(routes, f, table, dst, oif);
  return LinearLookupTable(routes, f, table, dst, oif);
}

const HostRoute* HostModel::Lookup(Family f, const IpAddr& dst, int oif) const {
  for (uint32_t t : {kTableLocal, kTableMain, kTableDefault}) {
    const HostRoute* r = LookupTable(f, t, dst, oif);
    if (r && r->type != RouteType::kThrow) return r;
  }
  return nullptr;
}

std::optional<IpAddr> HostModel::PreferredSource(const HostRoute& r, const IpAddr& dst) const {
  if (r.src) return r.src;
  if (r.type == RouteType::kLocal) return dst;  // ip_route_output_key_hash_rcu: saddr = daddr
  const IpAddr target = r.via ? *r.via : dst;
  const HostAddr* first = nullptr;
  if (r.dev >= 0) {
    for (const HostAddr& a : ifaces[r.dev].addrs) {
      if (a.family != r.family) continue;
      if (r.family == Family::kIPv6 && a.addr.b[0] == 0xfe && (a.addr.b[1] & 0xc0) == 0x80)
        continue;  // link-local: not for a global destination
      if (InPrefix(r.family, a.addr, a.prefix_len, target)) return a.addr;
      if (!first) first = &a;
    }
  }
  if (first) return first->addr;
  // inet_select_addr falls back to an address of another device.
  for (const HostIface& i : ifaces)
    for (const HostAddr& a : i.addrs)
      if (a.family == r.family && !i.loopback) return a.addr;
  return std::nullopt;
}

RouteType HostModel::AddrType4(const IpAddr& a, int dev) const {
  if (a.b[0] == 0 || IsLbcast(a)) return RouteType::kBroadcast;
  if (IsMulticast4(a)) return RouteType::kMulticast;
  const HostRoute* r = LookupTable(Family::kIPv4, kTableLocal, a);
  if (r && (dev == -1 || dev == r->dev)) return r->type;
  return RouteType::kUnicast;
}

uint16_t HostModel::AddrTypeBits6(const IpAddr& a, int dev, uint16_t mask) const {
  constexpr uint16_t kLocal = 1u << 2, kUnreachable = 1u << 7, kAnycast = 1u << 4;
  uint16_t ret = 0;
  if (dev != -1 && (mask & kLocal) && IsLocalAddress(Family::kIPv6, a, dev)) ret = kLocal;
  const HostRoute* r = Lookup(Family::kIPv6, a);
  if (!r) return kUnreachable;
  if (IsErrorType(r->type)) ret = kUnreachable;
  if (dev == -1 && r->type == RouteType::kLocal) ret |= kLocal;
  if (r->type == RouteType::kAnycast) ret |= kAnycast;
  return ret;
}

// ---------------------------------------------------------------------------
// What the kernel sets up by itself.

HostIface LoopbackIface() {
  HostIface lo;
  lo.name = "lo";
  lo.ifindex = 1;
  lo.loopback = true;
  lo.mtu = 65536;
  lo.mac = std::array<uint8_t, 6>{};
  HostAddr a4;
  a4.family = Family::kIPv4;
  a4.addr.b[0] = 127;
  a4.addr.b[3] = 1;
  a4.prefix_len = 8;
  HostAddr a6;
  a6.family = Family::kIPv6;
  a6.addr.b[15] = 1;
  a6.prefix_len = 128;
  lo.addrs = {a4, a6};
  return lo;
}

std::vector<HostRoute> AddKernelRoutes(HostModel* h, bool local_table_only,
                                       std::optional<Family> family) {
  h->IndexRoutes();
  std::vector<HostRoute> added;
  auto add = [&](HostRoute r) {
    if (local_table_only && r.table != kTableLocal) return;
    if (family && r.family != *family) return;
    for (uint32_t i = h->route_index.First(r); i != RouteIndex::kNone; i = h->route_index.Next(i)) {
      const HostRoute& o = h->routes[i];
      if (o.dst == r.dst && o.type == r.type && o.dev == r.dev && o.metric == r.metric) return;
    }
    r.kernel = true;
    h->AddRoute(r);
    added.push_back(r);
  };
  for (size_t i = 0; i < h->ifaces.size(); ++i) {
    const HostIface& ifc = h->ifaces[i];
    const int dev = static_cast<int>(i);
    for (const HostAddr& a : ifc.addrs) {
      HostRoute r;
      r.family = a.family;
      r.dev = dev;
      r.src = a.addr;
      if (a.family == Family::kIPv4) {
        r.table = kTableLocal;
        r.type = RouteType::kLocal;
        r.dst = a.addr;
        r.prefix_len = 32;
        add(r);
        if (a.prefix_len < 32) {
          HostRoute p = r;
          p.dst = MaskedAddr(a.family, a.addr, a.prefix_len);
          p.prefix_len = a.prefix_len;
          if (ifc.loopback) {
            p.table = kTableLocal;
            p.type = RouteType::kLocal;
          } else {
            p.table = kTableMain;
            p.type = RouteType::kUnicast;
          }
          add(p);
        }
        if (a.prefix_len < 31) {
          HostRoute b = r;
          b.type = RouteType::kBroadcast;
          IpAddr m = PrefixMask(a.family, a.prefix_len);
          for (int k = 0; k < 4; ++k) b.dst.b[k] = a.addr.b[k] | static_cast<uint8_t>(~m.b[k]);
          add(b);
        }
      } else {
        r.src.reset();
        r.table = kTableLocal;
        r.type = RouteType::kLocal;
        r.dst = a.addr;
        r.prefix_len = 128;
        r.metric = 0;
        add(r);
        if (a.prefix_len < 128) {
          HostRoute p = r;
          p.table = kTableMain;
          p.type = RouteType::kUnicast;
          p.dst = MaskedAddr(a.family, a.addr, a.prefix_len);
          p.prefix_len = a.prefix_len;
          p.metric = 256;
          add(p);
        }
      }
    }
    if (!ifc.loopback) {
      HostRoute ll;
      ll.family = Family::kIPv6;
      ll.dev = dev;
      ll.metric = 256;
      ll.dst.b[0] = 0xfe;
      ll.dst.b[1] = 0x80;
      ll.prefix_len = 64;
      add(ll);
      HostRoute mc;
      mc.family = Family::kIPv6;
      mc.dev = dev;
      mc.metric = 256;
      mc.table = kTableLocal;
      mc.type = RouteType::kMulticast;
      mc.dst.b[0] = 0xff;
      mc.prefix_len = 8;
      add(mc);
    }
  }
  return added;
}

}  // namespace iptsim
