#include "loader/ipset_file.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/bytes.h"

namespace iptsim {
namespace {


struct Word {
  std::string text;
  uint32_t col = 0, len = 0;  // in the line, 1-based; len counts quotes
};

// Splits a line into words; "..." quotes (ipset's comment strings).
bool SplitWords(std::string_view line, std::vector<Word>* out, uint32_t* bad_col) {
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
      ++i;
      continue;
    }
    Word w;
    w.col = static_cast<uint32_t>(i + 1);
    if (line[i] == '"') {
      size_t j = line.find('"', i + 1);
      if (j == std::string_view::npos) {
        *bad_col = w.col;
        return false;
      }
      w.text = std::string(line.substr(i + 1, j - i - 1));
      i = j + 1;
    } else {
      size_t j = i;
      while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
      w.text = std::string(line.substr(i, j - i));
      i = j;
    }
    w.len = static_cast<uint32_t>(i + 1 - w.col);
    out->push_back(std::move(w));
  }
  return true;
}

bool ParseU64(std::string_view s, uint64_t max, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return false;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  if (v > max) return false;
  *out = v;
  return true;
}

struct IcmpName {
  const char* name;
  uint8_t type, code;
};
// ipset's ICMP names (as `ipset save` prints them).
constexpr IcmpName kIcmpNames[] = {
    {"echo-reply", 0, 0}, {"pong", 0, 0}, {"network-unreachable", 3, 0},
    {"host-unreachable", 3, 1}, {"protocol-unreachable", 3, 2}, {"port-unreachable", 3, 3},
    {"fragmentation-needed", 3, 4}, {"source-route-failed", 3, 5}, {"network-unknown", 3, 6},
    {"host-unknown", 3, 7}, {"network-prohibited", 3, 9}, {"host-prohibited", 3, 10},
    {"TOS-network-unreachable", 3, 11}, {"TOS-host-unreachable", 3, 12},
    {"communication-prohibited", 3, 13}, {"host-precedence-violation", 3, 14},
    {"precedence-cutoff", 3, 15}, {"source-quench", 4, 0}, {"network-redirect", 5, 0},
    {"host-redirect", 5, 1}, {"TOS-network-redirect", 5, 2}, {"TOS-host-redirect", 5, 3},
    {"echo-request", 8, 0}, {"ping", 8, 0}, {"router-advertisement", 9, 0},
    {"router-solicitation", 10, 0}, {"ttl-zero-during-transit", 11, 0},
    {"ttl-zero-during-reassembly", 11, 1}, {"ip-header-bad", 12, 0},
    {"required-option-missing", 12, 1}, {"timestamp-request", 13, 0},
    {"timestamp-reply", 14, 0}, {"address-mask-request", 17, 0}, {"address-mask-reply", 18, 0},
};
constexpr IcmpName kIcmp6Names[] = {
    {"no-route", 1, 0}, {"communication-prohibited", 1, 1}, {"address-unreachable", 1, 3},
    {"port-unreachable", 1, 4}, {"packet-too-big", 2, 0}, {"ttl-zero-during-transit", 3, 0},
    {"ttl-zero-during-reassembly", 3, 1}, {"bad-header", 4, 0}, {"unknown-header-type", 4, 1},
    {"unknown-option", 4, 2}, {"echo-request", 128, 0}, {"ping", 128, 0},
    {"echo-reply", 129, 0}, {"pong", 129, 0}, {"router-solicitation", 133, 0},
    {"router-advertisement", 134, 0}, {"neighbour-solicitation", 135, 0},
    {"neighbour-advertisement", 136, 0}, {"redirect", 137, 0},
};

struct Proto {
  const char* name;
  uint8_t num;
};
constexpr Proto kProtos[] = {{"tcp", 6},   {"udp", 17},       {"udplite", 136}, {"sctp", 132},
                             {"icmp", 1},  {"icmpv6", 58},    {"ipv6-icmp", 58}, {"gre", 47},
                             {"esp", 50},  {"ah", 51},        {"ipip", 4},       {"ospf", 89},
                             {"pim", 103}, {"vrrp", 112},     {"igmp", 2},       {"dccp", 33}};

