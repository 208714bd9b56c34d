#include "loader/host_file.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "loader/host_json.h"
#include "loader/loader.h"
#include "base/mac.h"
#include "loader/host_syntax.h"

namespace iptsim {

namespace {

using host_file::FamilyOf;
using host_file::ParseCidr;
using host_file::ParseDecimal;
using host_file::ParseHostAddr;
using host_file::Quote;
using host_file::Source;
using host_file::ValidIfname;
using host_file::ValidSysctlKey;

const std::vector<std::string_view> kDirectives = {"iface", "route",  "forward",  "sysctl",
                                                   "settle", "family", "nodefault"};

// The words of a `route` line after the route type, as written.
struct RouteWords {
  std::string_view prefix, via, dev, src;
  uint64_t metric = 0;
  bool metric_given = false;
  bool table_given = false;
};

// Reads the words of a `route` line: the type and table go to `r`, the rest
// to `rw` (`line`: the token errors about the whole line point at).
bool ReadRouteWords(Source& c, std::string_view line, const std::vector<std::string_view>& w,
                    HostRoute* r, RouteWords* rw) {
  size_t i = 0;
  static const std::pair<std::string_view, RouteType> kTypes[] = {
      {"unicast", RouteType::kUnicast},         {"local", RouteType::kLocal},
      {"blackhole", RouteType::kBlackhole},     {"unreachable", RouteType::kUnreachable},
      {"prohibit", RouteType::kProhibit},       {"broadcast", RouteType::kBroadcast},
      {"throw", RouteType::kThrow},             {"anycast", RouteType::kAnycast},
  };
  if (i < w.size())
    for (const auto& [name, type] : kTypes)
      if (w[i] == name) {
        r->type = type;
        ++i;
        break;
      }
  if (i >= w.size()) {
    c.Error(line, "route: missing PREFIX (or default)");
    return false;
  }
  rw->prefix = w[i++];
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
      rw->via = need();
      if (rw->via.empty()) return false;
    } else if (k == "dev") {
      rw->dev = need();
      if (rw->dev.empty()) return false;
    } else if (k == "metric" || k == "priority" || k == "preference") {
      std::string_view v = need();
      if (v.empty()) return false;
      if (!ParseDecimal(v, 0xffffffffu, &rw->metric)) {
        c.Error(v, "route: invalid metric " + Quote(v) + " (0-4294967295)");
        return false;
      }
      rw->metric_given = true;
    } else if (k == "src") {
      rw->src = need();
      if (rw->src.empty()) return false;
    } else if (k == "table") {
      std::string_view v = need();
      if (v.empty()) return false;
      uint64_t t;
      if (v == "local") r->table = kTableLocal;
      else if (v == "main") r->table = kTableMain;
      else if (v == "default") r->table = kTableDefault;
      else if (ParseDecimal(v, 0xffffffffu, &t) && t > 0) r->table = static_cast<uint32_t>(t);
      else {
        c.Error(v, "route: invalid table " + Quote(v) + " (local, main, default or a number)");
        return false;
      }
      rw->table_given = true;
    } else {
      std::string hint = ClosestName(k, {"via", "dev", "metric", "src", "table"});
      c.Error(k, "route: unknown word " + Quote(k) +
                     (hint.empty() ? " (expected via, dev, metric, src or table)"
                                   : " (did you mean '" + hint + "'?)"));
      return false;
    }
  }
  return true;
}

// The gateway of a route, checked as fib_check_nh / ip6_validate_gw do; the
// route's device becomes the gateway's when none was given.
bool SetGateway(Source& c, const HostModel& h, const RouteWords& rw, HostRoute* r) {
  const Family f = r->family;
  IpAddr gw;
  if (FamilyOf(rw.via) != f || !ParseHostAddr(f, rw.via, &gw) ||
      (f == Family::kIPv4 && std::count(rw.via.begin(), rw.via.end(), '.') != 3)) {
    c.Error(rw.via, "route: invalid " + std::string(f == Family::kIPv4 ? "IPv4" : "IPv6") +
                        " gateway " + Quote(rw.via));
    return false;
  }
  if (h.IsLocalAddress(f, gw)) {
    c.Error(rw.via, "route: gateway " + Quote(rw.via) +
                        " is an address of this host (the kernel refuses it: Nexthop has "
                        "invalid gateway)");
    return false;
  }
  // The gateway must be on a connected network (a route without a
  // gateway), through `dev` when given.
  const HostRoute* to = h.Lookup(f, gw, r->dev);
  if (!to || to->via || to->type != RouteType::kUnicast || to->dev < 0) {
    c.Error(rw.via, "route: gateway " + Quote(rw.via) + " is not on a connected network" +
                        (rw.dev.empty() ? "" : " of " + std::string(rw.dev)) +
                        " (the kernel refuses it: Nexthop has invalid gateway)");
    return false;
  }
  if (r->dev < 0) r->dev = to->dev;
  r->via = gw;
  return true;
}

