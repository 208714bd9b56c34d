// The host a packet crosses (`--host FILE`): its interfaces and addresses,
// its routing tables (local, main, default), forwarding and a few sysctls,
// and the model's own questions: the FIB lookup, the preferred source
// address, the address types addrtype sees.  The routing decisions made on
// it are in engine/routing.h, the IPv4 options the kernel compiles after
// routing in engine/ip_options.h; the host files (native and JSON) are read
// by loader/host_file.h.  Policy routing (ip rule, tables other than
// local/main/default) and multicast routing are not modelled.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/host_routes.h"
#include "engine/netaddr.h"

namespace iptsim {

struct HostAddr {
  Family family = Family::kIPv4;
  IpAddr addr;
  int prefix_len = 32;
};

struct HostIface {
  std::string name;
  int ifindex = 0;
  std::optional<std::array<uint8_t, 6>> mac;  // none: unknown, or no link layer (tun)
  std::optional<std::array<uint8_t, 6>> peer; // lab: the MAC of the peer's frames
  std::vector<HostAddr> addrs;
  uint32_t mtu = 1500;
  bool tun = false;
  bool loopback = false;
};

// Route types (the kernel's RTN_* values, as addrtype's bits use them).
enum class RouteType : uint8_t {
  kUnicast = 1,
  kLocal = 2,
  kBroadcast = 3,
  kAnycast = 4,
  kMulticast = 5,
  kBlackhole = 6,
  kUnreachable = 7,
  kProhibit = 8,
  kThrow = 9,
};
std::string_view RouteTypeName(RouteType t);
// The types of routes that reject a packet instead of sending it anywhere
// (blackhole, unreachable, prohibit, throw): they need no device.
bool IsErrorType(RouteType t);

constexpr uint32_t kTableLocal = 255, kTableMain = 254, kTableDefault = 253;

struct HostRoute {
  Family family = Family::kIPv4;
  uint32_t table = kTableMain;
  RouteType type = RouteType::kUnicast;
  IpAddr dst;  // masked
  int prefix_len = 0;
  std::optional<IpAddr> via;
  int dev = -1;  // index into HostModel::ifaces, -1 for none (blackhole...)
  uint32_t metric = 0;
  std::optional<IpAddr> src;
  bool kernel = false;  // added by the kernel for an address (proto kernel)
};

struct HostModel {
  std::string file;
  std::vector<HostIface> ifaces;  // lo first
  // In the order they were added (the lookup's last tie-break).  Add
  // routes with AddRoute, which indexes them; a model whose list was
  // changed otherwise is looked up by a linear scan until IndexRoutes().
  std::vector<HostRoute> routes;
  RouteIndex route_index;
  bool forward4 = false, forward6 = false;
  std::map<std::string, std::string> sysctls;  // as given (KEY -> VALUE)
  // The native file's lab settings, so that `iptsim verify` can build the
  // kernel lab from the same file (empty for JSON): each `route` line's
  // ARGS as written (for `ip route add`), and settle / family / nodefault.
  std::vector<std::string> lab_routes;
  int settle_ms = -1;
  int lab_family = 0;  // 4, 6, or 0 when not given
  bool nodefault = false;
  // What the user should know about how the file was read (printed once,
  // as "iptsim: note: ..." by LoadHostFile).
  std::vector<std::string> notes;

  void AddRoute(const HostRoute& r);
  // Indexes the routes added to `routes` directly.
  void IndexRoutes();
  bool RoutesIndexed() const { return route_index.indexed() == routes.size(); }
  // net->ipv4.fib_has_custom_local_routes: an IPv4 local route that the
  // kernel did not add for an address.
  bool HasCustomLocalRoutes4() const;

  const HostIface* FindIface(std::string_view name) const;
  int IfaceIndex(std::string_view name) const;  // -1 when unknown
  // Device arguments: an index into `ifaces`, -1 for none (no limit), or
  // -2 for a device the host does not have (matches nothing).
  // An address configured on any interface (or on `dev`).
  bool IsLocalAddress(Family f, const IpAddr& a, int dev = -1) const;
  // Sets a sysctl as given; the forwarding switches (net.ipv4.ip_forward,
  // conf.all.forwarding of either family) also set forward4 / forward6.
  void SetSysctl(const std::string& key, const std::string& value);
  // The value of an integer sysctl (0 when unset or not a number).
  int SysctlInt(const std::string& key) const;
  // rp_filter of an interface: max(conf.all, conf.DEV) as the kernel.
  int RpFilter(std::string_view dev) const;
  bool AcceptLocal(std::string_view dev) const;
  bool Forwarding(Family f, std::string_view in_dev) const;

  // The FIB lookup of `dst`: tables local, main, default in turn (the
  // default rules 0, 32766, 32767); longest prefix, then lowest metric.
  // oif >= 0 keeps only routes through that interface (a socket bound to
  // a device); error routes (blackhole, unreachable...) match regardless.
  const HostRoute* Lookup(Family f, const IpAddr& dst, int oif = -1) const;
  // The lookup of one table only.
  const HostRoute* LookupTable(Family f, uint32_t table, const IpAddr& dst, int oif = -1) const;
  // The source address the kernel prefers for a route (its src, else an
  // address of its device, as inet_select_addr / ipv6 source selection).
  std::optional<IpAddr> PreferredSource(const HostRoute& r, const IpAddr& dst) const;

  // addrtype: the kernel's address type of `a` (IPv4: inet_dev_addr_type,
  // the local table only; IPv6: the XT_ADDRTYPE_* bits match_lookup_rt6
  // finds), optionally limited to interface `dev`.
  RouteType AddrType4(const IpAddr& a, int dev) const;
  uint16_t AddrTypeBits6(const IpAddr& a, int dev, uint16_t mask) const;
};

// `a` with the bits past the first `len` cleared.
IpAddr MaskedAddr(Family f, const IpAddr& a, int len);

// The loopback device every host has: lo, ifindex 1, 127.0.0.1/8 and ::1/128.
HostIface LoopbackIface();

// The routes the kernel adds for the interfaces' addresses (fib_add_ifaddr
// and addrconf): local and broadcast routes in the local table, the prefix
// route in main; IPv6 also fe80::/64 and ff00::/8 on every device.  A route
// already present is not added twice.  local_table_only: only those of the
// local table (a JSON host's main table is as `ip route` listed it);
// family: only that family's.  Returns the routes it added.
std::vector<HostRoute> AddKernelRoutes(HostModel* h, bool local_table_only = false,
                                       std::optional<Family> family = std::nullopt);

}  // namespace iptsim
