#include "engine/host.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include "engine/packet.h"

namespace iptsim {

namespace {

bool IsErrorType(RouteType t) {
  return t == RouteType::kBlackhole || t == RouteType::kUnreachable ||
         t == RouteType::kProhibit || t == RouteType::kThrow;
}

bool InPrefix(Family f, const IpAddr& net, int len, const IpAddr& a) {
  IpAddr m = PrefixMask(f, len);
  for (int i = 0; i < AddrLen(f); ++i)
    if ((net.b[i] & m.b[i]) != (a.b[i] & m.b[i])) return false;
  return true;
}

IpAddr Masked(Family f, const IpAddr& a, int len) {
  IpAddr m = PrefixMask(f, len), r;
  for (int i = 0; i < AddrLen(f); ++i) r.b[i] = a.b[i] & m.b[i];
  return r;
}

bool IsZero(const IpAddr& a, Family f) {
  for (int i = 0; i < AddrLen(f); ++i)
    if (a.b[i]) return false;
  return true;
}

bool IsLbcast(const IpAddr& a) { return a.b[0] == 255 && a.b[1] == 255 && a.b[2] == 255 && a.b[3] == 255; }
bool IsMulticast4(const IpAddr& a) { return (a.b[0] & 0xf0) == 0xe0; }
bool IsLoopback4(const IpAddr& a) { return a.b[0] == 127; }

// Source and destination of a packet's IP header (false when too short).
bool Addrs(const Packet& p, IpAddr* src, IpAddr* dst) {
  const auto& b = p.bytes;
  if (p.family == Family::kIPv4) {
    if (b.size() < 20) return false;
    std::copy(b.begin() + 12, b.begin() + 16, src->b.begin());
    std::copy(b.begin() + 16, b.begin() + 20, dst->b.begin());
    return true;
  }
  if (b.size() < 40) return false;
  std::copy(b.begin() + 8, b.begin() + 24, src->b.begin());
  std::copy(b.begin() + 24, b.begin() + 40, dst->b.begin());
  return true;
}

}  // namespace

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

const HostRoute* HostModel::LookupTable(Family f, uint32_t table, const IpAddr& dst,
                                        int oif) const {
  const HostRoute* best = nullptr;
  for (const HostRoute& r : routes) {
    if (r.family != f || r.table != table) continue;
    if (!InPrefix(f, r.dst, r.prefix_len, dst)) continue;
    if (oif >= 0 && !IsErrorType(r.type) && r.dev != oif) continue;
    if (!best || r.prefix_len > best->prefix_len ||
        (r.prefix_len == best->prefix_len && r.metric < best->metric))
      best = &r;
  }
  return best;
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
// Routing decisions.

InputDecision RouteInput(const HostModel& h, const Packet& pkt) {
  InputDecision d;
  IpAddr src, dst;
  if (!Addrs(pkt, &src, &dst)) {
    d.why = "truncated IP header";
    return d;
  }
  const int in = h.IfaceIndex(pkt.in.view());
  if (in < 0) {
    d.why = "unknown input interface";
    return d;
  }
  const HostIface& iif = h.ifaces[in];
  const Family f = pkt.family;
  if (f == Family::kIPv4) {
    // ip_route_input_rcu / ip_route_input_slow, in the kernel's order.
    if (IsMulticast4(dst)) {
      if (dst.b[0] == 224 && dst.b[1] == 0 && dst.b[2] == 0 && dst.b[3] == 1) {
        d.route = InputRoute::kLocal;  // all-hosts: every device is a member
        return d;
      }
      d.route = InputRoute::kDrop;
      d.why = "multicast: iptsim models no group memberships nor multicast routing";
      d.unknown = true;
      return d;
    }
    if (IsMulticast4(src) || IsLbcast(src)) {
      d.why = "martian source (multicast or broadcast)";
      return d;
    }
    if (IsLbcast(dst) || (IsZero(src, f) && IsZero(dst, f))) {
      // brd_input: a source other than 0.0.0.0 is validated.
      std::string bad = IsZero(src, f) ? "" : ValidateSource(h, pkt, InputRoute::kLocal);
      if (!bad.empty()) {
        d.why = bad;
        return d;
      }
      d.route = InputRoute::kLocal;
      return d;
    }
    if (src.b[0] == 0) {
      d.why = "martian source (0.0.0.0/8)";
      return d;
    }
    if (dst.b[0] == 0) {
      d.why = "martian destination (0.0.0.0/8)";
      return d;
    }
    const bool localnet = h.SysctlInt("net.ipv4.conf.all.route_localnet") ||
                          h.SysctlInt("net.ipv4.conf." + iif.name + ".route_localnet");
    if (!iif.loopback && !localnet && (IsLoopback4(src) || IsLoopback4(dst))) {
      d.why = IsLoopback4(dst) ? "martian destination (127.0.0.0/8 on a device other than lo)"
                               : "martian source (127.0.0.0/8 on a device other than lo)";
      return d;
    }
    const HostRoute* r = h.Lookup(f, dst);
    d.r = r;
    if (!r) {
      d.why = "no route to " + FormatIpAddr(f, dst);
      return d;
    }
    if (r->type == RouteType::kBroadcast || r->type == RouteType::kLocal) {
      std::string bad = ValidateSource(h, pkt, InputRoute::kLocal);
      if (!bad.empty()) {
        d.why = bad;
        return d;
      }
      d.route = InputRoute::kLocal;
      return d;
    }
    if (!h.Forwarding(f, iif.name)) {
      d.why = "not a local address and forwarding is off (ip_forward=0): no route";
      return d;
    }
    if (r->type != RouteType::kUnicast) {
      d.why = std::string(r->type == RouteType::kUnreachable || r->type == RouteType::kAnycast ? "an " : "a ") +
              std::string(RouteTypeName(r->type)) + " route";
      return d;
    }
  } else {
    if (dst.b[0] == 0xff) {
      if (dst.b[1] == 0x02) {
        bool all_nodes = true;
        for (int i = 2; i < 15; ++i) all_nodes = all_nodes && dst.b[i] == 0;
        if (all_nodes && dst.b[15] == 1) {
          d.route = InputRoute::kLocal;
          return d;
        }
      }
      d.why = "multicast: iptsim models no group memberships nor multicast routing";
      d.unknown = true;
      return d;
    }
    const HostRoute* r = h.Lookup(f, dst);
    d.r = r;
    if (!r) {
      d.why = "no route to " + FormatIpAddr(f, dst);
      return d;
    }
    if (r->type == RouteType::kLocal || r->type == RouteType::kAnycast) {
      d.route = InputRoute::kLocal;
      return d;
    }
    if (r->type != RouteType::kUnicast) {
      d.why = std::string(r->type == RouteType::kUnreachable || r->type == RouteType::kAnycast ? "an " : "a ") +
              std::string(RouteTypeName(r->type)) + " route";
      return d;
    }
    if (!h.Forwarding(f, iif.name)) {
      d.why = "not a local address and IPv6 forwarding is off: ip6_forward drops it";
      return d;
    }
    if (src.b[0] == 0xfe && (src.b[1] & 0xc0) == 0x80) {
      d.why = "ip6_forward never forwards a link-local source";
      return d;
    }
  }
  std::string bad = ValidateSource(h, pkt, InputRoute::kForward);
  if (!bad.empty()) {
    d.why = bad;
    return d;
  }
  if (pkt.mac_len == 14 && (pkt.mac[0] & 1)) {
    d.why = "ip_forward forwards only frames addressed to this host (the destination MAC is a "
            "broadcast or multicast one)";
    return d;
  }
  const HostRoute* r = d.r;
  if (r->dev < 0) {
    d.why = "route without a device";
    return d;
  }
  d.route = InputRoute::kForward;
  d.out = h.ifaces[r->dev].name;
  return d;
}

std::string ValidateSource(const HostModel& h, const Packet& pkt, InputRoute) {
  if (pkt.family != Family::kIPv4) return "";
  IpAddr src, dst;
  if (!Addrs(pkt, &src, &dst)) return "";
  const std::string dev(pkt.in.view());
  const int in = h.IfaceIndex(dev);
  const int rpf = h.RpFilter(dev);
  const bool accept_local = h.AcceptLocal(dev);
  bool custom_local = false;  // net->ipv4.fib_has_custom_local_routes
  for (const HostRoute& r : h.routes)
    custom_local = custom_local || (r.family == Family::kIPv4 && r.type == RouteType::kLocal && !r.kernel);
  if (rpf == 0) {
    // fib_validate_source's shortcut: a source that is an address of this
    // host is a martian unless accept_local (a full check when the host has
    // local routes of its own).
    if (accept_local) return "";
    if (!custom_local) {
      if (h.IsLocalAddress(Family::kIPv4, src))
        return "martian source " + FormatIpAddr(Family::kIPv4, src) + " (an address of this host)";
      return "";
    }
  }
  const HostRoute* r = h.Lookup(Family::kIPv4, src);
  if (!r) return rpf ? "rp_filter: no route back to " + FormatIpAddr(Family::kIPv4, src) : "";
  if (r->type != RouteType::kUnicast && (r->type != RouteType::kLocal || !accept_local))
    return "martian source " + FormatIpAddr(Family::kIPv4, src) + " (its route is " +
           std::string(RouteTypeName(r->type)) + ")";
  if (r->dev == in || rpf == 0) return "";
  if (rpf == 1)
    return "rp_filter=1: the route back to " + FormatIpAddr(Family::kIPv4, src) +
           " does not go out " + dev;
  return "";
}

OutputDecision RouteOutput(const HostModel& h, const Packet& pkt, std::string_view oif_name) {
  OutputDecision d;
  IpAddr src, dst;
  if (!Addrs(pkt, &src, &dst)) {
    d.error = "truncated IP header";
    return d;
  }
  int oif = -1;
  if (!oif_name.empty()) {
    oif = h.IfaceIndex(oif_name);
    if (oif < 0) {
      d.error = "-o " + std::string(oif_name) + " is not an interface of the host (" + h.file + ")";
      return d;
    }
  }
  const Family f = pkt.family;
  auto loop = [&]() {
    d.ok = true;
    d.loopback = true;
    d.out = "lo";
    return d;
  };
  // inet_select_addr(dev, 0, RT_SCOPE_LINK): an address of the device that
  // is not host-scoped (127/8), else one of another device.
  auto select = [&](int dev) -> std::optional<IpAddr> {
    for (int pass = 0; pass < 2; ++pass)
      for (size_t i = 0; i < h.ifaces.size(); ++i) {
        if ((pass == 0) != (static_cast<int>(i) == dev)) continue;
        for (const HostAddr& a : h.ifaces[i].addrs)
          if (a.family == Family::kIPv4 && !IsLoopback4(a.addr)) return a.addr;
      }
    return std::nullopt;
  };
  auto via = [&](int dev) {
    d.ok = true;
    d.out = h.ifaces[dev].name;
    if (h.ifaces[dev].loopback) d.loopback = true;
    if (f == Family::kIPv4) d.src = select(dev);  // "assume on-link"
    return d;
  };
  if (f == Family::kIPv4 ? IsMulticast4(dst) : dst.b[0] == 0xff) {
    d.error = "a multicast destination: iptsim does not model multicast sending (its looped-back copy)";
    return d;
  }
  const char* kBroadcastError =
      "a broadcast destination: the kernel refuses a raw socket's broadcast without SO_BROADCAST "
      "(Permission denied), and iptsim does not model broadcast sending";
  if (f == Family::kIPv4 && IsLbcast(dst)) {
    d.error = kBroadcastError;
    return d;
  }
  if (f == Family::kIPv4 && IsZero(dst, f)) return loop();  // daddr 0: sent to the host itself
  const HostRoute* r = h.Lookup(f, dst, oif);
  if (!r) {
    if (f == Family::kIPv4 && oif >= 0) return via(oif);  // "assume on-link"
    d.error = "no route to " + FormatIpAddr(f, dst) + (oif >= 0 ? " via " + std::string(oif_name) : "") +
              ": the kernel refuses to send it (Network is unreachable)";
    return d;
  }
  switch (r->type) {
    case RouteType::kLocal:
    case RouteType::kAnycast:
      d.src = r->src ? *r->src : dst;  // the local route's prefsrc, else the destination
      return loop();
    case RouteType::kBlackhole:
      d.error = "a blackhole route: the kernel refuses to send it (Invalid argument)";
      return d;
    case RouteType::kUnreachable:
      d.error = "an unreachable route: the kernel refuses to send it (No route to host)";
      return d;
    case RouteType::kProhibit:
      d.error = "a prohibit route: the kernel refuses to send it (Permission denied)";
      return d;
    case RouteType::kBroadcast:
      d.error = kBroadcastError;
      return d;
    default:
      break;
  }
  if (r->dev < 0) {
    d.error = "route without a device";
    return d;
  }
  via(r->dev);
  d.src = h.PreferredSource(*r, dst);
  return d;
}

bool RpfilterLookup(const HostModel& h, const Packet& pkt, bool loose, bool accept_local, bool) {
  IpAddr src, dst;
  if (!Addrs(pkt, &src, &dst)) return false;
  const int in = h.IfaceIndex(pkt.in.view());
  const Family f = pkt.family;
  if (f == Family::kIPv4) {
    // rpfilter_lookup_reverse: a plain FIB lookup of the source.
    const HostRoute* r = h.Lookup(f, src);
    if (!r) return false;
    if (r->type != RouteType::kUnicast && (r->type != RouteType::kLocal || !accept_local))
      return false;
    return r->dev == in || loose;
  }
  // rpfilter_lookup_reverse6: strict mode prefers routes through the input
  // device (a link-local source must use it).
  const bool linklocal = src.b[0] == 0xfe && (src.b[1] & 0xc0) == 0x80;
  const HostRoute* r = nullptr;
  if (linklocal) {
    r = h.Lookup(f, src, in);
  } else {
    r = h.Lookup(f, src);
    if (r && !loose && r->dev != in) {
      const HostRoute* on_in = h.Lookup(f, src, in);
      if (on_in && on_in->prefix_len == r->prefix_len && on_in->table == r->table) r = on_in;
    }
  }
  if (!r || IsErrorType(r->type) || r->type == RouteType::kAnycast) return false;
  if (r->type == RouteType::kLocal) return accept_local;
  return r->dev == in || loose;
}

void EnterLoopback(Packet& pkt) {
  pkt.in = IfaceName("lo");
  pkt.out = IfaceName();
  pkt.mac.fill(0);
  if (pkt.family == Family::kIPv4) {
    pkt.mac[12] = 0x08;
    pkt.mac[13] = 0x00;
  } else {
    pkt.mac[12] = 0x86;
    pkt.mac[13] = 0xdd;
  }
  pkt.mac_len = 14;
  // loopback_xmit orphans the skb: the looped packet has no socket.
  pkt.uid.reset();
  pkt.gid.reset();
}

namespace {

void IpChecksum(std::vector<uint8_t>& b, size_t ihl) {
  b[10] = b[11] = 0;
  uint32_t sum = 0;
  for (size_t k = 0; k + 1 < ihl; k += 2) sum += static_cast<uint32_t>(b[k] << 8 | b[k + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  uint16_t c = static_cast<uint16_t>(~sum);
  b[10] = static_cast<uint8_t>(c >> 8);
  b[11] = static_cast<uint8_t>(c);
}

}  // namespace

RxOptions CompileReceivedOptions(Packet& pkt, const std::optional<IpAddr>& spec_dst,
                                 const std::function<std::optional<bool>(const IpAddr&)>& unicast,
                                 bool accept_source_route) {
  RxOptions rx;
  if (pkt.family != Family::kIPv4) return rx;
  auto& b = pkt.bytes;
  if (b.size() < 20) return rx;
  const size_t ihl = (b[0] & 0x0f) * 4u;
  if (ihl <= 20 || ihl > b.size()) return rx;
  auto bad = [&](const char* why) {
    rx.drop = std::string("ip_options_compile: ") + why + " (an ICMP parameter problem, no delivery)";
    return rx;
  };
  // inet_current_timestamp: milliseconds since midnight UTC, of the arrival time (--time).
  const double t = pkt.time < 0 ? 0 : pkt.time;
  const uint32_t ms = static_cast<uint32_t>(static_cast<uint64_t>(t * 1000) % 86400000u);
  auto put = [&](size_t at, const uint8_t* v) { std::copy(v, v + 4, b.begin() + at); };
  const uint8_t now[4] = {static_cast<uint8_t>(ms >> 24), static_cast<uint8_t>(ms >> 16),
                          static_cast<uint8_t>(ms >> 8), static_cast<uint8_t>(ms)};
  bool seen_rr = false, seen_ts = false, srr = false;
  size_t i = 20;
  while (i < ihl) {
    const uint8_t type = b[i];
    if (type == 0) {  // end of options: what follows becomes END too
      for (size_t k = i + 1; k < ihl; ++k)
        if (b[k]) {
          b[k] = 0;
          rx.changed = true;
        }
      break;
    }
    if (type == 1) {
      ++i;
      continue;
    }
    if (ihl - i < 2) return bad("an option without its length");
    const size_t len = b[i + 1];
    if (len < 2 || len > ihl - i) return bad("an option length beyond the header");
    uint8_t* o = &b[i];
    switch (type) {
      case 7: {  // Record Route
        if (seen_rr) return bad("a second Record Route option");
        seen_rr = true;
        if (len < 3) return bad("a Record Route option too short");
        const size_t ptr = o[2];
        if (ptr < 4) return bad("a Record Route pointer below 4");
        if (ptr <= len) {
          if (ptr + 3 > len) return bad("a Record Route pointer without room for an address");
          if (spec_dst) {
            put(i + ptr - 1, spec_dst->b.data());
            rx.rr_slot = static_cast<int>(i + ptr - 1);
            o[2] = static_cast<uint8_t>(ptr + 4);
            rx.changed = true;
          }
        }
        break;
      }
      case 68: {  // Timestamp
        if (seen_ts) return bad("a second Timestamp option");
        seen_ts = true;
        if (len < 4) return bad("a Timestamp option too short");
        const size_t ptr = o[2];
        if (ptr < 5) return bad("a Timestamp pointer below 5");
        const uint8_t flags = o[3] & 0x0f;
        if (ptr <= len) {
          if (ptr + 3 > len) return bad("a Timestamp pointer without room");
          if (flags == 0) {  // timestamps only
            put(i + ptr - 1, now);
            o[2] = static_cast<uint8_t>(ptr + 4);
            rx.changed = true;
          } else if (flags == 1) {  // address and timestamp
            if (ptr + 7 > len) return bad("a Timestamp pointer without room for an address");
            if (spec_dst) {
              put(i + ptr - 1, spec_dst->b.data());
              put(i + ptr + 3, now);
              rx.ts_slot = static_cast<int>(i + ptr - 1);
              o[2] = static_cast<uint8_t>(ptr + 8);
              rx.changed = true;
            }
          } else if (flags == 3) {  // prespecified addresses
            if (ptr + 7 > len) return bad("a Timestamp pointer without room for an address");
            IpAddr a;
            std::copy(o + ptr - 1, o + ptr + 3, a.b.begin());
            std::optional<bool> uni = unicast ? unicast(a) : std::nullopt;
            if (uni && !*uni) {
              put(i + ptr + 3, now);
              o[2] = static_cast<uint8_t>(ptr + 8);
              rx.changed = true;
            }
          }
        } else if (flags != 3) {
          const unsigned overflow = o[3] >> 4;
          if (overflow == 15) return bad("a Timestamp overflow counter at 15");
          o[3] = static_cast<uint8_t>(flags | (overflow + 1) << 4);
          rx.changed = true;
        }
        break;
      }
      case 131:    // Loose Source Route
      case 137: {  // Strict Source Route
        if (len < 3) return bad("a source route option too short");
        if (o[2] < 4) return bad("a source route pointer below 4");
        if (srr) return bad("a second source route option");
        srr = true;
        break;
      }
      case 148:  // Router Alert
        if (len < 4) return bad("a Router Alert option too short");
        break;
      default:
        break;
    }
    i += len;
  }
  if (rx.changed) IpChecksum(b, ihl);
  if (srr && !accept_source_route)
    rx.drop = "a source route option, and accept_source_route is off (ip_rcv_options)";
  else if (srr)
    rx.unknown = "a source route option with accept_source_route on: iptsim does not follow source routes";
  return rx;
}

void ForwardOptions(Packet& pkt, const RxOptions& rx, const IpAddr& src) {
  if (rx.rr_slot < 0 && rx.ts_slot < 0) return;
  auto& b = pkt.bytes;
  const size_t ihl = (b[0] & 0x0f) * 4u;
  for (int slot : {rx.rr_slot, rx.ts_slot})
    if (slot >= 0 && static_cast<size_t>(slot) + 4 <= ihl)
      std::copy(src.b.begin(), src.b.begin() + 4, b.begin() + slot);
  IpChecksum(b, ihl);
}

// ---------------------------------------------------------------------------
// The router used by the simulator.

bool HostRouter::Start(Packet& pkt, PacketPath* path) {
  IpAddr src;
  Addrs(pkt, &src, &start_dst_);
  if (!host_) {
    *path = path_ = PathFromDevices(pkt);
    return true;
  }
  const HostModel& h = *host_;
  if (!pkt.in.empty()) {
    if (h.IfaceIndex(pkt.in.view()) < 0) {
      error_ = "-i " + std::string(pkt.in.view()) + " is not an interface of the host (" + h.file + ")";
      return false;
    }
    if (!pkt.out.empty() && h.IfaceIndex(pkt.out.view()) < 0) {
      error_ = "-o " + std::string(pkt.out.view()) + " is not an interface of the host (" + h.file + ")";
      return false;
    }
    if (pkt.family == Family::kIPv6) {
      // ip6_rcv_core drops these before the PREROUTING hook.
      IpAddr dst;
      Addrs(pkt, &src, &dst);
      IpAddr loop;
      loop.b[15] = 1;
      const bool on_lo = h.FindIface(pkt.in.view())->loopback;
      const char* why = nullptr;
      if ((src == loop || dst == loop) && !on_lo) why = "the loopback address ::1 on a device other than lo";
      else if (dst.b[0] == 0xff && (dst.b[1] & 0x0f) == 1 && !on_lo) why = "an interface-local multicast destination";
      else if (dst.b[0] == 0xff && (dst.b[1] & 0x0f) == 0) why = "a multicast destination of scope 0";
      else if (src.b[0] == 0xff) why = "a multicast source";
      if (why) {
        dropped_before_ = std::string("dropped by ipv6_rcv before PREROUTING: ") + why;
        *path = path_ = PacketPath::kLocalIn;
        return true;
      }
    }
    // A tun device has no link layer: the packet arrives without a MAC header.
    const HostIface& iif = *h.FindIface(pkt.in.view());
    if (iif.tun) pkt.mac_len = 0;
    // eth_type_trans: a unicast frame to another MAC is PACKET_OTHERHOST,
    // which ip_rcv / ipv6_rcv drop before PREROUTING.
    if (iif.mac && !iif.loopback && pkt.mac_len == 14 && !(pkt.mac[0] & 1) &&
        !std::equal(iif.mac->begin(), iif.mac->end(), pkt.mac.begin())) {
      auto mac = [](const uint8_t* m) {
        char buf[18];
        snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
        return std::string(buf);
      };
      dropped_before_ = "the frame's destination MAC " + mac(pkt.mac.data()) + " is not " + iif.name +
                        "'s (" + mac(iif.mac->data()) +
                        "): the kernel drops it as PACKET_OTHERHOST before PREROUTING (give --mac-dst " +
                        mac(iif.mac->data()) + ")";
      *path = path_ = PacketPath::kLocalIn;
      return true;
    }
    requested_out_ = std::string(pkt.out.view());
    *path = path_ = PacketPath::kLocalIn;  // decided after PREROUTING
    return true;
  }
  oif_ = std::string(pkt.out.view());
  OutputDecision d = RouteOutput(h, pkt, oif_);
  if (!d.ok) {
    error_ = d.error;
    return false;
  }
  pkt.out = IfaceName(d.out);
  *path = path_ = d.loopback ? PacketPath::kLoopback : PacketPath::kLocalOut;
  // raw_send_hdrinc: source 0.0.0.0 becomes the route's source (the IP
  // header checksum follows; the transport checksum is left as it was).
  if (pkt.family == Family::kIPv4 && IsZero(src, Family::kIPv4) && d.src) {
    std::copy(d.src->b.begin(), d.src->b.begin() + 4, pkt.bytes.begin() + 12);
    IpChecksum(pkt.bytes, (pkt.bytes[0] & 0x0f) * 4u);
  }
  return true;
}

bool HostRouter::Between(Hook from, Hook to, Packet& pkt, PacketPath& path, IfaceName& out,
                         SimResult& result) {
  IpAddr src, dst;
  if (!Addrs(pkt, &src, &dst)) return true;
  const Family f = pkt.family;
  // ip_rcv_options after routing: the IP options the kernel checks and fills
  // on a received packet (spec_dst: fib_compute_spec_dst).
  auto options = [&](const std::optional<IpAddr>& spec_dst) {
    auto unicast = [&](const IpAddr& a) -> std::optional<bool> {
      if (host_) return host_->AddrType4(a, -1) == RouteType::kUnicast;
      if (a == dst && path != PacketPath::kForward) return false;  // the local destination
      return std::nullopt;
    };
    bool srr_ok = false;
    if (host_) {
      const std::string dev(pkt.in.view());
      srr_ok = host_->SysctlInt("net.ipv4.conf.all.accept_source_route") &&
               host_->SysctlInt("net.ipv4.conf." + dev + ".accept_source_route");
    }
    rx_ = CompileReceivedOptions(pkt, spec_dst, unicast, srr_ok);
    if (!rx_.unknown.empty()) {
      error_ = rx_.unknown;
      result.verdict = Verdict::kUnknown;
      result.unknown_reason = error_;
      return false;
    }
    if (!rx_.drop.empty()) {
      result.verdict = Verdict::kDrop;
      result.hook = Hook::kPreRouting;
      result.unknown_reason = "dropped after PREROUTING: " + rx_.drop;
      return false;
    }
    return true;
  };
  if (from == Hook::kPreRouting && path == PacketPath::kLoopback) {
    // The looped packet keeps its output route (local): delivered, and the
    // options see the destination as spec_dst.
    return options(dst);
  }
  if (from == Hook::kPreRouting && (path == PacketPath::kLocalIn || path == PacketPath::kForward)) {
    if (!host_) {
      // Local delivery: fib_compute_spec_dst is the destination itself; a
      // forwarded packet's needs the host's routes (left as received).
      return options(path == PacketPath::kLocalIn ? std::optional<IpAddr>(dst) : std::nullopt);
    }
    const HostModel& h = *host_;
    InputDecision d = RouteInput(h, pkt);
    if (d.unknown) {
      error_ = "cannot decide the route after PREROUTING: " + d.why;
      result.verdict = Verdict::kUnknown;
      result.unknown_reason = error_;
      return false;
    }
    if (d.route == InputRoute::kDrop) {
      result.verdict = Verdict::kDrop;
      result.hook = Hook::kPreRouting;
      result.unknown_reason = "dropped by routing after PREROUTING: " + d.why;
      return false;
    }
    if (d.route == InputRoute::kLocal) {
      if (!requested_out_.empty()) {
        error_ = "routing delivers the packet locally (" + FormatIpAddr(f, dst) +
                 " is local to the host), but the packet says -o " + requested_out_;
        result.verdict = Verdict::kUnknown;
        result.unknown_reason = error_;
        return false;
      }
      path = path_ = PacketPath::kLocalIn;
      return options(dst);
    }
    if (!requested_out_.empty() && requested_out_ != d.out) {
      error_ = "routing forwards the packet out " + d.out + " (route to " + FormatIpAddr(f, dst) +
               "), but the packet says -o " + requested_out_;
      result.verdict = Verdict::kUnknown;
      result.unknown_reason = error_;
      return false;
    }
    path = path_ = PacketPath::kForward;
    out = IfaceName(d.out);
    if (f == Family::kIPv4 && pkt.bytes.size() > 20 && (pkt.bytes[0] & 0x0f) > 5) {
      // fib_compute_spec_dst for a forwarded packet: the preferred source
      // of the route back to the sender.
      const HostRoute* back = h.Lookup(f, src);
      return options(back ? h.PreferredSource(*back, src) : std::nullopt);
    }
    return true;
  }
  if (from == Hook::kForward && to == Hook::kPostRouting && host_) {
    // ip_forward_options: the recorded addresses become the output route's source.
    const HostRoute* r = host_->Lookup(f, dst, host_->IfaceIndex(out.view()));
    std::optional<IpAddr> a = r ? host_->PreferredSource(*r, dst) : std::nullopt;
    if (a) ForwardOptions(pkt, rx_, *a);
  }
  if (from == Hook::kLocalOut && to == Hook::kPostRouting && host_ && !(dst == start_dst_)) {
    // ip_route_me_harder: nat OUTPUT changed the destination: route again.
    OutputDecision d = RouteOutput(*host_, pkt, oif_);
    if (!d.ok) {
      result.verdict = Verdict::kDrop;
      result.hook = Hook::kLocalOut;
      result.unknown_reason = "dropped by re-routing after OUTPUT: " + d.error;
      return false;
    }
    pkt.out = IfaceName(d.out);
    path = path_ = d.loopback ? PacketPath::kLoopback : PacketPath::kLocalOut;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Parsing.

namespace {

struct Ctx {
  std::string_view text;
  const std::string& file;
  DiagnosticSink* diags;
  bool failed = false;

  void ErrorAt(size_t offset, size_t len, std::string msg) {
    failed = true;
    Diagnostic d;
    d.file = file;
    offset = std::min(offset, text.size());
    d.line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < offset; ++i)
      if (text[i] == '\n') {
        ++d.line;
        line_start = i + 1;
      }
    d.col = static_cast<uint32_t>(offset - line_start + 1);
    d.len = static_cast<uint32_t>(std::max<size_t>(1, len));
    d.message = std::move(msg);
    size_t e = text.find('\n', line_start);
    std::string_view l =
        text.substr(line_start, e == std::string_view::npos ? std::string_view::npos : e - line_start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    d.source_line = std::string(l);
    // Keep the source line printable (the fuzzer feeds anything).
    for (char& c : d.source_line)
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') c = '?';
    diags->Add(std::move(d));
  }
  size_t Off(std::string_view token) const { return static_cast<size_t>(token.data() - text.data()); }
  void Error(std::string_view token, std::string msg) { ErrorAt(Off(token), token.size(), std::move(msg)); }
};

std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "'";
}

bool ValidIfname(std::string_view n) {
  if (n.empty() || n.size() > 15 || n == "." || n == "..") return false;
  for (char c : n)
    if (c == '/' || c == ':' || c == ',' || c == '=' || static_cast<unsigned char>(c) <= ' ' ||
        c == 0x7f)
      return false;
  return true;
}

bool ParseMac(std::string_view s, std::array<uint8_t, 6>* out) {
  if (s.size() != 17) return false;
  for (int i = 0; i < 6; ++i) {
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = hex(s[i * 3]), lo = hex(s[i * 3 + 1]);
    if (hi < 0 || lo < 0) return false;
    if (i < 5 && s[i * 3 + 2] != ':') return false;
    (*out)[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return true;
}

bool ParseUint(std::string_view s, uint64_t max, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > max) return false;
  }
  *out = v;
  return true;
}

Family FamilyOf(std::string_view addr) {
  return addr.find(':') != std::string_view::npos ? Family::kIPv6 : Family::kIPv4;
}

// ADDR[/LEN] with the address's host bits kept.  `why` on failure.
bool ParseCidr(std::string_view text, HostAddr* out, std::string* why) {
  size_t slash = text.find('/');
  std::string_view a = text.substr(0, slash);
  Family f = FamilyOf(a);
  HostAddr h;
  h.family = f;
  if (!ParseIpAddr(f, a, &h.addr) || (f == Family::kIPv4 && std::count(a.begin(), a.end(), '.') != 3)) {
    *why = "invalid address " + Quote(a);
    return false;
  }
  h.prefix_len = f == Family::kIPv4 ? 32 : 128;
  if (slash != std::string_view::npos) {
    uint64_t len;
    if (!ParseUint(text.substr(slash + 1), f == Family::kIPv4 ? 32 : 128, &len)) {
      *why = "invalid prefix length " + Quote(text.substr(slash + 1)) + " (0-" +
             (f == Family::kIPv4 ? "32" : "128") + ")";
      return false;
    }
    h.prefix_len = static_cast<int>(len);
  }
  *out = h;
  return true;
}

// The routes the kernel adds for the addresses (fib_add_ifaddr and
// addrconf): local and broadcast routes in the local table, the prefix
// route in main; IPv6 also fe80::/64 and ff00::/8 on every device.
void AddKernelRoutes(HostModel* h) {
  auto add = [&](HostRoute r) {
    for (const HostRoute& o : h->routes)
      if (o.family == r.family && o.table == r.table && o.type == r.type && o.dst == r.dst &&
          o.prefix_len == r.prefix_len && o.dev == r.dev && o.metric == r.metric)
        return;
    r.kernel = true;
    h->routes.push_back(r);
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
          p.dst = Masked(a.family, a.addr, a.prefix_len);
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
          p.dst = Masked(a.family, a.addr, a.prefix_len);
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
}

HostIface MakeLo() {
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

const std::vector<std::string_view> kDirectives = {"iface", "route",  "forward",  "sysctl",
                                                   "settle", "family", "nodefault"};

// Adds a route as `ip route add` would, or reports why the kernel refuses it
// (`line`: the token errors about the whole line point at).
bool AddRoute(Ctx& c, HostModel* h, std::string_view line, const std::vector<std::string_view>& w) {
  HostRoute r;
  size_t i = 0;
  static const std::pair<std::string_view, RouteType> kTypes[] = {
      {"unicast", RouteType::kUnicast},         {"local", RouteType::kLocal},
      {"blackhole", RouteType::kBlackhole},     {"unreachable", RouteType::kUnreachable},
      {"prohibit", RouteType::kProhibit},       {"broadcast", RouteType::kBroadcast},
      {"throw", RouteType::kThrow},             {"anycast", RouteType::kAnycast},
  };
  bool table_given = false;
  if (i < w.size())
    for (const auto& [name, type] : kTypes)
      if (w[i] == name) {
        r.type = type;
        ++i;
        break;
      }
  if (i >= w.size()) {
    c.Error(line, "route: missing PREFIX (or default)");
    return false;
  }
  std::string_view prefix_tok = w[i++];
  std::optional<Family> family;
  std::string_view dst_text = prefix_tok;
  if (prefix_tok != "default") family = FamilyOf(prefix_tok);
  std::string_view via_tok, dev_tok, src_tok;
  uint64_t metric = 0;
  bool metric_given = false;
  while (i < w.size()) {
    std::string_view k = w[i];
    auto need = [&]() -> std::string_view {
      if (i + 1 >= w.size()) {
        c.Error(k, "route: '" + std::string(k) + "' needs an argument");
        return {};
      }
      i += 2;
      return w[i - 1];
    };
    if (k == "via") {
      via_tok = need();
      if (via_tok.empty()) return false;
    } else if (k == "dev") {
      dev_tok = need();
      if (dev_tok.empty()) return false;
    } else if (k == "metric" || k == "priority" || k == "preference") {
      std::string_view v = need();
      if (v.empty()) return false;
      if (!ParseUint(v, 0xffffffffu, &metric)) {
        c.Error(v, "route: invalid metric " + Quote(v) + " (0-4294967295)");
        return false;
      }
      metric_given = true;
    } else if (k == "src") {
      src_tok = need();
      if (src_tok.empty()) return false;
    } else if (k == "table") {
      std::string_view v = need();
      if (v.empty()) return false;
      uint64_t t;
      if (v == "local") r.table = kTableLocal;
      else if (v == "main") r.table = kTableMain;
      else if (v == "default") r.table = kTableDefault;
      else if (ParseUint(v, 0xffffffffu, &t) && t > 0) r.table = static_cast<uint32_t>(t);
      else {
        c.Error(v, "route: invalid table " + Quote(v) + " (local, main, default or a number)");
        return false;
      }
      table_given = true;
    } else {
      std::string hint = ClosestName(k, {"via", "dev", "metric", "src", "table"});
      c.Error(k, "route: unknown word " + Quote(k) +
                     (hint.empty() ? " (expected via, dev, metric, src or table)"
                                   : " (did you mean '" + hint + "'?)"));
      return false;
    }
  }
  if (!family && !via_tok.empty()) family = FamilyOf(via_tok);
  if (!family && !src_tok.empty()) family = FamilyOf(src_tok);
  if (!family) family = Family::kIPv4;
  r.family = *family;
  const Family f = *family;
  if (dst_text == "default") {
    r.prefix_len = 0;
  } else {
    HostAddr a;
    std::string why;
    if (!ParseCidr(dst_text, &a, &why)) {
      c.Error(prefix_tok, "route: " + why);
      return false;
    }
    if (Masked(f, a.addr, a.prefix_len) != a.addr) {
      c.Error(prefix_tok, "route: " + Quote(dst_text) + " has host bits set (the kernel refuses it: "
                          "Invalid prefix for given prefix length; did you mean " +
                          FormatIpAddr(f, Masked(f, a.addr, a.prefix_len)) + "/" +
                          std::to_string(a.prefix_len) + "?)");
      return false;
    }
    r.dst = a.addr;
    r.prefix_len = a.prefix_len;
  }
  if (!table_given && (r.type == RouteType::kLocal || r.type == RouteType::kBroadcast ||
                       r.type == RouteType::kAnycast))
    r.table = kTableLocal;  // as iproute2 does for these types
  r.metric = static_cast<uint32_t>(metric_given ? metric : (f == Family::kIPv6 ? 1024 : 0));
  if (!dev_tok.empty()) {
    r.dev = h->IfaceIndex(dev_tok);
    if (r.dev < 0) {
      std::vector<std::string_view> names;
      for (const HostIface& ifc : h->ifaces) names.push_back(ifc.name);
      std::string hint = ClosestName(dev_tok, names);
      c.Error(dev_tok, "route: unknown interface " + Quote(dev_tok) +
                           (hint.empty() ? " (declare it with 'iface')" : " (did you mean '" + hint + "'?)"));
      return false;
    }
  }
  if (IsErrorType(r.type)) {
    if (!via_tok.empty()) {
      c.Error(via_tok, "route: a " + std::string(RouteTypeName(r.type)) + " route has no gateway");
      return false;
    }
    if (f == Family::kIPv6 && r.dev < 0) r.dev = 0;  // IPv6 puts reject routes on lo
  } else if (dev_tok.empty() && via_tok.empty()) {
    c.Error(prefix_tok, "route: needs 'dev NAME' or 'via ADDR' (the kernel refuses a route "
                        "without a nexthop)");
    return false;
  }
  if (!via_tok.empty()) {
    IpAddr gw;
    if (FamilyOf(via_tok) != f || !ParseIpAddr(f, via_tok, &gw) ||
        (f == Family::kIPv4 && std::count(via_tok.begin(), via_tok.end(), '.') != 3)) {
      c.Error(via_tok, "route: invalid " + std::string(f == Family::kIPv4 ? "IPv4" : "IPv6") +
                           " gateway " + Quote(via_tok));
      return false;
    }
    if (h->IsLocalAddress(f, gw)) {
      c.Error(via_tok, "route: gateway " + Quote(via_tok) +
                           " is an address of this host (the kernel refuses it: Nexthop has "
                           "invalid gateway)");
      return false;
    }
    // fib_check_nh / ip6_validate_gw: the gateway must be on a connected
    // network (a route without a gateway), through `dev` when given.
    const HostRoute* to = h->Lookup(f, gw, r.dev);
    if (!to || to->via || to->type != RouteType::kUnicast || to->dev < 0) {
      c.Error(via_tok, "route: gateway " + Quote(via_tok) + " is not on a connected network" +
                           (dev_tok.empty() ? "" : " of " + std::string(dev_tok)) +
                           " (the kernel refuses it: Nexthop has invalid gateway)");
      return false;
    }
    if (r.dev < 0) r.dev = to->dev;
    r.via = gw;
  }
  if (!src_tok.empty()) {
    IpAddr s;
    if (FamilyOf(src_tok) != f || !ParseIpAddr(f, src_tok, &s)) {
      c.Error(src_tok, "route: invalid source address " + Quote(src_tok));
      return false;
    }
    if (!h->IsLocalAddress(f, s)) {
      c.Error(src_tok, "route: src " + Quote(src_tok) +
                           " is not an address of this host (the kernel refuses it: Invalid "
                           "prefsrc address)");
      return false;
    }
    r.src = s;
  }
  for (const HostRoute& o : h->routes)
    if (o.family == f && o.table == r.table && o.dst == r.dst && o.prefix_len == r.prefix_len &&
        o.metric == r.metric) {
      c.Error(prefix_tok, "route: " + std::string(dst_text) + " metric " + std::to_string(r.metric) +
                              " exists already" +
                              (o.kernel ? " (the kernel's route for an address)" : "") +
                              " (the kernel refuses it: File exists)");
      return false;
    }
  h->routes.push_back(r);
  return true;
}

// A setting of forwarding from a sysctl, if the key is one.
void ApplySysctl(HostModel* h, const std::string& key, const std::string& value) {
  h->sysctls[key] = value;
  bool on = atoi(value.c_str()) != 0;
  if (key == "net.ipv4.ip_forward" || key == "net.ipv4.conf.all.forwarding") h->forward4 = on;
  if (key == "net.ipv6.conf.all.forwarding") h->forward6 = on;
}

bool ValidSysctlKey(std::string_view k) {
  if (k.empty() || k.size() > 200 || k.front() == '.' || k.back() == '.') return false;
  for (char c : k)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '/'))
      return false;
  return true;
}

bool ParseNative(Ctx& c, HostModel* h) {
  struct Line {
    std::string_view text;
    std::vector<std::string_view> words;
  };
  std::vector<Line> lines;
  size_t pos = 0;
  while (pos <= c.text.size()) {
    size_t e = c.text.find('\n', pos);
    std::string_view l = c.text.substr(pos, e == std::string_view::npos ? std::string_view::npos : e - pos);
    pos = e == std::string_view::npos ? c.text.size() + 1 : e + 1;
    size_t hash = l.find('#');
    std::string_view code = l.substr(0, hash);
    Line line{l, {}};
    size_t i = 0;
    while (i < code.size()) {
      while (i < code.size() && (code[i] == ' ' || code[i] == '\t' || code[i] == '\r')) ++i;
      size_t b = i;
      while (i < code.size() && !(code[i] == ' ' || code[i] == '\t' || code[i] == '\r')) ++i;
      if (i > b) line.words.push_back(code.substr(b, i - b));
    }
    if (!line.words.empty()) lines.push_back(std::move(line));
  }
  h->ifaces.push_back(MakeLo());
  std::map<std::string, std::string_view> iface_at;
  // Interfaces first (their addresses make the kernel's routes), then the rest in order.
  for (const Line& l : lines) {
    std::string_view d = l.words[0];
    if (d != "iface") continue;
    if (l.words.size() != 2) {
      c.Error(l.words.size() < 2 ? d : l.words[2],
              "iface: expected one NAME[,mac=MAC][,peer=MAC][,addr=CIDR]...[,mtu=N][,tun] (no spaces)");
      continue;
    }
    std::string_view spec = l.words[1];
    std::vector<std::string_view> parts;
    size_t b = 0;
    while (true) {
      size_t comma = spec.find(',', b);
      parts.push_back(spec.substr(b, comma == std::string_view::npos ? std::string_view::npos : comma - b));
      if (comma == std::string_view::npos) break;
      b = comma + 1;
    }
    HostIface ifc;
    ifc.name = std::string(parts[0]);
    if (!ValidIfname(parts[0])) {
      c.Error(parts[0].empty() ? spec : parts[0],
              "iface: invalid interface name " + Quote(parts[0]) +
                  " (1-15 characters, no '/', ':', ',', '=' or blanks)");
      continue;
    }
    if (parts[0] == "lo") {
      c.Error(parts[0], "iface: 'lo' is always present (127.0.0.1/8, ::1/128); do not declare it");
      continue;
    }
    if (iface_at.count(ifc.name)) {
      size_t line_no = 1 + static_cast<size_t>(std::count(c.text.begin(), c.text.begin() + c.Off(iface_at[ifc.name]), '\n'));
      c.Error(parts[0], "iface: duplicate interface " + Quote(parts[0]) + " (first declared on line " +
                            std::to_string(line_no) + ")");
      continue;
    }
    bool ok = true;
    for (size_t k = 1; k < parts.size() && ok; ++k) {
      std::string_view p = parts[k];
      size_t eq = p.find('=');
      std::string_view key = p.substr(0, eq), val = eq == std::string_view::npos ? "" : p.substr(eq + 1);
      if (key == "tun" && eq == std::string_view::npos) {
        ifc.tun = true;
      } else if ((key == "mac" || key == "peer") && eq != std::string_view::npos) {
        std::array<uint8_t, 6> m;
        if (!ParseMac(val, &m)) {
          c.Error(val.empty() ? p : val, "iface: invalid MAC address " + Quote(val) + " (xx:xx:xx:xx:xx:xx)");
          ok = false;
        } else if (key == "mac") {
          ifc.mac = m;
        } else {
          ifc.peer = m;
        }
      } else if (key == "addr" && eq != std::string_view::npos) {
        HostAddr a;
        std::string why;
        if (!ParseCidr(val, &a, &why)) {
          c.Error(val.empty() ? p : val, "iface: " + why);
          ok = false;
        } else {
          for (const HostAddr& o : ifc.addrs)
            if (o.family == a.family && o.addr == a.addr) {
              c.Error(val, "iface: address " + Quote(val) + " given twice (the kernel refuses it: File exists)");
              ok = false;
            }
          ifc.addrs.push_back(a);
        }
      } else if (key == "mtu" && eq != std::string_view::npos) {
        uint64_t m;
        if (!ParseUint(val, 65535, &m) || m < 68) {
          c.Error(val.empty() ? p : val, "iface: invalid mtu " + Quote(val) + " (68-65535)");
          ok = false;
        } else {
          ifc.mtu = static_cast<uint32_t>(m);
        }
      } else {
        std::string hint = ClosestName(key, {"mac", "peer", "addr", "mtu", "tun"});
        c.Error(p.empty() ? spec : p, "iface: unknown setting " + Quote(p) +
                                          (hint.empty() ? " (mac=, peer=, addr=, mtu= or tun)"
                                                        : " (did you mean '" + hint + "'?)"));
        ok = false;
      }
    }
    if (!ok) continue;
    if (ifc.tun && ifc.mac) {
      c.Error(spec, "iface: a tun device has no MAC address");
      continue;
    }
    ifc.ifindex = static_cast<int>(h->ifaces.size()) + 1;
    iface_at[ifc.name] = parts[0];
    h->ifaces.push_back(std::move(ifc));
  }
  AddKernelRoutes(h);
  for (const Line& l : lines) {
    std::string_view d = l.words[0];
    const auto& w = l.words;
    if (d == "iface") continue;
    if (d == "route") {
      std::vector<std::string_view> args(w.begin() + 1, w.end());
      if (AddRoute(c, h, d, args)) {
        std::string text;
        for (std::string_view a : args) text += (text.empty() ? "" : " ") + std::string(a);
        h->lab_routes.push_back(text);
      }
    } else if (d == "forward") {
      if (w.size() > 2 || (w.size() == 2 && w[1] != "on" && w[1] != "off")) {
        c.Error(w.size() > 2 ? w[2] : w[1], "forward: expected 'forward', 'forward on' or 'forward off'");
        continue;
      }
      bool on = w.size() == 1 || w[1] == "on";
      ApplySysctl(h, "net.ipv4.ip_forward", on ? "1" : "0");
      ApplySysctl(h, "net.ipv6.conf.all.forwarding", on ? "1" : "0");
    } else if (d == "sysctl") {
      if (w.size() != 2 || w[1].find('=') == std::string_view::npos) {
        c.Error(w.size() > 2 ? w[2] : w.size() == 2 ? w[1] : d, "sysctl: expected KEY=VALUE (no spaces)");
        continue;
      }
      std::string_view kv = w[1];
      size_t eq = kv.find('=');
      std::string_view key = kv.substr(0, eq), val = kv.substr(eq + 1);
      if (!ValidSysctlKey(key)) {
        c.Error(kv, "sysctl: invalid key " + Quote(key));
        continue;
      }
      if (val.empty()) {
        c.Error(kv, "sysctl: empty value for " + Quote(key));
        continue;
      }
      std::string k(key);
      std::replace(k.begin(), k.end(), '/', '.');
      uint64_t n;
      if ((k == "net.ipv4.ip_forward" || k.find(".forwarding") != std::string::npos ||
           k.find(".rp_filter") != std::string::npos || k.find(".accept_local") != std::string::npos) &&
          !ParseUint(val, 2, &n)) {
        c.Error(val, "sysctl: " + Quote(key) + " takes 0, 1 (or 2 for rp_filter), not " + Quote(val));
        continue;
      }
      ApplySysctl(h, k, std::string(val));
    } else if (d == "settle") {
      uint64_t n;
      if (w.size() != 2 || !ParseUint(w[1], 600000, &n))
        c.Error(w.size() >= 2 ? w[1] : d, "settle: expected a number of milliseconds");
      else
        h->settle_ms = static_cast<int>(n);
    } else if (d == "family") {
      if (w.size() != 2 || (w[1] != "4" && w[1] != "6"))
        c.Error(w.size() >= 2 ? w[1] : d, "family: expected 4 or 6");
      else
        h->lab_family = w[1] == "4" ? 4 : 6;
    } else if (d == "nodefault") {
      if (w.size() != 1) c.Error(w[1], "nodefault: takes no argument");
      h->nodefault = true;
    } else {
      std::string hint = ClosestName(d, kDirectives);
      c.Error(d, "unknown directive " + Quote(d) +
                     (hint.empty() ? " (iface, route, forward or sysctl)" : " (did you mean '" + hint + "'?)"));
    }
  }
  return !c.failed;
}

// ---------------------------------------------------------------------------
// A small JSON reader (RFC 8259), with the offset of every value for errors.

struct Json {
  enum Kind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject } kind = kNull;
  size_t at = 0, len = 1;  // where the value is written
  bool b = false;
  double num = 0;
  std::string str;
  std::vector<Json> items;       // array elements, or object member values
  std::vector<std::string> keys;  // object member names (items[i] is keys[i]'s value)
  std::vector<std::pair<size_t, size_t>> member_at;  // where each member's name is written

  const Json* Get(std::string_view k) const {
    for (size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == k) return &items[i];
    return nullptr;
  }
};

class JsonReader {
 public:
  JsonReader(Ctx& c) : c_(c), s_(c.text) {}
  bool Read(Json* out) {
    Skip();
    if (!Value(out, 0)) return false;
    Skip();
    if (i_ < s_.size()) return Fail("unexpected text after the JSON value");
    return true;
  }

 private:
  bool Fail(std::string msg) {
    c_.ErrorAt(i_, 1, "JSON: " + msg);
    return false;
  }
  void Skip() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool Lit(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return Fail("invalid literal");
    i_ += w.size();
    return true;
  }
  bool Value(Json* v, int depth) {
    if (depth > 64) return Fail("nested too deeply");
    if (i_ >= s_.size()) return Fail("unexpected end of input");
    v->at = i_;
    char ch = s_[i_];
    bool ok;
    if (ch == '{') ok = Object(v, depth);
    else if (ch == '[') ok = Array(v, depth);
    else if (ch == '"') {
      v->kind = Json::kString;
      ok = String(&v->str);
    } else if (ch == 't') {
      v->kind = Json::kBool;
      v->b = true;
      ok = Lit("true");
    } else if (ch == 'f') {
      v->kind = Json::kBool;
      ok = Lit("false");
    } else if (ch == 'n') {
      ok = Lit("null");
    } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
      ok = Number(v);
    } else {
      return Fail(std::string("unexpected character ") + Quote(std::string_view(&s_[i_], 1)));
    }
    v->len = i_ > v->at ? i_ - v->at : 1;
    return ok;
  }
  bool Number(Json* v) {
    size_t b = i_;
    if (s_[i_] == '-') ++i_;
    if (i_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[i_]))) return Fail("invalid number");
    if (s_[i_] == '0') ++i_;
    else while (i_ < s_.size() && isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (i_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[i_]))) return Fail("invalid number");
      while (i_ < s_.size() && isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (i_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[i_]))) return Fail("invalid number");
      while (i_ < s_.size() && isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    v->kind = Json::kNumber;
    v->num = strtod(std::string(s_.substr(b, i_ - b)).c_str(), nullptr);
    return true;
  }
  bool Hex4(uint32_t* out) {
    if (i_ + 4 > s_.size()) return Fail("invalid \\u escape");
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      char ch = s_[i_++];
      int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
              : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
      if (d < 0) return Fail("invalid \\u escape");
      v = v << 4 | static_cast<uint32_t>(d);
    }
    *out = v;
    return true;
  }
  bool String(std::string* out) {
    ++i_;  // "
    while (true) {
      if (i_ >= s_.size()) return Fail("unterminated string");
      char ch = s_[i_];
      if (ch == '"') {
        ++i_;
        return true;
      }
      if (static_cast<unsigned char>(ch) < 0x20) return Fail("control character in a string");
      if (ch != '\\') {
        *out += ch;
        ++i_;
        continue;
      }
      ++i_;
      if (i_ >= s_.size()) return Fail("unterminated string");
      char e = s_[i_++];
      switch (e) {
        case '"': *out += '"'; break;
        case '\\': *out += '\\'; break;
        case '/': *out += '/'; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xd800 && cp < 0xdc00 && s_.substr(i_, 2) == "\\u") {
            i_ += 2;
            uint32_t lo;
            if (!Hex4(&lo)) return false;
            if (lo >= 0xdc00 && lo < 0xe000) cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          }
          // UTF-8
          if (cp < 0x80) *out += static_cast<char>(cp);
          else if (cp < 0x800) {
            *out += static_cast<char>(0xc0 | cp >> 6);
            *out += static_cast<char>(0x80 | (cp & 0x3f));
          } else if (cp < 0x10000) {
            *out += static_cast<char>(0xe0 | cp >> 12);
            *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            *out += static_cast<char>(0x80 | (cp & 0x3f));
          } else {
            *out += static_cast<char>(0xf0 | cp >> 18);
            *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
            *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            *out += static_cast<char>(0x80 | (cp & 0x3f));
          }
          break;
        }
        default:
          --i_;
          return Fail("invalid escape in a string");
      }
    }
  }
  bool Array(Json* v, int depth) {
    v->kind = Json::kArray;
    ++i_;
    Skip();
    if (i_ < s_.size() && s_[i_] == ']') {
      ++i_;
      return true;
    }
    while (true) {
      Skip();
      v->items.emplace_back();
      if (!Value(&v->items.back(), depth + 1)) return false;
      Skip();
      if (i_ >= s_.size()) return Fail("unterminated array");
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] == ']') {
        ++i_;
        return true;
      }
      return Fail("expected ',' or ']'");
    }
  }
  bool Object(Json* v, int depth) {
    v->kind = Json::kObject;
    ++i_;
    Skip();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return true;
    }
    while (true) {
      Skip();
      if (i_ >= s_.size() || s_[i_] != '"') return Fail("expected a member name in double quotes");
      std::string name;
      size_t name_at = i_;
      if (!String(&name)) return false;
      v->member_at.emplace_back(name_at, i_ - name_at);
      Skip();
      if (i_ >= s_.size() || s_[i_] != ':') return Fail("expected ':'");
      ++i_;
      Skip();
      v->keys.push_back(std::move(name));
      v->items.emplace_back();
      if (!Value(&v->items.back(), depth + 1)) return false;
      Skip();
      if (i_ >= s_.size()) return Fail("unterminated object");
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] == '}') {
        ++i_;
        return true;
      }
      return Fail("expected ',' or '}'");
    }
  }

  Ctx& c_;
  std::string_view s_;
  size_t i_ = 0;
};