// Adds a route as `ip route add` would, or reports why the kernel refuses it
// (`line`: the token errors about the whole line point at).
bool AddRoute(Source& c, HostModel* h, std::string_view line, const std::vector<std::string_view>& w) {
  HostRoute r;
  RouteWords rw;
  if (!ReadRouteWords(c, line, w, &r, &rw)) return false;
  const std::string_view prefix_tok = rw.prefix, dst_text = rw.prefix;
  std::optional<Family> family;
  if (prefix_tok != "default") family = FamilyOf(prefix_tok);
  if (!family && !rw.via.empty()) family = FamilyOf(rw.via);
  if (!family && !rw.src.empty()) family = FamilyOf(rw.src);
  if (!family) family = Family::kIPv4;
  r.family = *family;
  const Family f = *family;
  if (dst_text == "default") {
    r.prefix_len = 0;
  } else {
    HostAddr a;
    if (Status s = ParseCidr(dst_text, &a); !s.ok()) {
      c.Error(prefix_tok, "route: " + s.message());
      return false;
    }
    if (MaskedAddr(f, a.addr, a.prefix_len) != a.addr) {
      c.Error(prefix_tok, "route: " + Quote(dst_text) + " has host bits set (the kernel refuses it: "
                          "Invalid prefix for given prefix length; did you mean " +
                          FormatIpAddr(f, MaskedAddr(f, a.addr, a.prefix_len)) + "/" +
                          std::to_string(a.prefix_len) + "?)");
      return false;
    }
    r.dst = a.addr;
    r.prefix_len = a.prefix_len;
  }
  if (!rw.table_given && (r.type == RouteType::kLocal || r.type == RouteType::kBroadcast ||
                          r.type == RouteType::kAnycast))
    r.table = kTableLocal;  // as iproute2 does for these types
  r.metric = static_cast<uint32_t>(rw.metric_given ? rw.metric : (f == Family::kIPv6 ? 1024 : 0));
  if (!rw.dev.empty()) {
    r.dev = h->IfaceIndex(rw.dev);
    if (r.dev < 0) {
      std::vector<std::string_view> names;
      for (const HostIface& ifc : h->ifaces) names.push_back(ifc.name);
      std::string hint = ClosestName(rw.dev, names);
      c.Error(rw.dev, "route: unknown interface " + Quote(rw.dev) +
                          (hint.empty() ? " (declare it with 'iface')" : " (did you mean '" + hint + "'?)"));
      return false;
    }
  }
  if (IsErrorType(r.type)) {
    if (!rw.via.empty()) {
      c.Error(rw.via, "route: a " + std::string(RouteTypeName(r.type)) + " route has no gateway");
      return false;
    }
    if (f == Family::kIPv6 && r.dev < 0) r.dev = 0;  // IPv6 puts reject routes on lo
  } else if (rw.dev.empty() && rw.via.empty()) {
    c.Error(prefix_tok, "route: needs 'dev NAME' or 'via ADDR' (the kernel refuses a route "
                        "without a nexthop)");
    return false;
  }
  if (!rw.via.empty() && !SetGateway(c, *h, rw, &r)) return false;
  if (!rw.src.empty()) {
    IpAddr s;
    if (FamilyOf(rw.src) != f || !ParseHostAddr(f, rw.src, &s)) {
      c.Error(rw.src, "route: invalid source address " + Quote(rw.src));
      return false;
    }
    if (!h->IsLocalAddress(f, s)) {
      c.Error(rw.src, "route: src " + Quote(rw.src) +
                          " is not an address of this host (the kernel refuses it: Invalid "
                          "prefsrc address)");
      return false;
    }
    r.src = s;
  }
  for (uint32_t i = h->route_index.First(r); i != RouteIndex::kNone; i = h->route_index.Next(i)) {
    const HostRoute& o = h->routes[i];
    if (o.dst == r.dst && o.metric == r.metric) {
      c.Error(prefix_tok, "route: " + std::string(dst_text) + " metric " + std::to_string(r.metric) +
                              " exists already" +
                              (o.kernel ? " (the kernel's route for an address)" : "") +
                              " (the kernel refuses it: File exists)");
      return false;
    }
  }
  h->AddRoute(r);
  return true;
}

