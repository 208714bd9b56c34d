#include "loader/host_json.h"

#include <algorithm>
#include <string>
#include <vector>

#include "base/diagnostics.h"
#include "base/mac.h"
#include "loader/json.h"

namespace iptsim::host_file {

namespace {

bool Expect(Source& c, const JsonValue& v, JsonValue::Kind k, std::string_view what) {
  if (v.kind == k) return true;
  c.ErrorAt(v.at, v.len, std::string(what) + " must be " + JsonKindName(k) + ", not " + JsonKindName(v.kind));
  return false;
}

// A flag: true/false or 0/1 (as /proc prints it).
bool JsonFlag(Source& c, const JsonValue& v, std::string_view what, bool* out) {
  if (v.kind == JsonValue::kBool) {
    *out = v.b;
    return true;
  }
  if (v.kind == JsonValue::kNumber && (v.num == 0 || v.num == 1)) {
    *out = v.num != 0;
    return true;
  }
  c.ErrorAt(v.at, v.len, std::string(what) + " must be true, false, 0 or 1");
  return false;
}

// A whole number from `min` to `max` (what the kernel's field holds).
bool JsonWholeNumber(Source& c, const JsonValue& v, std::string_view what, double min, double max,
                     uint64_t* out) {
  if (v.kind == JsonValue::kNumber && v.num >= min && v.num <= max &&
      v.num == static_cast<double>(static_cast<uint64_t>(v.num))) {
    *out = static_cast<uint64_t>(v.num);
    return true;
  }
  c.ErrorAt(v.at, v.len,
            std::string(what) + " must be a whole number from " +
                std::to_string(static_cast<uint64_t>(min)) + " to " +
                std::to_string(static_cast<uint64_t>(max)));
  return false;
}

bool ParseJsonAddr(Source& c, const JsonValue& addr, HostModel* h) {
  if (!Expect(c, addr, JsonValue::kArray, "\"addr\" (the output of ip -j addr show)")) return false;
  for (const JsonValue& e : addr.items) {
    if (!Expect(c, e, JsonValue::kObject, "an \"addr\" entry")) return false;
    const JsonValue* name = e.Get("ifname");
    if (!name || name->kind != JsonValue::kString || !ValidIfname(name->str)) {
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
    // The kernel's int ifindex and unsigned mtu (IFLA_MTU, a u32).
    uint64_t n;
    if (const JsonValue* x = e.Get("ifindex")) {
      if (!JsonWholeNumber(c, *x, "\"ifindex\"", 1, 2147483647.0, &n)) return false;
      ifc.ifindex = static_cast<int>(n);
    }
    if (const JsonValue* x = e.Get("mtu")) {
      if (!JsonWholeNumber(c, *x, "\"mtu\"", 0, 4294967295.0, &n)) return false;
      ifc.mtu = static_cast<uint32_t>(n);
    }
    if (const JsonValue* x = e.Get("flags"); x && x->kind == JsonValue::kArray)
      for (const JsonValue& fl : x->items)
        if (fl.kind == JsonValue::kString && fl.str == "LOOPBACK") ifc.loopback = true;
    std::string link_type;
    if (const JsonValue* x = e.Get("link_type"); x && x->kind == JsonValue::kString) link_type = x->str;
    if (link_type == "none") ifc.tun = true;
    if (link_type == "loopback") ifc.loopback = true;
    if (const JsonValue* x = e.Get("address"); x && x->kind == JsonValue::kString && !ifc.tun) {
      std::array<uint8_t, 6> m;
      if (ParseMacStrict(x->str, &m)) ifc.mac = m;
    }
    if (const JsonValue* ai = e.Get("addr_info")) {
      if (!Expect(c, *ai, JsonValue::kArray, "\"addr_info\"")) return false;
      for (const JsonValue& a : ai->items) {
        if (!Expect(c, a, JsonValue::kObject, "an \"addr_info\" entry")) return false;
        const JsonValue* fam = a.Get("family");
        const JsonValue* local = a.Get("local");
        const JsonValue* plen = a.Get("prefixlen");
        if (!fam || fam->kind != JsonValue::kString) continue;
        if (fam->str != "inet" && fam->str != "inet6") continue;  // other families (e.g. mpls)
        if (!local || local->kind != JsonValue::kString) {
          c.ErrorAt(a.at, 1, "an \"addr_info\" entry needs \"local\": the address");
          return false;
        }
        HostAddr ha;
        ha.family = fam->str == "inet" ? Family::kIPv4 : Family::kIPv6;
        if (!ParseHostAddr(ha.family, local->str, &ha.addr)) {
          c.ErrorAt(local->at, local->len, "invalid " + std::string(fam->str == "inet" ? "IPv4" : "IPv6") +
                                               " address " + Quote(local->str));
          return false;
        }
        int max = ha.family == Family::kIPv4 ? 32 : 128;
        ha.prefix_len = max;
        if (plen) {
          if (plen->kind != JsonValue::kNumber || plen->num < 0 || plen->num > max ||
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
  if (h->IfaceIndex("lo") < 0) h->ifaces.insert(h->ifaces.begin(), LoopbackIface());
  for (size_t i = 0; i < h->ifaces.size(); ++i)
    if (h->ifaces[i].ifindex == 0) h->ifaces[i].ifindex = static_cast<int>(i) + 1;
  return true;
}

bool ParseJsonRoutes(Source& c, const JsonValue& list, Family default_family, HostModel* h) {
  if (!Expect(c, list, JsonValue::kArray, "a route list (the output of ip -j route show table all)"))
    return false;
  for (const JsonValue& e : list.items) {
    if (!Expect(c, e, JsonValue::kObject, "a route entry")) return false;
    HostRoute r;
    const JsonValue* dst = e.Get("dst");
    if (!dst || dst->kind != JsonValue::kString) {
      c.ErrorAt(e.at, 1, "a route entry needs \"dst\"");
      return false;
    }
    const JsonValue* gw = e.Get("gateway");
    Family f = default_family;
    if (dst->str != "default") f = FamilyOf(dst->str);
    else if (gw && gw->kind == JsonValue::kString) f = FamilyOf(gw->str);
    r.family = f;
    if (const JsonValue* t = e.Get("type")) {
      if (!Expect(c, *t, JsonValue::kString, "\"type\"")) return false;
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
      if (Status s = ParseCidr(dst->str, &a); !s.ok()) {
        c.ErrorAt(dst->at, dst->len, "route: " + s.message());
        return false;
      }
      r.dst = MaskedAddr(f, a.addr, a.prefix_len);
      r.prefix_len = a.prefix_len;
    }
    if (const JsonValue* t = e.Get("table")) {
      if (t->kind == JsonValue::kString) {
        uint64_t n;
        if (t->str == "local") r.table = kTableLocal;
        else if (t->str == "main") r.table = kTableMain;
        else if (t->str == "default") r.table = kTableDefault;
        else if (ParseDecimal(t->str, 0xffffffffu, &n)) r.table = static_cast<uint32_t>(n);
        else r.table = 0;  // a named table: policy routing, not consulted
      } else if (t->kind == JsonValue::kNumber && t->num >= 0 && t->num < 4294967296.0) {
        r.table = static_cast<uint32_t>(t->num);
      }
    }
    if (const JsonValue* d = e.Get("dev")) {
      if (!Expect(c, *d, JsonValue::kString, "\"dev\"")) return false;
      r.dev = h->IfaceIndex(d->str);
      if (r.dev < 0) {
        c.ErrorAt(d->at, d->len, "route: unknown interface " + Quote(d->str) + " (not in \"addr\")");
        return false;
      }
    }
    if (gw) {
      IpAddr g;
      if (gw->kind != JsonValue::kString || FamilyOf(gw->str) != f || !ParseHostAddr(f, gw->str, &g)) {
        c.ErrorAt(gw->at, gw->len, "route: invalid gateway");
        return false;
      }
      r.via = g;
    }
    if (const JsonValue* s = e.Get("prefsrc")) {
      IpAddr a;
      if (s->kind != JsonValue::kString || FamilyOf(s->str) != f || !ParseHostAddr(f, s->str, &a)) {
        c.ErrorAt(s->at, s->len, "route: invalid \"prefsrc\"");
        return false;
      }
      r.src = a;
    }
    if (const JsonValue* m = e.Get("metric")) {
      if (m->kind != JsonValue::kNumber || m->num < 0 || m->num >= 4294967296.0) {
        c.ErrorAt(m->at, m->len, "route: \"metric\" must be 0-4294967295");
        return false;
      }
      r.metric = static_cast<uint32_t>(m->num);
    }
    if (const JsonValue* p = e.Get("protocol"); p && p->kind == JsonValue::kString) r.kernel = p->str == "kernel";
    if (const JsonValue* nh = e.Get("nexthops")) {
      c.ErrorAt(nh->at, nh->len, "route to " + dst->str +
                                     ": multipath routes (nexthops) are not modelled: keep one nexthop");
      return false;
    }
    if (!IsErrorType(r.type) && r.dev < 0) {
      c.ErrorAt(e.at, 1, "route to " + dst->str + " has no \"dev\"");
      return false;
    }
    // "route" from `ip route show table all` lists IPv6 too: a route given
    // twice is kept once.
    bool dup = false;
    for (uint32_t i = h->route_index.First(r); i != RouteIndex::kNone && !dup; i = h->route_index.Next(i)) {
      const HostRoute& o = h->routes[i];
      dup = o.dst == r.dst && o.type == r.type && o.dev == r.dev && o.metric == r.metric && o.via == r.via;
    }
    if (!dup) h->AddRoute(r);
  }
  return true;
}

// "local 10.0.0.1 dev eth0", as `ip route` shows a route.
std::string DescribeRoute(const HostModel& h, const HostRoute& r) {
  std::string text = std::string(RouteTypeName(r.type)) + " " + FormatIpAddr(r.family, r.dst);
  if (r.prefix_len != AddrLen(r.family) * 8) text += "/" + std::to_string(r.prefix_len);
  if (r.dev >= 0) text += " dev " + h.ifaces[r.dev].name;
  return text;
}

// The file's local-table routes of the kernel (proto kernel, local or
// broadcast) that no address in "addr" implies: the lists were not taken
// together, or an address was removed.  They are kept; a note says so.
void NoteStrayKernelRoutes(HostModel* h) {
  HostModel implied;
  implied.ifaces = h->ifaces;
  AddKernelRoutes(&implied, /*local_table_only=*/true);
  size_t stray = 0;
  const HostRoute* first = nullptr;
  for (const HostRoute& r : h->routes) {
    if (r.table != kTableLocal || !r.kernel ||
        (r.type != RouteType::kLocal && r.type != RouteType::kBroadcast))
      continue;
    bool found = false;
    for (uint32_t i = implied.route_index.First(r); i != RouteIndex::kNone && !found;
         i = implied.route_index.Next(i)) {
      const HostRoute& o = implied.routes[i];
      found = o.dst == r.dst && o.type == r.type && o.dev == r.dev;
    }
    if (found) continue;
    if (!first) first = &r;
    ++stray;
  }
  if (!first) return;
  h->notes.push_back(h->file + ": the local table has " + std::to_string(stray) + " kernel route" +
                     (stray == 1 ? "" : "s") + " that no address in \"addr\" implies (the first: " +
                     DescribeRoute(*h, *first) + "): kept as listed");
}

// `ip -j route` lists the main table only; the kernel has also added the
// local and broadcast routes of every address (fib_add_ifaddr, addrconf):
// without them the host's own addresses would not be local.  They are
// derived from "addr" as for the native format, and a note says so when
// the file's local table lacks any of them.  A family the file lists no
// route of is left without routes, as before.
void AddKernelLocalRoutes(HostModel* h) {
  bool listed[2] = {false, false}, file_has_local = false;
  for (const HostRoute& r : h->routes) {
    listed[r.family == Family::kIPv6] = true;
    file_has_local = file_has_local || r.table == kTableLocal;
  }
  NoteStrayKernelRoutes(h);
  std::vector<HostRoute> added;
  for (Family f : {Family::kIPv4, Family::kIPv6}) {
    if (!listed[f == Family::kIPv6]) continue;
    std::vector<HostRoute> more = AddKernelRoutes(h, /*local_table_only=*/true, f);
    added.insert(added.end(), more.begin(), more.end());
  }
  if (added.empty()) return;
  const std::string example = "(the first: " + DescribeRoute(*h, added.front()) + ")";
  if (!file_has_local) {
    h->notes.push_back(h->file + ": the routes have no local table (listed by 'ip -j route' without "
                       "'table all'?): iptsim adds the kernel's " + std::to_string(added.size()) +
                       " local-table routes for the addresses in \"addr\" " + example);
  } else {
    h->notes.push_back(h->file + ": the local table lacks " + std::to_string(added.size()) + " of the "
                       "routes the kernel adds for the addresses in \"addr\": iptsim adds them " + example);
  }
}

}  // namespace

bool ReadJsonHost(Source& c, HostModel* h) {
  JsonValue root;
  size_t error_at = 0;
  if (Status st = ReadJson(c.text, &root, &error_at); !st.ok()) {
    c.ErrorAt(error_at, 1, "JSON: " + st.message());
    return false;
  }
  if (!Expect(c, root, JsonValue::kObject, "the host file")) return false;
  const JsonValue* addr = root.Get("addr");
  if (!addr) {
    c.ErrorAt(root.at, 1, "the host file needs \"addr\" (the output of ip -j addr show)");
    return false;
  }
  if (!ParseJsonAddr(c, *addr, h)) return false;
  static const std::vector<std::string_view> kKeys = {
      "addr", "route", "route6", "forward", "ip_forward", "ipv6_forwarding", "rp_filter", "sysctl"};
  for (size_t m = 0; m < root.keys.size(); ++m) {
    const std::string& key = root.keys[m];
    const JsonValue& v = root.items[m];
    if (key == "addr") continue;
    if (key == "route" || key == "route6") {
      if (!ParseJsonRoutes(c, v, key == "route" ? Family::kIPv4 : Family::kIPv6, h)) return false;
    } else if (key == "forward" || key == "ip_forward" || key == "ipv6_forwarding") {
      bool on;
      if (!JsonFlag(c, v, "\"" + key + "\"", &on)) return false;
      if (key != "ipv6_forwarding") h->SetSysctl("net.ipv4.ip_forward", on ? "1" : "0");
      if (key != "ip_forward") h->SetSysctl("net.ipv6.conf.all.forwarding", on ? "1" : "0");
    } else if (key == "rp_filter") {
      if (v.kind != JsonValue::kNumber || (v.num != 0 && v.num != 1 && v.num != 2)) {
        c.ErrorAt(v.at, v.len, "\"rp_filter\" must be 0, 1 or 2");
        return false;
      }
      h->SetSysctl("net.ipv4.conf.all.rp_filter", std::to_string(static_cast<int>(v.num)));
    } else if (key == "sysctl") {
      if (!Expect(c, v, JsonValue::kObject, "\"sysctl\"")) return false;
      for (size_t n = 0; n < v.keys.size(); ++n) {
        const std::string& k = v.keys[n];
        const JsonValue& val = v.items[n];
        std::string text;
        if (val.kind == JsonValue::kString) text = val.str;
        else if (val.kind == JsonValue::kNumber && val.num == static_cast<long long>(val.num))
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
        h->SetSysctl(key2, text);
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
  AddKernelLocalRoutes(h);
  return true;
}

}  // namespace iptsim::host_file