const char* KindName(Json::Kind k) {
  switch (k) {
    case Json::kNull: return "null";
    case Json::kBool: return "a boolean";
    case Json::kNumber: return "a number";
    case Json::kString: return "a string";
    case Json::kArray: return "an array";
    case Json::kObject: return "an object";
  }
  return "";
}

bool Expect(Ctx& c, const Json& v, Json::Kind k, std::string_view what) {
  if (v.kind == k) return true;
  c.ErrorAt(v.at, v.len, std::string(what) + " must be " + KindName(k) + ", not " + KindName(v.kind));
  return false;
}

// A flag: true/false or 0/1 (as /proc prints it).
bool JsonFlag(Ctx& c, const Json& v, std::string_view what, bool* out) {
  if (v.kind == Json::kBool) {
    *out = v.b;
    return true;
  }
  if (v.kind == Json::kNumber && (v.num == 0 || v.num == 1)) {
    *out = v.num != 0;
    return true;
  }
  c.ErrorAt(v.at, v.len, std::string(what) + " must be true, false, 0 or 1");
  return false;
}

bool ParseJsonAddr(Ctx& c, const Json& addr, HostModel* h) {
  if (!Expect(c, addr, Json::kArray, "\"addr\" (the output of ip -j addr show)")) return false;
  for (const Json& e : addr.items) {
    if (!Expect(c, e, Json::kObject, "an \"addr\" entry")) return false;
    const Json* name = e.Get("ifname");
    if (!name || name->kind != Json::kString || !ValidIfname(name->str)) {
      c.ErrorAt(name ? name->at : e.at, name ? name->len : 1,
                "an \"addr\" entry needs \"ifname\": a valid interface name");
      return false;
    }
    HostIface ifc;
    ifc.name = name->str;
    if (h->IfaceIndex(ifc.name) >= 0) {
      c.ErrorAt(name->at, name->len, "duplicate interface " + Quote(ifc.name));
      return false;
    }
    if (const Json* x = e.Get("ifindex"); x && x->kind == Json::kNumber && x->num >= 1 && x->num < 1e9)
      ifc.ifindex = static_cast<int>(x->num);
    if (const Json* x = e.Get("mtu"); x && x->kind == Json::kNumber && x->num >= 0 && x->num < 1e9)
      ifc.mtu = static_cast<uint32_t>(x->num);
    if (const Json* x = e.Get("flags"); x && x->kind == Json::kArray)
      for (const Json& fl : x->items)
        if (fl.kind == Json::kString && fl.str == "LOOPBACK") ifc.loopback = true;
    std::string link_type;
    if (const Json* x = e.Get("link_type"); x && x->kind == Json::kString) link_type = x->str;
    if (link_type == "none") ifc.tun = true;
    if (link_type == "loopback") ifc.loopback = true;
    if (const Json* x = e.Get("address"); x && x->kind == Json::kString && !ifc.tun) {
      std::array<uint8_t, 6> m;
      if (ParseMac(x->str, &m)) ifc.mac = m;
    }
    if (const Json* ai = e.Get("addr_info")) {
      if (!Expect(c, *ai, Json::kArray, "\"addr_info\"")) return false;
      for (const Json& a : ai->items) {
        if (!Expect(c, a, Json::kObject, "an \"addr_info\" entry")) return false;
        const Json* fam = a.Get("family");
        const Json* local = a.Get("local");
        const Json* plen = a.Get("prefixlen");
        if (!fam || fam->kind != Json::kString) continue;
        if (fam->str != "inet" && fam->str != "inet6") continue;  // other families (e.g. mpls)
        if (!local || local->kind != Json::kString) {
          c.ErrorAt(a.at, 1, "an \"addr_info\" entry needs \"local\": the address");
          return false;
        }
        HostAddr ha;
        ha.family = fam->str == "inet" ? Family::kIPv4 : Family::kIPv6;
        if (!ParseIpAddr(ha.family, local->str, &ha.addr)) {
          c.ErrorAt(local->at, local->len, "invalid " + std::string(fam->str == "inet" ? "IPv4" : "IPv6") +
                                               " address " + Quote(local->str));
          return false;
        }
        int max = ha.family == Family::kIPv4 ? 32 : 128;
        ha.prefix_len = max;
        if (plen) {
          if (plen->kind != Json::kNumber || plen->num < 0 || plen->num > max ||
              plen->num != static_cast<int>(plen->num)) {
            c.ErrorAt(plen->at, plen->len, "\"prefixlen\" must be 0-" + std::to_string(max));
            return false;
          }
          ha.prefix_len = static_cast<int>(plen->num);
        }
        ifc.addrs.push_back(ha);
      }
    }
    h->ifaces.push_back(std::move(ifc));
  }
  if (h->IfaceIndex("lo") < 0) h->ifaces.insert(h->ifaces.begin(), MakeLo());
  for (size_t i = 0; i < h->ifaces.size(); ++i)
    if (h->ifaces[i].ifindex == 0) h->ifaces[i].ifindex = static_cast<int>(i) + 1;
  return true;
}