// A line of the native format: as written, and its words ('#' starts a comment).
struct Line {
  std::string_view text;
  std::vector<std::string_view> words;
};

// The lines that have words.
std::vector<Line> SplitLines(std::string_view text) {
  std::vector<Line> lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t e = text.find('\n', pos);
    std::string_view l = text.substr(pos, e == std::string_view::npos ? std::string_view::npos : e - pos);
    pos = e == std::string_view::npos ? text.size() + 1 : e + 1;
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
  return lines;
}

// One setting of an `iface` line (`p`: KEY[=VALUE]) into `ifc`.
bool ReadIfaceSetting(Source& c, std::string_view spec, std::string_view p, HostIface* ifc) {
  size_t eq = p.find('=');
  std::string_view key = p.substr(0, eq), val = eq == std::string_view::npos ? "" : p.substr(eq + 1);
  if (key == "tun" && eq == std::string_view::npos) {
    ifc->tun = true;
  } else if ((key == "mac" || key == "peer") && eq != std::string_view::npos) {
    std::array<uint8_t, 6> m;
    if (!ParseMacStrict(val, &m)) {
      c.Error(val.empty() ? p : val, "iface: invalid MAC address " + Quote(val) + " (xx:xx:xx:xx:xx:xx)");
      return false;
    }
    if (key == "mac") ifc->mac = m;
    else ifc->peer = m;
  } else if (key == "addr" && eq != std::string_view::npos) {
    HostAddr a;
    if (Status s = ParseCidr(val, &a); !s.ok()) {
      c.Error(val.empty() ? p : val, "iface: " + s.message());
      return false;
    }
    bool ok = true;
    for (const HostAddr& o : ifc->addrs)
      if (o.family == a.family && o.addr == a.addr) {
        c.Error(val, "iface: address " + Quote(val) + " given twice (the kernel refuses it: File exists)");
        ok = false;
      }
    ifc->addrs.push_back(a);
    return ok;
  } else if (key == "mtu" && eq != std::string_view::npos) {
    uint64_t m;
    if (!ParseDecimal(val, 65535, &m) || m < 68) {
      c.Error(val.empty() ? p : val, "iface: invalid mtu " + Quote(val) + " (68-65535)");
      return false;
    }
    ifc->mtu = static_cast<uint32_t>(m);
  } else {
    std::string hint = ClosestName(key, {"mac", "peer", "addr", "mtu", "tun"});
    c.Error(p.empty() ? spec : p, "iface: unknown setting " + Quote(p) +
                                      (hint.empty() ? " (mac=, peer=, addr=, mtu= or tun)"
                                                    : " (did you mean '" + hint + "'?)"));
    return false;
  }
  return true;
}

// An `iface` line: the interface is added to `h` unless the line has an
// error.  `iface_at`: where each interface's name was first written.
void ReadIface(Source& c, const Line& l, HostModel* h,
               std::map<std::string, std::string_view>* iface_at) {
  std::string_view d = l.words[0];
  if (l.words.size() != 2) {
    c.Error(l.words.size() < 2 ? d : l.words[2],
            "iface: expected one NAME[,mac=MAC][,peer=MAC][,addr=CIDR]...[,mtu=N][,tun] (no spaces)");
    return;
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
    return;
  }
  if (parts[0] == "lo") {
    c.Error(parts[0], "iface: 'lo' is always present (127.0.0.1/8, ::1/128); do not declare it");
    return;
  }
  if (iface_at->count(ifc.name)) {
    size_t first = c.Off((*iface_at)[ifc.name]);
    size_t line_no = 1 + static_cast<size_t>(std::count(c.text.begin(), c.text.begin() + first, '\n'));
    c.Error(parts[0], "iface: duplicate interface " + Quote(parts[0]) + " (first declared on line " +
                          std::to_string(line_no) + ")");
    return;
  }
  for (size_t k = 1; k < parts.size(); ++k)
    if (!ReadIfaceSetting(c, spec, parts[k], &ifc)) return;
  if (ifc.tun && ifc.mac) {
    c.Error(spec, "iface: a tun device has no MAC address");
    return;
  }
  ifc.ifindex = static_cast<int>(h->ifaces.size()) + 1;
  (*iface_at)[ifc.name] = parts[0];
  h->ifaces.push_back(std::move(ifc));
}