bool HasPorts(uint8_t p) { return p == 6 || p == 17 || p == 136 || p == 132; }

// The covering prefixes of [lo, hi] (IPv4 as 32-bit numbers).
void RangeToCidrs(uint32_t lo, uint32_t hi, std::vector<std::pair<uint32_t, int>>* out) {
  uint64_t a = lo;
  while (a <= hi) {
    int len = 32;
    while (len > 0) {
      uint64_t size = 1ull << (32 - (len - 1));
      if ((a & (size - 1)) != 0 || a + size - 1 > hi) break;
      --len;
    }
    out->push_back({static_cast<uint32_t>(a), len});
    a += 1ull << (32 - len);
  }
}

uint32_t V4(const IpAddr& a) {
  return GetBe32(a.b.data());
}
IpAddr FromV4(uint32_t v) {
  IpAddr a;
  PutBe32(a.b.data(), v);
  return a;
}
IpAddr MaskAddr(const IpAddr& a, Family f, int len) {
  IpAddr m = PrefixMask(f, len);
  IpAddr r;
  for (size_t i = 0; i < 16; ++i) r.b[i] = a.b[i] & m.b[i];
  return r;
}

class Parser {
 public:
  Parser(const std::string& file, IpsetDb* db, DiagnosticSink* diags, const IpsetLimits& limits)
      : file_(file), db_(db), diags_(diags), max_expand_(limits.max_expand),
        max_elements_(limits.max_elements) {}

  void Line(std::string_view line, uint32_t number) {
    line_ = line;
    number_ = number;
    std::vector<Word> w;
    uint32_t bad = 0;
    if (!SplitWords(line, &w, &bad)) return Error(bad, 1, "unterminated quoted string");
    if (w.empty() || w[0].text[0] == '#') return;
    const std::string& cmd = w[0].text;
    if (cmd == "create" || cmd == "-N" || cmd == "-exist") {
      if (cmd == "-exist") return;
      return Create(w);
    }
    if (cmd == "add" || cmd == "-A") return Add(w);
    if (cmd == "COMMIT") return;
    Error(w[0], "expected 'create' or 'add', not '" + cmd + "'");
  }

  bool ok() const { return !failed_; }

 private:
  void Error(uint32_t col, uint32_t len, std::string msg) {
    failed_ = true;
    Diagnostic d;
    d.file = file_;
    d.line = number_;
    d.col = col;
    d.len = len ? len : 1;
    d.message = std::move(msg);
    d.source_line = std::string(line_);
    diags_->Add(std::move(d));
  }
  void Error(const Word& w, std::string msg) { Error(w.col, w.len, std::move(msg)); }
  void ErrorAfter(const Word& w, std::string msg) { Error(w.col + w.len, 1, std::move(msg)); }