bool ParseJsonRoutes(Ctx& c, const Json& list, Family default_family, HostModel* h) {
  if (!Expect(c, list, Json::kArray, "a route list (the output of ip -j route show table all)"))
    return false;
  for (const Json& e : list.items) {
    if (!Expect(c, e, Json::kObject, "a route entry")) return false;
    HostRoute r;
    const Json* dst = e.Get("dst");
    if (!dst || dst->kind != Json::kString) {
      c.ErrorAt(e.at, 1, "a route entry needs \"dst\"");
      return false;
    }
    const Json* gw = e.Get("gateway");
    Family f = default_family;
    if (dst->str != "default") f = FamilyOf(dst->str);
    else if (gw && gw->kind == Json::kString) f = FamilyOf(gw->str);
    r.family = f;
    if (const Json* t = e.Get("type")) {
      if (!Expect(c, *t, Json::kString, "\"type\"")) return false;
      static const std::pair<std::string_view, RouteType> kTypes[] = {
          {"unicast", RouteType::kUnicast},     {"local", RouteType::kLocal},
          {"broadcast", RouteType::kBroadcast}, {"anycast", RouteType::kAnycast},
          {"multicast", RouteType::kMulticast}, {"blackhole", RouteType::kBlackhole},
          {"unreachable", RouteType::kUnreachable}, {"prohibit", RouteType::kProhibit},
          {"throw", RouteType::kThrow},
      };
      bool found = false;
      for (const auto& [n, ty] : kTypes)
        if (t->str == n) {
          r.type = ty;
          found = true;
        }
      if (!found) {
        c.ErrorAt(t->at, t->len, "route type " + Quote(t->str) + " is not modelled (unicast, local, "
                                 "broadcast, anycast, multicast, blackhole, unreachable, prohibit, throw)");
        return false;
      }
    }
    if (dst->str == "default") {
      r.prefix_len = 0;
    } else {
      HostAddr a;
      std::string why;
      if (!ParseCidr(dst->str, &a, &why)) {
        c.ErrorAt(dst->at, dst->len, "route: " + why);
        return false;
      }
      r.dst = Masked(f, a.addr, a.prefix_len);
      r.prefix_len = a.prefix_len;
    }
    if (const Json* t = e.Get("table")) {
      if (t->kind == Json::kString) {
        uint64_t n;
        if (t->str == "local") r.table = kTableLocal;
        else if (t->str == "main") r.table = kTableMain;
        else if (t->str == "default") r.table = kTableDefault;
        else if (ParseUint(t->str, 0xffffffffu, &n)) r.table = static_cast<uint32_t>(n);
        else r.table = 0;  // a named table: policy routing, not consulted
      } else if (t->kind == Json::kNumber && t->num >= 0 && t->num < 4294967296.0) {
        r.table = static_cast<uint32_t>(t->num);
      }
    }
    if (const Json* d = e.Get("dev")) {
      if (!Expect(c, *d, Json::kString, "\"dev\"")) return false;
      r.dev = h->IfaceIndex(d->str);
      if (r.dev < 0) {
        c.ErrorAt(d->at, d->len, "route: unknown interface " + Quote(d->str) + " (not in \"addr\")");
        return false;
      }
    }
    if (gw) {
      IpAddr g;
      if (gw->kind != Json::kString || FamilyOf(gw->str) != f || !ParseIpAddr(f, gw->str, &g)) {
        c.ErrorAt(gw->at, gw->len, "route: invalid gateway");
        return false;
      }
      r.via = g;
    }
    if (const Json* s = e.Get("prefsrc")) {
      IpAddr a;
      if (s->kind != Json::kString || FamilyOf(s->str) != f || !ParseIpAddr(f, s->str, &a)) {
        c.ErrorAt(s->at, s->len, "route: invalid \"prefsrc\"");
        return false;
      }
      r.src = a;
    }
    if (const Json* m = e.Get("metric")) {
      if (m->kind != Json::kNumber || m->num < 0 || m->num >= 4294967296.0) {
        c.ErrorAt(m->at, m->len, "route: \"metric\" must be 0-4294967295");
        return false;
      }
      r.metric = static_cast<uint32_t>(m->num);
    }
    if (const Json* p = e.Get("protocol"); p && p->kind == Json::kString) r.kernel = p->str == "kernel";
    if (const Json* nh = e.Get("nexthops")) {
      c.ErrorAt(nh->at, nh->len, "route to " + dst->str +
                                     ": multipath routes (nexthops) are not modelled: keep one nexthop");
      return false;
    }
    if (!IsErrorType(r.type) && r.dev < 0) {
      c.ErrorAt(e.at, 1, "route to " + dst->str + " has no \"dev\"");
      return false;
    }
    bool dup = false;
    for (const HostRoute& o : h->routes)
      if (o.family == r.family && o.table == r.table && o.type == r.type && o.dst == r.dst &&
          o.prefix_len == r.prefix_len && o.dev == r.dev && o.metric == r.metric && o.via == r.via)
        dup = true;  // "route" from `ip route show table all` lists IPv6 too
    if (!dup) h->routes.push_back(r);
  }
  return true;
}