// A `sysctl KEY=VALUE` line.
void ReadSysctl(Source& c, const std::vector<std::string_view>& w, HostModel* h) {
  if (w.size() != 2 || w[1].find('=') == std::string_view::npos) {
    c.Error(w.size() > 2 ? w[2] : w.size() == 2 ? w[1] : w[0], "sysctl: expected KEY=VALUE (no spaces)");
    return;
  }
  std::string_view kv = w[1];
  size_t eq = kv.find('=');
  std::string_view key = kv.substr(0, eq), val = kv.substr(eq + 1);
  if (!ValidSysctlKey(key)) {
    c.Error(kv, "sysctl: invalid key " + Quote(key));
    return;
  }
  if (val.empty()) {
    c.Error(kv, "sysctl: empty value for " + Quote(key));
    return;
  }
  std::string k(key);
  std::replace(k.begin(), k.end(), '/', '.');
  uint64_t n;
  if ((k == "net.ipv4.ip_forward" || k.find(".forwarding") != std::string::npos ||
       k.find(".rp_filter") != std::string::npos || k.find(".accept_local") != std::string::npos) &&
      !ParseDecimal(val, 2, &n)) {
    c.Error(val, "sysctl: " + Quote(key) + " takes 0, 1 (or 2 for rp_filter), not " + Quote(val));
    return;
  }
  h->SetSysctl(k, std::string(val));
}

// A line other than `iface`.
void ReadDirective(Source& c, const Line& l, HostModel* h) {
  std::string_view d = l.words[0];
  const auto& w = l.words;
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
      return;
    }
    bool on = w.size() == 1 || w[1] == "on";
    h->SetSysctl("net.ipv4.ip_forward", on ? "1" : "0");
    h->SetSysctl("net.ipv6.conf.all.forwarding", on ? "1" : "0");
  } else if (d == "sysctl") {
    ReadSysctl(c, w, h);
  } else if (d == "settle") {
    uint64_t n;
    if (w.size() != 2 || !ParseDecimal(w[1], 600000, &n))
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

// The native format: every line is read, errors and all.
bool ReadNativeHost(Source& c, HostModel* h) {
  std::vector<Line> lines = SplitLines(c.text);
  h->ifaces.push_back(LoopbackIface());
  std::map<std::string, std::string_view> iface_at;
  // Interfaces first (their addresses make the kernel's routes), then the rest in order.
  for (const Line& l : lines)
    if (l.words[0] == "iface") ReadIface(c, l, h, &iface_at);
  AddKernelRoutes(h);
  for (const Line& l : lines)
    if (l.words[0] != "iface") ReadDirective(c, l, h);
  return !c.failed;
}

}  // namespace

bool ParseHostModel(std::string_view text, const std::string& file, HostModel* out,
                    DiagnosticSink* diags) {
  *out = HostModel{};
  out->file = file;
  Source c{text, file, diags};
  size_t first = text.find_first_not_of(" \t\r\n");
  bool ok = first != std::string_view::npos && text[first] == '{' ? host_file::ReadJsonHost(c, out)
                                                                   : ReadNativeHost(c, out);
  return ok && !c.failed;
}

bool LoadHostFile(const std::string& path, HostModel* out, DiagnosticSink* diags) {
  auto fail = [&](std::string message) {
    Diagnostic d;
    d.file = path;
    d.message = std::move(message);
    diags->Add(std::move(d));
    return false;
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(std::string("cannot read the host file: ") + strerror(errno));
  // Read in pieces: a device or an endless pipe is refused early, not
  // after filling memory.
  std::string text;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    const size_t n = static_cast<size_t>(in.gcount());
    if (memchr(buf, '\0', n)) return fail("the host file contains a NUL byte: not a host file");
    if (text.size() + n > kMaxInputBytes)
      return fail("the host file is larger than " + std::to_string(kMaxInputBytes >> 20) +
                  " MiB: not a host file");
    text.append(buf, n);
  }
  if (in.bad()) return fail(std::string("cannot read the host file: ") + strerror(errno));
  if (!ParseHostModel(text, path, out, diags)) return false;
  for (const std::string& note : out->notes) fprintf(stderr, "iptsim: note: %s\n", note.c_str());
  return true;
}

}  // namespace iptsim