  void Create(const std::vector<Word>& w) {
    if (w.size() < 2) return ErrorAfter(w[0], "'create' needs a set name and a type");
    if (w.size() < 3) return ErrorAfter(w[1], "'create " + w[1].text + "' needs a type");
    const std::string& name = w[1].text;
    if (name.size() > 31) return Error(w[1], "set name longer than 31 characters");
    if (db_->count(name)) return Error(w[1], "the set '" + name + "' is already created");
    Ipset s;
    s.name = name;
    s.type = w[2].text;
    s.line = number_;
    if (!IpsetTypeDims(s.type, &s.dims))
      return Error(w[2], "unknown or unsupported set type '" + s.type + "'");
    s.family_any = s.type == "list:set" || s.type == "bitmap:port" || s.type == "hash:mac";
    bool have_range = false;
    const Word* range_word = nullptr;
    for (size_t i = 3; i < w.size(); ++i) {
      const std::string& o = w[i].text;
      auto arg = [&]() -> const Word* {
        if (i + 1 >= w.size()) {
          ErrorAfter(w[i], "'" + o + "' needs a value");
          return nullptr;
        }
        return &w[++i];
      };
      if (o == "counters") s.counters = true;
      else if (o == "skbinfo") s.skbinfo = true;
      else if (o == "comment" || o == "forceadd" || o == "nomatch") continue;
      else if (o == "family") {
        const Word* a = arg();
        if (!a) return;
        if (a->text == "inet" || a->text == "ipv4") s.family = Family::kIPv4;
        else if (a->text == "inet6" || a->text == "ipv6") s.family = Family::kIPv6;
        else return Error(*a, "unknown family '" + a->text + "' (inet or inet6)");
      } else if (o == "netmask") {
        const Word* a = arg();
        if (!a) return;
        netmask_word_ = a;
        uint64_t v;
        if (!ParseU64(a->text, 128, &v) || v == 0)
          return Error(*a, "invalid netmask '" + a->text + "' (a prefix length)");
        s.netmask = static_cast<uint8_t>(v);
        if (s.type != "hash:ip" && s.type != "bitmap:ip")
          return Error(w[i - 1], "'netmask' is only valid for hash:ip and bitmap:ip");
      } else if (o == "markmask") {
        const Word* a = arg();
        uint64_t v;
        if (!a) return;
        if (!ParseU64(a->text, 0xffffffff, &v) || v == 0)
          return Error(*a, "invalid markmask '" + a->text + "'");
        s.markmask = static_cast<uint32_t>(v);
      } else if (o == "range") {
        range_word = arg();
        if (!range_word) return;
        have_range = true;
      } else if (o == "hashsize" || o == "maxelem" || o == "timeout" || o == "size" ||
                 o == "bucketsize" || o == "initval" || o == "probes" || o == "resize") {
        const Word* a = arg();
        uint64_t v;
        if (!a) return;
        if (!ParseU64(a->text, 0xffffffff, &v))
          return Error(*a, "invalid " + o + " value '" + a->text + "'");
      } else {
        return Error(w[i], "unknown create option '" + o + "'");
      }
    }
    const int host = s.family == Family::kIPv4 ? 32 : 128;
    if (s.netmask > host)
      return Error(*netmask_word_, "netmask " + std::to_string(s.netmask) + " is longer than " +
                                       std::to_string(host));
    if (s.bitmap()) {
      if (s.family != Family::kIPv4 && s.type != "bitmap:port")
        return Error(w[2], s.type + " sets are IPv4 only");
      if (!have_range) return ErrorAfter(w.back(), "a " + s.type + " set needs 'range'");
      if (s.type == "bitmap:port") {
        if (!ParsePortRange(range_word->text, &s.port_from, &s.port_to))
          return Error(*range_word, "invalid port range '" + range_word->text + "'");
      } else if (!ParseAddrRange(range_word->text, s.family, &s.range_from, &s.range_to)) {
        return Error(*range_word, "invalid address range '" + range_word->text + "'");
      }
    } else if (have_range) {
      return Error(*range_word, "'range' is only valid for bitmap sets");
    }
    (*db_)[name] = std::move(s);
  }

  static bool ParsePortRange(const std::string& t, uint16_t* lo, uint16_t* hi) {
    size_t dash = t.find('-');
    uint64_t a, b;
    if (dash == std::string::npos) {
      if (!ParseU64(t, 65535, &a)) return false;
      b = a;
    } else if (!ParseU64(t.substr(0, dash), 65535, &a) ||
               !ParseU64(t.substr(dash + 1), 65535, &b) || b < a) {
      return false;
    }
    *lo = static_cast<uint16_t>(a);
    *hi = static_cast<uint16_t>(b);
    return true;
  }
  // FROM-TO or ADDR/CIDR (IPv4).
  static bool ParseAddrRange(const std::string& t, Family f, IpAddr* lo, IpAddr* hi) {
    size_t dash = t.find('-'), slash = t.find('/');
    if (dash != std::string::npos) {
      if (!ParseIpAddr(f, t.substr(0, dash), lo) || !ParseIpAddr(f, t.substr(dash + 1), hi))
        return false;
      return !(hi->b < lo->b);
    }
    IpAddr a;
    uint64_t len = f == Family::kIPv4 ? 32 : 128;
    if (!ParseIpAddr(f, t.substr(0, slash), &a)) return false;
    if (slash != std::string::npos &&
        !ParseU64(t.substr(slash + 1), f == Family::kIPv4 ? 32 : 128, &len))
      return false;
    *lo = MaskAddr(a, f, static_cast<int>(len));
    *hi = *lo;
    IpAddr m = PrefixMask(f, static_cast<int>(len));
    for (size_t i = 0; i < 16; ++i) hi->b[i] = lo->b[i] | static_cast<uint8_t>(~m.b[i]);
    if (f == Family::kIPv4)
      for (size_t i = 4; i < 16; ++i) hi->b[i] = 0;
    return true;
  }