bool ParseJson(Ctx& c, HostModel* h) {
  Json root;
  JsonReader reader(c);
  if (!reader.Read(&root)) return false;
  if (!Expect(c, root, Json::kObject, "the host file")) return false;
  const Json* addr = root.Get("addr");
  if (!addr) {
    c.ErrorAt(root.at, 1, "the host file needs \"addr\" (the output of ip -j addr show)");
    return false;
  }
  if (!ParseJsonAddr(c, *addr, h)) return false;
  static const std::vector<std::string_view> kKeys = {
      "addr", "route", "route6", "forward", "ip_forward", "ipv6_forwarding", "rp_filter", "sysctl"};
  for (size_t m = 0; m < root.keys.size(); ++m) {
    const std::string& key = root.keys[m];
    const Json& v = root.items[m];
    if (key == "addr") continue;
    if (key == "route" || key == "route6") {
      if (!ParseJsonRoutes(c, v, key == "route" ? Family::kIPv4 : Family::kIPv6, h)) return false;
    } else if (key == "forward" || key == "ip_forward" || key == "ipv6_forwarding") {
      bool on;
      if (!JsonFlag(c, v, "\"" + key + "\"", &on)) return false;
      if (key != "ipv6_forwarding") ApplySysctl(h, "net.ipv4.ip_forward", on ? "1" : "0");
      if (key != "ip_forward") ApplySysctl(h, "net.ipv6.conf.all.forwarding", on ? "1" : "0");
    } else if (key == "rp_filter") {
      if (v.kind != Json::kNumber || (v.num != 0 && v.num != 1 && v.num != 2)) {
        c.ErrorAt(v.at, v.len, "\"rp_filter\" must be 0, 1 or 2");
        return false;
      }
      ApplySysctl(h, "net.ipv4.conf.all.rp_filter", std::to_string(static_cast<int>(v.num)));
    } else if (key == "sysctl") {
      if (!Expect(c, v, Json::kObject, "\"sysctl\"")) return false;
      for (size_t n = 0; n < v.keys.size(); ++n) {
        const std::string& k = v.keys[n];
        const Json& val = v.items[n];
        std::string text;
        if (val.kind == Json::kString) text = val.str;
        else if (val.kind == Json::kNumber && val.num == static_cast<long long>(val.num))
          text = std::to_string(static_cast<long long>(val.num));
        else {
          c.ErrorAt(val.at, val.len, "a sysctl value must be a string or an integer");
          return false;
        }
        if (!ValidSysctlKey(k)) {
          c.ErrorAt(val.at, val.len, "invalid sysctl key " + Quote(k));
          return false;
        }
        std::string key2 = k;
        std::replace(key2.begin(), key2.end(), '/', '.');
        ApplySysctl(h, key2, text);
      }
    } else {
      std::string hint = ClosestName(key, kKeys);
      c.ErrorAt(root.member_at[m].first, root.member_at[m].second, "unknown member " + Quote(key) +
                                 (hint.empty() ? " (addr, route, route6, forward, ip_forward, "
                                                 "ipv6_forwarding, rp_filter, sysctl)"
                                               : " (did you mean '" + hint + "'?)"));
      return false;
    }
  }
  return true;
}

}  // namespace

bool ParseHostModel(std::string_view text, const std::string& file, HostModel* out,
                    DiagnosticSink* diags) {
  *out = HostModel{};
  out->file = file;
  Ctx c{text, file, diags};
  size_t first = text.find_first_not_of(" \t\r\n");
  bool ok = first != std::string_view::npos && text[first] == '{' ? ParseJson(c, out)
                                                                   : ParseNative(c, out);
  return ok && !c.failed;
}

bool LoadHostFile(const std::string& path, HostModel* out, DiagnosticSink* diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Diagnostic d;
    d.file = path;
    d.message = std::string("cannot read the host file: ") + strerror(errno);
    diags->Add(std::move(d));
    return false;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  return ParseHostModel(text, path, out, diags);
}

}  // namespace iptsim
