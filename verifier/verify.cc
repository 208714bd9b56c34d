#include "verifier/verify.h"

#include <algorithm>
#include <map>
#include <regex>
#include <unordered_map>

#include "engine/extension.h"
#include "verifier/capture.h"

namespace iptsim::verifier {

bool HasTraceRule(const Ruleset& rs) {
  for (const Table& t : rs.tables) {
    for (const Chain& c : t.chains) {
      for (const Rule& r : c.rules) {
        if (r.target_kind == TargetKind::kExtension && r.target &&
            r.target->info().name == "TRACE") {
          return true;
        }
      }
    }
  }
  return false;
}

namespace {

std::string_view Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::string AddTraceRules(std::string_view text, bool prerouting, bool output,
                          uint32_t* first_line, uint32_t* count) {
  if (first_line) *first_line = 0;
  if (count) *count = 0;
  if (!prerouting && !output) return std::string(text);
  std::string rules;
  if (prerouting) rules += "-I PREROUTING 1 -j TRACE\n";
  if (output) rules += "-I OUTPUT 1 -m owner --socket-exists -j TRACE\n";
  // Lines: find the last "*raw" and the first COMMIT after it.
  size_t raw_commit = std::string_view::npos;  // offset of that COMMIT line
  size_t pos = 0;
  bool in_raw = false;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = Trim(text.substr(pos, end - pos));
    if (!line.empty() && line[0] == '*') {
      in_raw = line == "*raw";
      if (in_raw) raw_commit = std::string_view::npos;
    } else if (in_raw && line == "COMMIT") {
      raw_commit = pos;
      in_raw = false;
    }
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  std::string out;
  auto lines_before = [](std::string_view s) {
    return static_cast<uint32_t>(std::count(s.begin(), s.end(), '\n'));
  };
  if (raw_commit != std::string_view::npos) {
    out.append(text.substr(0, raw_commit));
    if (first_line) *first_line = lines_before(out) + 1;
    if (count) *count = (prerouting ? 1 : 0) + (output ? 1 : 0);
    out += rules;
    out.append(text.substr(raw_commit));
    return out;
  }
  out.assign(text);
  if (!out.empty() && out.back() != '\n') out += '\n';
  if (first_line) *first_line = lines_before(out) + 1;
  if (count) *count = 2 + (prerouting ? 2 : 0) + (output ? 2 : 0);  // *raw, COMMIT, chain + rule
  out += "*raw\n";
  if (prerouting) out += ":PREROUTING ACCEPT [0:0]\n";
  if (output) out += ":OUTPUT ACCEPT [0:0]\n";
  out += rules;
  out += "COMMIT\n";
  return out;
}

LabSpec LabSpecFromHost(const HostModel& host) {
  LabSpec spec;
  for (const HostIface& i : host.ifaces) {
    if (i.loopback || i.name == "lo") continue;
    LabInterface itf;
    itf.name = i.name;
    if (i.mac) itf.mac = FormatMac(i.mac->data());
    if (i.peer) itf.peer_mac = FormatMac(i.peer->data());
    for (const HostAddr& a : i.addrs) {
      // IPv6 link-local addresses (a JSON file lists them) the kernel makes itself
      // when the device comes up.
      if (a.family == Family::kIPv6 && a.addr.b[0] == 0xfe && (a.addr.b[1] & 0xc0) == 0x80) continue;
      itf.addresses.push_back(FormatIpAddr(a.family, a.addr) + "/" + std::to_string(a.prefix_len));
    }
    if (i.mtu != 1500) itf.mtu = static_cast<int>(i.mtu);
    itf.tun = i.tun;
    spec.interfaces.push_back(std::move(itf));
  }
  spec.routes = host.lab_routes;
  if (spec.routes.empty()) {
    for (const HostRoute& r : host.routes) {
      if (r.table != kTableMain || r.kernel) continue;
      std::string args;
      if (r.type != RouteType::kUnicast) args += std::string(RouteTypeName(r.type)) + " ";
      // (IPv6 as an address with a ':', which is how the lab tells the family.)
      args += r.prefix_len == 0 && r.family == Family::kIPv4
                  ? "default"
                  : FormatIpAddr(r.family, r.dst) + "/" + std::to_string(r.prefix_len);
      if (r.via) args += " via " + FormatIpAddr(r.family, *r.via);
      if (r.dev >= 0 && static_cast<size_t>(r.dev) < host.ifaces.size()) {
        args += " dev " + host.ifaces[r.dev].name;
      }
      if (r.metric) args += " metric " + std::to_string(r.metric);
      if (r.src) args += " src " + FormatIpAddr(r.family, *r.src);
      spec.routes.push_back(std::move(args));
    }
  }
  spec.ip_forward = host.forward4 || host.forward6;
  for (const auto& [key, value] : host.sysctls) spec.sysctls.emplace_back(key, value);
  return spec;
}

namespace {

// The destination address of a datagram, or false if too short.
bool Destination(const Packet& p, IpAddr* dst) {
  if (p.family == Family::kIPv4) {
    if (p.bytes.size() < 20) return false;
    std::copy(p.bytes.begin() + 16, p.bytes.begin() + 20, dst->b.begin());
  } else {
    if (p.bytes.size() < 40) return false;
    std::copy(p.bytes.begin() + 24, p.bytes.begin() + 40, dst->b.begin());
  }
  return true;
}

// Unicast, not loopback, not unspecified.
bool Routable(Family f, const IpAddr& a) {
  if (f == Family::kIPv4) {
    if (a.b[0] == 0 || a.b[0] == 127 || a.b[0] >= 224) return false;
    return true;
  }
  if (a.b[0] == 0xff) return false;
  IpAddr zero;
  IpAddr loop;
  loop.b[15] = 1;
  return !(a == zero || a == loop);
}

}  // namespace

LabSpec PathLabSpec(const std::vector<Packet>& packets, std::vector<std::string>* notes) {
  LabSpec spec = CompleteLabSpec(LabSpec{}, packets);
  // Destinations already given an address ("local") or a route ("via IF").
  std::map<std::string, std::pair<std::string, size_t>> used;
  for (size_t k = 0; k < packets.size(); ++k) {
    const Packet& p = packets[k];
    IpAddr dst;
    if (!Destination(p, &dst) || !Routable(p.family, dst)) continue;
    std::string addr = FormatIpAddr(p.family, dst);
    std::string host = addr + (p.family == Family::kIPv4 ? "/32" : "/128");
    bool has_in = !p.in.empty(), has_out = !p.out.empty() && p.out.view() != "lo";
    if (has_in && has_out) spec.ip_forward = true;
    if (!has_in && !has_out) continue;
    std::string wish = has_in && p.out.empty() ? "local" : "via " + std::string(p.out.view());
    auto [it, fresh] = used.emplace(addr, std::make_pair(wish, k));
    if (!fresh) {
      if (notes && has_in && it->second.first != wish) {
        notes->push_back("packet " + std::to_string(k + 1) + ": the lab makes " + addr + " " +
                         it->second.first + " for packet " + std::to_string(it->second.second + 1) +
                         ", so the kernel cannot take this packet " + wish +
                         " (give packets distinct destinations, or --host)");
      }
      continue;
    }
    if (has_in && p.out.empty()) {
      for (LabInterface& itf : spec.interfaces) {
        if (itf.name == p.in.view()) itf.addresses.push_back(host);
      }
    } else if (has_out) {
      spec.routes.push_back(host + " dev " + std::string(p.out.view()));
    }
  }
  return spec;
}

namespace {

// The id of a "PACKET: F ID ..." or " TRACE: F ID ..." line: its offset and
// length, or false.
bool NftIdField(const std::string& line, size_t* at, size_t* len) {
  size_t p;
  if (line.rfind("PACKET: ", 0) == 0) {
    p = 8;
  } else if (line.rfind(" TRACE: ", 0) == 0) {
    p = 8;
  } else {
    return false;
  }
  size_t sp = line.find(' ', p);  // after the family
  if (sp == std::string::npos) return false;
  size_t b = sp + 1;
  size_t e = line.find(' ', b);
  if (e == std::string::npos) e = line.size();
  if (e == b) return false;
  *at = b;
  *len = e - b;
  return true;
}

std::vector<std::string> IdsInOrder(const std::vector<std::string>& lines) {
  std::vector<std::string> ids;
  for (const std::string& l : lines) {
    size_t at, len;
    if (!NftIdField(l, &at, &len)) continue;
    std::string id = l.substr(at, len);
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  return ids;
}

}  // namespace

void MatchNftTraceIds(std::vector<std::string>* kernel, const std::vector<std::string>& sim) {
  std::vector<std::string> kids = IdsInOrder(*kernel);
  std::vector<std::string> sids = IdsInOrder(sim);
  std::unordered_map<std::string, std::string> map;
  for (size_t i = 0; i < kids.size() && i < sids.size(); ++i) map[kids[i]] = sids[i];
  for (std::string& l : *kernel) {
    size_t at, len;
    if (!NftIdField(l, &at, &len)) continue;
    auto it = map.find(l.substr(at, len));
    if (it != map.end()) l.replace(at, len, it->second);
  }
}

void MatchGeneratedIpv4Id(const Packet& p, std::vector<std::string>* kernel) {
  if (!p.in.empty() || p.family != Family::kIPv4 || p.bytes.size() < 20) return;
  if (p.bytes[4] != 0 || p.bytes[5] != 0) return;
  for (std::string& l : *kernel) {
    size_t at = l.find(" ID=");
    if (at == std::string::npos) continue;
    size_t b = at + 4, e = b;
    while (e < l.size() && l[e] >= '0' && l[e] <= '9') ++e;
    if (e > b && (e == l.size() || l[e] == ' ')) l.replace(b, e - b, "0");
  }
}

void MaskIcmpErrorFields(std::vector<std::string>* lines) {
  static const std::regex v4(
      " IN=(lo)? [^[]*PREC=0xC0 TTL=[0-9]+ ID=[0-9]+ (DF )?PROTO=ICMP TYPE=(3|4|5|11|12) ");
  static const std::regex v6(" IN=(lo)? [^[]*PROTO=ICMPv6 TYPE=[1-4] ");
  static const std::regex id(" ID=[0-9]+ ");
  static const std::regex flow(" FLOWLBL=[0-9]+ ");
  // A TEE copy's POSTROUTING line (input device = output device): the
  // kernel prints stale bytes as its MAC header (tests/scenario_lib.sh).
  static const std::regex tee(":POSTROUTING:\\S* IN=(\\S+) OUT=\\1 MAC=");
  static const std::regex mac(" MAC=[0-9a-f:]+ ");
  for (std::string& l : *lines) {
    if (std::regex_search(l, tee))
      l = std::regex_replace(l, mac, " MAC=* ", std::regex_constants::format_first_only);
    if (std::regex_search(l, v4)) {
      l = std::regex_replace(l, id, " ID=* ", std::regex_constants::format_first_only);
    } else if (std::regex_search(l, v6)) {
      l = std::regex_replace(l, flow, " FLOWLBL=* ", std::regex_constants::format_first_only);
    }
  }
}

std::string UnifiedDiff(const std::vector<std::string>& a, const std::vector<std::string>& b,
                        std::string_view a_name, std::string_view b_name, int context) {
  if (a == b) return {};
  const size_t n = a.size(), m = b.size();
  // The edit script: ' ' common, '-' only in a, '+' only in b.
  std::vector<std::pair<char, size_t>> ops;  // (kind, index in a or b)
  if (n * m <= 4'000'000) {
    // Longest common subsequence, from the end.
    std::vector<uint32_t> L((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return L[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;) {
      for (size_t j = m; j-- > 0;) {
        at(i, j) = a[i] == b[j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
      }
    }
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i] == b[j]) {
        ops.push_back({' ', i});
        ++i, ++j;
      } else if (j < m && (i == n || at(i, j + 1) > at(i + 1, j))) {
        ops.push_back({'+', j++});
      } else {
        ops.push_back({'-', i++});
      }
    }
  } else {
    for (size_t i = 0; i < n; ++i) ops.push_back({'-', i});
    for (size_t j = 0; j < m; ++j) ops.push_back({'+', j});
  }
  // Positions in a and b before each op (for the hunk headers).
  std::vector<size_t> pa(ops.size() + 1), pb(ops.size() + 1);
  for (size_t k = 0; k < ops.size(); ++k) {
    pa[k + 1] = pa[k] + (ops[k].first != '+');
    pb[k + 1] = pb[k] + (ops[k].first != '-');
  }
  std::string out = "--- " + std::string(a_name) + "\n+++ " + std::string(b_name) + "\n";
  const size_t ctx = static_cast<size_t>(std::max(context, 0));
  size_t k = 0;
  while (k < ops.size()) {
    // Next change.
    while (k < ops.size() && ops[k].first == ' ') ++k;
    if (k == ops.size()) break;
    size_t start = k >= ctx ? k - ctx : 0;
    // Extend while the gap of common lines to the next change is <= 2*ctx.
    size_t end = k;
    while (true) {
      while (end < ops.size() && ops[end].first != ' ') ++end;
      size_t next = end;
      while (next < ops.size() && ops[next].first == ' ') ++next;
      if (next < ops.size() && next - end <= 2 * ctx) {
        end = next;
        continue;
      }
      end = std::min(ops.size(), end + ctx);
      break;
    }
    size_t a_len = pa[end] - pa[start], b_len = pb[end] - pb[start];
    auto range = [](size_t from, size_t len) {
      // Unified diff: a 1-based start (the line before when empty) and a length.
      std::string s = std::to_string(len == 0 ? from : from + 1);
      if (len != 1) s += "," + std::to_string(len);
      return s;
    };
    out += "@@ -" + range(pa[start], a_len) + " +" + range(pb[start], b_len) + " @@\n";
    for (size_t q = start; q < end; ++q) {
      const std::string& line = ops[q].first == '+' ? b[ops[q].second] : a[ops[q].second];
      out += ops[q].first;
      out += line;
      out += '\n';
    }
    k = end;
  }
  return out;
}

}  // namespace iptsim::verifier