  // An address, a range or a net of an ip or net dimension (hash:ip, hash:net...).
  bool AddrValues(const Ipset& s, IpsetDim d, const Word& w, const std::string& t,
                  std::vector<IpsetValue>* out) {
    const Family f = s.family;
    const int host = f == Family::kIPv4 ? 32 : 128;
    size_t dash = t.find('-');
    IpAddr lo, hi;
    int len = host;
    if (dash != std::string::npos) {
      if (!ParseIpAddr(f, t.substr(0, dash), &lo) || !ParseIpAddr(f, t.substr(dash + 1), &hi) ||
          hi.b < lo.b) {
        Error(w, "invalid address range '" + t + "'");
        return false;
      }
      if (f != Family::kIPv4) {
        Error(w, "address ranges are IPv4 only");
        return false;
      }
      if (d == IpsetDim::kNet) {
        std::vector<std::pair<uint32_t, int>> cidrs;
        RangeToCidrs(V4(lo), V4(hi), &cidrs);
        for (auto [a, l] : cidrs) {
          IpsetValue v;
          v.addr = FromV4(a);
          v.cidr = static_cast<uint8_t>(l);
          out->push_back(v);
        }
        return true;
      }
    } else {
      size_t slash = t.find('/');
      if (!ParseIpAddr(f, t.substr(0, slash), &lo)) {
        Error(w, "invalid " + std::string(f == Family::kIPv4 ? "IPv4" : "IPv6") +
                     " address '" + t.substr(0, slash) + "'");
        return false;
      }
      if (slash != std::string::npos) {
        uint64_t l;
        if (!ParseU64(t.substr(slash + 1), static_cast<uint64_t>(host), &l) ||
            (d == IpsetDim::kNet && l == 0)) {
          Error(w, "invalid prefix length in '" + t + "'");
          return false;
        }
        len = static_cast<int>(l);
      }
      if (d == IpsetDim::kNet) {
        IpsetValue v;
        v.addr = MaskAddr(lo, f, len);
        v.cidr = static_cast<uint8_t>(len);
        out->push_back(v);
        return true;
      }
      lo = MaskAddr(lo, f, len);
      hi = lo;
      IpAddr m = PrefixMask(f, len);
      for (int i = 0; i < host / 8; ++i) hi.b[i] = lo.b[i] | static_cast<uint8_t>(~m.b[i]);
    }
    // kIp: one element per address (per netmask block).
    const int step_len = s.netmask ? s.netmask : host;
    if (f != Family::kIPv4) {
      if (!(lo == hi) && len < step_len) {
        Error(w, "IPv6 address blocks are not expanded: give single addresses");
        return false;
      }
      IpsetValue v;
      v.addr = MaskAddr(lo, f, step_len);
      v.cidr = static_cast<uint8_t>(step_len);
      out->push_back(v);
      return true;
    }
    uint64_t a = V4(MaskAddr(lo, f, step_len)), b = V4(hi);
    uint64_t step = 1ull << (32 - step_len);
    if ((b - a) / step + 1 > max_expand_) {
      Error(w, "'" + t + "' expands to more than " + std::to_string(max_expand_) + " elements");
      return false;
    }
    for (; a <= b; a += step) {
      IpsetValue v;
      v.addr = FromV4(static_cast<uint32_t>(a));
      v.cidr = static_cast<uint8_t>(step_len);
      out->push_back(v);
    }
    return true;
  }

  // PROTO:PORT[-PORT], or an ICMP type, of a port dimension.
  bool PortValues(const Ipset& s, const Word& w, const std::string& t,
                  std::vector<IpsetValue>* out) {
    const Family f = s.family;
    std::string proto_text = "tcp", port_text = t;
    size_t colon = t.find(':');
    if (colon != std::string::npos) {
      proto_text = t.substr(0, colon);
      port_text = t.substr(colon + 1);
    }
    int proto = -1;
    for (const Proto& p : kProtos)
      if (proto_text == p.name) proto = p.num;
    uint64_t pn;
    if (proto < 0 && ParseU64(proto_text, 255, &pn)) proto = static_cast<int>(pn);
    if (proto < 0) {
      Error(w, "unknown protocol '" + proto_text + "'");
      return false;
    }
    const bool icmp = proto == 1 || proto == 58;
    if (icmp) {
      if (proto != (f == Family::kIPv4 ? 1 : 58)) {
        Error(w, "'" + proto_text + "' does not fit the set's family");
        return false;
      }
      IpsetValue v;
      v.proto = static_cast<uint8_t>(proto);
      size_t sl = port_text.find('/');
      uint64_t ty, co;
      if (sl != std::string::npos && ParseU64(port_text.substr(0, sl), 255, &ty) &&
          ParseU64(port_text.substr(sl + 1), 255, &co)) {
        v.port = static_cast<uint16_t>(ty << 8 | co);
      } else {
        bool found = false;
        for (const IcmpName& n : proto == 1 ? std::span<const IcmpName>(kIcmpNames)
                                            : std::span<const IcmpName>(kIcmp6Names))
          if (port_text == n.name) {
            v.port = static_cast<uint16_t>(n.type << 8 | n.code);
            found = true;
            break;
          }
        if (!found) {
          Error(w, "invalid ICMP type '" + port_text + "' (TYPE/CODE or a name)");
          return false;
        }
      }
      out->push_back(v);
      return true;
    }
    uint16_t lo, hi;
    if (!ParsePortRange(port_text, &lo, &hi)) {
      Error(w, "invalid port '" + port_text + "'");
      return false;
    }
    if (!HasPorts(static_cast<uint8_t>(proto)) && (lo != 0 || hi != 0)) {
      Error(w, "protocol '" + proto_text + "' has no ports: the port must be 0");
      return false;
    }
    if (uint64_t{hi} - lo + 1 > max_expand_) {
      Error(w, "'" + t + "' expands to more than " + std::to_string(max_expand_) + " elements");
      return false;
    }
    for (uint32_t p = lo; p <= hi; ++p) {
      IpsetValue v;
      v.proto = static_cast<uint8_t>(proto);
      v.port = static_cast<uint16_t>(p);
      out->push_back(v);
    }
    return true;
  }

  // A MAC address.
  bool MacValue(const Word& w, const std::string& t, std::vector<IpsetValue>* out) {
    IpsetValue v;
    // Not ParseMacStrict: sscanf's %2x also takes a blank, a sign or one-digit bytes.
    unsigned b[6];
    char tail;
    if (t.size() != 17 || sscanf(t.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
                                 &b[3], &b[4], &b[5], &tail) != 6) {
      Error(w, "invalid MAC address '" + t + "'");
      return false;
    }
    for (int i = 0; i < 6; ++i) v.mac[static_cast<size_t>(i)] = static_cast<uint8_t>(b[i]);
    out->push_back(v);
    return true;
  }

  // A mark, masked by the set's markmask.
  bool MarkValue(const Ipset& s, const Word& w, const std::string& t,
                 std::vector<IpsetValue>* out) {
    uint64_t m;
    if (!ParseU64(t, 0xffffffff, &m)) {
      Error(w, "invalid mark '" + t + "'");
      return false;
    }
    IpsetValue v;
    v.mark = static_cast<uint32_t>(m) & s.markmask;
    out->push_back(v);
    return true;
  }

  // An interface name; "physdev:" names a bridge port.
  bool IfaceValue(const Word& w, const std::string& t, std::vector<IpsetValue>* out) {
    IpsetValue v;
    std::string n = t;
    if (n.rfind("physdev:", 0) == 0) {
      v.physdev = true;
      n = n.substr(8);
    }
    if (n.empty() || n.size() > 15) {
      Error(w, "invalid interface name '" + t + "'");
      return false;
    }
    v.iface = n;
    out->push_back(v);
    return true;
  }

  // A member set of a list:set.
  bool SetValue(const Word& w, const std::string& t, std::vector<IpsetValue>* out) {
    auto m = db_->find(t);
    if (m == db_->end()) {
      Error(w, "no set named '" + t + "' (create it first)");
      return false;
    }
    if (m->second.type == "list:set") {
      Error(w, "a list:set cannot contain another list:set");
      return false;
    }
    IpsetValue v;
    v.iface = t;
    out->push_back(v);
    return true;
  }

  // One dimension's values (several when a range or a net expands).
  bool DimValues(const Ipset& s, IpsetDim d, const Word& w, const std::string& t,
                 std::vector<IpsetValue>* out) {
    switch (d) {
      case IpsetDim::kIp:
      case IpsetDim::kNet: return AddrValues(s, d, w, t, out);
      case IpsetDim::kPort: return PortValues(s, w, t, out);
      case IpsetDim::kMac: return MacValue(w, t, out);
      case IpsetDim::kMark: return MarkValue(s, w, t, out);
      case IpsetDim::kIface: return IfaceValue(w, t, out);
      case IpsetDim::kSet: return SetValue(w, t, out);
    }
    return false;
  }

  void Add(const std::vector<Word>& w) {
    if (w.size() < 2) return ErrorAfter(w[0], "'add' needs a set name and an element");
    auto it = db_->find(w[1].text);
    if (it == db_->end()) {
      std::vector<std::string_view> names;
      for (const auto& [n, s] : *db_) names.push_back(n);
      std::string near = ClosestName(w[1].text, names);
      return Error(w[1], "no set named '" + w[1].text + "' (create it first)" +
                             (near.empty() ? "" : "; did you mean '" + near + "'?"));
    }
    Ipset& s = it->second;
    if (w.size() < 3) return ErrorAfter(w[1], "'add " + s.name + "' needs an element");
    // The element's parts, one per dimension.
    std::vector<std::string> parts;
    const std::string& e = w[2].text;
    size_t i = 0;
    while (true) {
      size_t j = e.find(',', i);
      parts.push_back(e.substr(i, j == std::string::npos ? std::string::npos : j - i));
      if (j == std::string::npos) break;
      i = j + 1;
    }
    if (parts.size() != s.dims.size())
      return Error(w[2], "a " + s.type + " element has " + std::to_string(s.dims.size()) +
                             " part" + (s.dims.size() == 1 ? "" : "s") + ", not " +
                             std::to_string(parts.size()));
    std::vector<std::vector<IpsetValue>> per_dim(s.dims.size());
    size_t combos = 1;
    for (size_t d = 0; d < s.dims.size(); ++d) {
      if (!DimValues(s, s.dims[d], w[2], parts[d], &per_dim[d])) {
        if (!failed_) Error(w[2], "invalid element '" + e + "'");
        return;
      }
      combos *= per_dim[d].size();
      if (combos > max_expand_)
        return Error(w[2], "'" + e + "' expands to more than " + std::to_string(max_expand_) +
                               " elements");
    }
    IpsetElement proto_elem;
    proto_elem.line = number_;
    for (size_t k = 3; k < w.size(); ++k) {
      const std::string& o = w[k].text;
      auto arg = [&]() -> const Word* {
        if (k + 1 >= w.size()) {
          ErrorAfter(w[k], "'" + o + "' needs a value");
          return nullptr;
        }
        return &w[++k];
      };
      uint64_t v;
      if (o == "nomatch") {
        if (!IpsetTypeHasNomatch(s.dims))
          return Error(w[k], "'nomatch' is not supported by " + s.type + " sets");
        proto_elem.nomatch = true;
      } else if (o == "packets" || o == "bytes") {
        const Word* a = arg();
        if (!a) return;
        if (!s.counters) return Error(w[k - 1], "the set has no counters ('counters' at create)");
        if (!ParseU64(a->text, UINT64_MAX, &v)) return Error(*a, "invalid counter '" + a->text + "'");
        (o == "packets" ? proto_elem.packets : proto_elem.bytes) = v;
      } else if (o == "skbmark") {
        const Word* a = arg();
        if (!a) return;
        if (!s.skbinfo) return Error(w[k - 1], "the set has no skbinfo ('skbinfo' at create)");
        size_t sl = a->text.find('/');
        uint64_t m = 0xffffffff;
        if (!ParseU64(a->text.substr(0, sl), 0xffffffff, &v) ||
            (sl != std::string::npos && !ParseU64(a->text.substr(sl + 1), 0xffffffff, &m)))
          return Error(*a, "invalid skbmark '" + a->text + "' (MARK or MARK/MASK)");
        proto_elem.skbmark = static_cast<uint32_t>(v);
        proto_elem.skbmarkmask = static_cast<uint32_t>(m);
      } else if (o == "timeout" || o == "comment" || o == "skbprio" || o == "skbqueue" ||
                 o == "before" || o == "after") {
        if (!arg()) return;
      } else {
        return Error(w[k], "unknown add option '" + o + "'");
      }
    }
    // Bitmap ranges.
    if (s.bitmap()) {
      for (const IpsetValue& v : per_dim[0]) {
        bool in = s.type == "bitmap:port"
                      ? v.port >= s.port_from && v.port <= s.port_to
                      : !(v.addr.b < s.range_from.b) && !(s.range_to.b < v.addr.b);
        if (!in) return Error(w[2], "'" + e + "' is outside the set's range");
      }
    }
    // Every combination of the dimensions' values.
    std::vector<size_t> idx(s.dims.size(), 0);
    while (true) {
      IpsetElement el = proto_elem;
      for (size_t d = 0; d < s.dims.size(); ++d) el.v.push_back(per_dim[d][idx[d]]);
      auto idx_it = index_.find(s.name);
      if (idx_it == index_.end()) {  // a set from an earlier file: index what it has
        idx_it = index_.emplace(s.name, std::unordered_map<std::string, size_t>()).first;
        for (size_t k = 0; k < s.elements.size(); ++k) idx_it->second.emplace(Key(s.elements[k].v), k);
      }
      auto [pos, fresh] = idx_it->second.emplace(Key(el.v), s.elements.size());
      if (!fresh) {
        s.elements[pos->second] = std::move(el);  // as "add -exist": the later line wins
      } else {
        if (++total_ > max_elements_)
          return Error(w[2], "more than " + std::to_string(max_elements_) + " elements in all");
        s.elements.push_back(std::move(el));
      }
      size_t d = 0;
      while (d < idx.size() && ++idx[d] == per_dim[d].size()) idx[d++] = 0;
      if (d == idx.size()) break;
    }
  }

  // An element's values as bytes, for finding duplicates.
  static std::string Key(const std::vector<IpsetValue>& vs) {
    std::string k;
    for (const IpsetValue& v : vs) {
      k.append(reinterpret_cast<const char*>(v.addr.b.data()), v.addr.b.size());
      k += static_cast<char>(v.cidr);
      k += static_cast<char>(v.proto);
      k += static_cast<char>(v.port >> 8);
      k += static_cast<char>(v.port);
      k.append(reinterpret_cast<const char*>(v.mac.data()), v.mac.size());
      for (int sh = 24; sh >= 0; sh -= 8) k += static_cast<char>(v.mark >> sh);
      k += static_cast<char>(v.physdev);
      k += v.iface;
      k += '\0';
    }
    return k;
  }

  std::map<std::string, std::unordered_map<std::string, size_t>> index_;
  const std::string& file_;
  IpsetDb* db_;
  DiagnosticSink* diags_;
  const size_t max_expand_, max_elements_;
  std::string_view line_;
  uint32_t number_ = 0;
  bool failed_ = false;
  size_t total_ = 0;
  const Word* netmask_word_ = nullptr;
};

}  // namespace

bool ParseIpsetSave(std::string_view text, const std::string& file, IpsetDb* db,
                    DiagnosticSink* diags, const IpsetLimits& limits) {
  Parser p(file, db, diags, limits);
  uint32_t number = 0;
  size_t i = 0;
  while (i < text.size() && !diags->full()) {
    size_t j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view line = text.substr(i, j - i);
    ++number;
    if (line.find('\0') != std::string_view::npos) {
      Diagnostic d;
      d.file = file;
      d.line = number;
      d.col = static_cast<uint32_t>(line.find('\0') + 1);
      d.message = "NUL byte in the line";
      diags->Add(std::move(d));
      return false;
    }
    p.Line(line, number);
    i = j + 1;
  }
  return p.ok() && diags->error_count() == 0;
}

}  // namespace iptsim
