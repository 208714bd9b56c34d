#include "loader/monitor_trace.h"

#include <charconv>
#include <cstdio>
#include <vector>

#include "engine/netaddr.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

struct Tok {
  std::string_view text;
  size_t pos;  // offset in the line
};

std::vector<Tok> Split(std::string_view line, size_t start) {
  std::vector<Tok> toks;
  for (size_t i = start; i < line.size();) {
    while (i < line.size() && line[i] == ' ') ++i;
    if (i >= line.size()) break;
    size_t j = line.find(' ', i);
    if (j == std::string_view::npos) j = line.size();
    toks.push_back({line.substr(i, j - i), i});
    i = j;
  }
  return toks;
}

template <typename T>
bool ReadNum(std::string_view v, int base, T max, T* out) {
  unsigned long long n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n, base);
  if (v.empty() || ec != std::errc() || p != v.data() + v.size() || n > max) return false;
  *out = static_cast<T>(n);
  return true;
}

bool IsHex8(std::string_view v) {
  if (v.size() != 8) return false;
  for (char c : v)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// "WORD: <family> <8 hex digits> " anywhere in the line.
size_t FindMonitorWord(std::string_view line, std::string_view word, uint32_t* trace_id) {
  for (size_t p = line.find(word); p != std::string_view::npos; p = line.find(word, p + 1)) {
    std::vector<Tok> t = Split(line.substr(0, std::min(line.size(), p + word.size() + 16)),
                               p + word.size());
    uint8_t fam;
    if (t.size() >= 2 && ReadNum(t[0].text, 10, uint8_t{255}, &fam) && IsHex8(t[1].text)) {
      if (trace_id) ReadNum(t[1].text, 16, uint32_t{0xffffffff}, trace_id);
      return p;
    }
  }
  return std::string_view::npos;
}

class PacketLineParser {
 public:
  PacketLineParser(std::string_view line, size_t start) : line_(line), toks_(Split(line, start)) {}
  bool Parse(std::optional<Family> family, MonitorPacketLine* out);
  size_t fail_pos = 0, fail_len = 1;
  std::string fail_message;

 private:
  bool Fail(const Tok& t, std::string message) {
    fail_pos = t.pos;
    fail_len = std::max<size_t>(1, t.text.size());
    fail_message = std::move(message);
    return false;
  }
  bool FailEnd(std::string message) {
    fail_pos = line_.size();
    fail_message = std::move(message);
    return false;
  }
  bool AtEnd() const { return k_ >= toks_.size(); }
  const Tok& Cur() const { return toks_[k_]; }
  // "KEY=" at the current token: its value, advancing.
  bool Key(std::string_view key, std::string_view* value) {
    if (AtEnd()) return false;
    std::string_view t = Cur().text;
    if (t.size() <= key.size() || t.compare(0, key.size(), key) != 0 || t[key.size()] != '=')
      return false;
    *value = t.substr(key.size() + 1);
    ++k_;
    return true;
  }
  template <typename T>
  bool Need(std::string_view key, int base, T max, T* out) {
    std::string_view v;
    if (AtEnd()) return FailEnd("expected " + std::string(key) + "= at the end");
    const Tok& t = Cur();
    if (!Key(key, &v)) return Fail(t, "expected " + std::string(key) + "=, not '" + std::string(t.text) + "'");
    if (base == 16 && v.starts_with("0x")) v.remove_prefix(2);
    if (!ReadNum(v, base, max, out))
      return Fail(t, "bad number '" + std::string(v) + "' (at most " + std::to_string(max) + ")");
    return true;
  }
  bool Addr(Family f, std::string_view key, std::optional<IpAddr>* out) {
    std::string_view v;
    if (AtEnd()) return FailEnd("expected " + std::string(key) + "= at the end");
    const Tok& t = Cur();
    if (!Key(key, &v)) return Fail(t, "expected " + std::string(key) + "=, not '" + std::string(t.text) + "'");
    IpAddr a;
    if (!ParseIpAddr(f, v, &a))
      return Fail(t, std::string("bad ") + (f == Family::kIPv4 ? "IPv4" : "IPv6") + " address '" +
                         std::string(v) + "'");
    *out = a;
    return true;
  }
  bool LinkLayer(PacketSpec* s);
  bool Ipv4(PacketSpec* s);
  bool Ipv6(PacketSpec* s);
  bool Ports(MonitorPacketLine* out);

  std::string_view line_;
  std::vector<Tok> toks_;
  size_t k_ = 0;
};

// ether_ntoa's "2:0:0:0:5:1" (no zero padding).
bool ReadMac(std::string_view v, std::array<uint8_t, 6>* m) {
  unsigned x[6];
  char tail;
  std::string z(v);
  if (sscanf(z.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &x[0], &x[1], &x[2], &x[3], &x[4], &x[5],
             &tail) != 6)
    return false;
  for (int i = 0; i < 6; ++i) (*m)[i] = static_cast<uint8_t>(x[i]);
  return true;
}

bool PacketLineParser::LinkLayer(PacketSpec* s) {
  std::string_view v;
  if (!AtEnd() && Cur().text.starts_with("MACSRC=")) {
    for (std::string_view key : {"MACSRC", "MACDST"}) {
      const Tok& t = AtEnd() ? toks_.back() : Cur();
      if (!Key(key, &v)) return Fail(t, "expected " + std::string(key) + "=");
      if (!ReadMac(v, key == "MACSRC" ? &s->mac_src : &s->mac_dst))
        return Fail(t, "bad MAC address '" + std::string(v) + "'");
    }
    uint16_t proto;
    return Need("MACPROTO", 16, uint16_t{0xffff}, &proto);
  }
  if (!AtEnd() && Cur().text.starts_with("LL=")) {
    // Another link type, then its header in hex: loopback (0x304) carries
    // an Ethernet-sized header; others cannot be rebuilt and get none.
    const Tok& t = Cur();
    uint16_t type;
    if (!Need("LL", 16, uint16_t{0xffff}, &type)) return false;
    if (AtEnd()) return FailEnd("expected the link-layer header's bytes after " + std::string(t.text));
    std::string_view hex = Cur().text;
    std::vector<uint8_t> b;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
      uint8_t byte;
      if (!ReadNum(hex.substr(i, 2), 16, uint8_t{0xff}, &byte)) return Fail(Cur(), "bad hex bytes");
      b.push_back(byte);
    }
    ++k_;
    if (type == 0x304 && b.size() == 14) {
      std::copy(b.begin(), b.begin() + 6, s->mac_dst.begin());
      std::copy(b.begin() + 6, b.begin() + 12, s->mac_src.begin());
    } else {
      s->no_mac = true;
    }
    return true;
  }
  // An input device without a link-layer header the kernel sends (tun).
  if (!s->in.empty()) s->no_mac = true;
  return true;
}

bool PacketLineParser::Ipv4(PacketSpec* s) {
  uint16_t len, id;
  uint8_t tos, ttl;
  if (!Addr(Family::kIPv4, "SRC", &s->src) || !Addr(Family::kIPv4, "DST", &s->dst) ||
      !Need("LEN", 10, uint16_t{0xffff}, &len) || !Need("TOS", 16, uint8_t{0xff}, &tos) ||
      !Need("TTL", 10, uint8_t{0xff}, &ttl) || !Need("ID", 10, uint16_t{0xffff}, &id))
    return false;
  s->len = len;
  s->tos = tos;
  s->ttl = ttl;
  s->id = id;
  if (!AtEnd() && Cur().text == "CE") s->ce = true, ++k_;
  if (!AtEnd() && Cur().text == "DF") s->df = true, ++k_;
  if (!AtEnd() && Cur().text == "MF") s->mf = true, ++k_;
  if (!AtEnd() && Cur().text.starts_with("FRAG:")) {
    uint16_t off;
    if (!ReadNum(Cur().text.substr(5), 10, uint16_t{0x1fff}, &off))
      return Fail(Cur(), "bad fragment offset (at most 8191)");
    s->frag_offset = static_cast<uint16_t>(off * 8);
    ++k_;
  }
  if (!AtEnd() && Cur().text == "OPT" && k_ + 1 < toks_.size()) {
    // "%02X" of a signed char: a byte of 0x80 or more shows as FFFFFFxx.
    const Tok& t = toks_[k_ + 1];
    if (!t.text.starts_with("(") || !t.text.ends_with(")")) return Fail(t, "expected OPT (HEX)");
    std::string_view h = t.text.substr(1, t.text.size() - 2);
    for (size_t i = 0; i < h.size();) {
      const size_t n = h.substr(i, 6) == "FFFFFF" && i + 8 <= h.size() ? 8 : 2;
      uint8_t byte;
      if (i + n > h.size() || !ReadNum(h.substr(i + n - 2, 2), 16, uint8_t{0xff}, &byte) ||
          (n == 8) != (byte >= 0x80))
        return Fail(t, "bad IP option bytes at '" + std::string(h.substr(i, n)) + "'");
      s->ip_options.push_back(byte);
      i += n;
    }
    if (s->ip_options.size() % 4 || s->ip_options.size() > 40)
      return Fail(t, "IP options are a multiple of 4 bytes, at most 40");
    k_ += 2;
  }
  return true;
}

bool PacketLineParser::Ipv6(PacketSpec* s) {
  uint32_t len, flow;
  uint8_t tc, hl;
  if (!Addr(Family::kIPv6, "SRC", &s->src) || !Addr(Family::kIPv6, "DST", &s->dst)) return false;
  const Tok& len_tok = AtEnd() ? toks_.back() : Cur();
  if (!Need("LEN", 10, uint32_t{0xffff + 20}, &len) || !Need("TC", 10, uint8_t{0xff}, &tc) ||
      !Need("HOPLIMIT", 10, uint8_t{0xff}, &hl) || !Need("FLOWLBL", 10, uint32_t{0xfffff}, &flow))
    return false;
  // xtables-monitor prints the payload length + 20 (docs/kernel-trace.md §4).
  if (len < 20) return Fail(len_tok, "an IPv6 LEN= of xtables-monitor is the payload length + 20");
  s->len = len - 20 + 40;
  s->tos = tc;
  s->ttl = hl;
  s->flowlabel = flow;
  return true;
}

bool PacketLineParser::Ports(MonitorPacketLine* out) {
  PacketSpec& s = out->spec;
  if (!AtEnd() && Cur().text.starts_with("SPORT=")) {
    uint16_t sp, dp;
    if (!Need("SPORT", 10, uint16_t{0xffff}, &sp) || !Need("DPORT", 10, uint16_t{0xffff}, &dp))
      return false;
    s.sport = sp;
    s.dport = dp;
    out->ports = true;
    static constexpr std::pair<std::string_view, uint16_t> kFlags[] = {
        {"SYN", tcpflag::kSyn}, {"ACK", tcpflag::kAck}, {"FIN", tcpflag::kFin},
        {"RST", tcpflag::kRst}, {"PSH", tcpflag::kPsh}, {"URG", tcpflag::kUrg}};
    uint16_t flags = 0;
    for (bool more = true; more && !AtEnd();) {
      more = false;
      for (const auto& [name, bit] : kFlags)
        if (Cur().text == name) {
          flags |= bit;
          ++k_;
          more = out->tcp_flags = true;
          break;
        }
    }
    s.tcp_flags = flags;
  }
  if (!AtEnd() && Cur().text.starts_with("MARK=")) {
    const Tok& t = Cur();
    if (!t.text.starts_with("MARK=0x")) return Fail(t, "MARK= is hexadecimal (0x...)");
    if (!Need("MARK", 16, uint32_t{0xffffffff}, &s.mark)) return false;
  }
  return true;
}

bool PacketLineParser::Parse(std::optional<Family> family, MonitorPacketLine* out) {
  PacketSpec& s = out->spec;
  // "PACKET:" <family> <id>: FindMonitorPacket checked their form.
  uint8_t fam = 0;
  ReadNum(toks_[1].text, 10, uint8_t{255}, &fam);
  if (fam != 2 && fam != 10) return Fail(toks_[1], "family " + std::string(toks_[1].text) + ": only 2 (IPv4) and 10 (IPv6)");
  s.family = fam == 2 ? Family::kIPv4 : Family::kIPv6;
  if (family && *family != s.family)
    return Fail(toks_[1], std::string("an ") + (fam == 10 ? "IPv6" : "IPv4") +
                              " packet, but the ruleset is " +
                              (*family == Family::kIPv6 ? "IPv6" : "IPv4"));
  ReadNum(toks_[2].text, 16, uint32_t{0xffffffff}, &out->trace_id);
  k_ = 3;
  std::string_view v;
  if (Key("IN", &v)) s.in = std::string(v);
  if (Key("OUT", &v)) s.out = std::string(v);
  for (const std::string* name : {&s.in, &s.out})
    if (name->size() > 15) return Fail(toks_[k_ - 1], "interface name '" + *name + "' is longer than 15 characters");
  if (Key("NFPROTO", &v)) {
  }
  if (!LinkLayer(&s)) return false;
  if (!(s.family == Family::kIPv4 ? Ipv4(&s) : Ipv6(&s))) return false;
  if (!Ports(out)) return false;
  if (!AtEnd()) return Fail(Cur(), "unexpected '" + std::string(Cur().text) + "'");
  return true;
}

// The kernel's hook order, then the table's priority in the hook
// (net/ipv4/netfilter/iptable_*.c, nf_nat_ipv4_ops): a packet's base chains
// run in increasing position.
int ChainPosition(std::string_view table, std::string_view chain) {
  int hook;
  if (chain == "PREROUTING" || chain == "OUTPUT") hook = 0;
  else if (chain == "INPUT" || chain == "FORWARD") hook = 1;
  else if (chain == "POSTROUTING") hook = 2;
  else return -1;
  int prio;
  if (table == "raw") prio = -300;
  else if (table == "mangle") prio = -150;
  else if (table == "nat") prio = hook == 0 ? -100 : 100;
  else if (table == "filter") prio = 0;
  else if (table == "security") prio = 50;
  else return -1;
  return hook * 1000 + prio + 500;
}

// "TYPE" or "TYPE/CODE" of --icmp-type / --icmpv6-type as iptables -S prints it.
std::optional<std::pair<uint8_t, uint8_t>> IcmpTypeCode(std::string_view v) {
  uint8_t type, code = 0;
  size_t slash = v.find('/');
  if (!ReadNum(v.substr(0, slash), 10, uint8_t{255}, &type)) return std::nullopt;
  if (slash != std::string_view::npos && !ReadNum(v.substr(slash + 1), 10, uint8_t{255}, &code))
    return std::nullopt;
  return std::make_pair(type, code);
}

}  // namespace

size_t FindMonitorPacket(std::string_view line, uint32_t* trace_id) {
  return FindMonitorWord(line, "PACKET: ", trace_id);
}
size_t FindMonitorEvent(std::string_view line) { return FindMonitorWord(line, "TRACE: ", nullptr); }

void MonitorPacketLine::Resolve() {
  const bool v4 = spec.family == Family::kIPv4;
  auto has_ports = [](uint8_t p) {
    return p == ipproto::kTcp || p == ipproto::kUdp || p == ipproto::kUdplite ||
           p == ipproto::kSctp || p == ipproto::kDccp;
  };
  if (spec.frag_offset && ports) {
    // A later fragment has no transport header: the "ports" the monitor
    // shows are its first 4 data bytes.
    spec.payload = {static_cast<uint8_t>(*spec.sport >> 8), static_cast<uint8_t>(*spec.sport),
                    static_cast<uint8_t>(*spec.dport >> 8), static_cast<uint8_t>(*spec.dport)};
  }
  if (tcp_flags) spec.proto = ipproto::kTcp;
  else if (ports) spec.proto = hint_proto && has_ports(*hint_proto) ? *hint_proto : ipproto::kUdp;
  else spec.proto = hint_proto.value_or(v4 ? ipproto::kIcmp : ipproto::kIcmpv6);
  // IPv6: no ports although a matched rule says the protocol has them: the
  // monitor shows ports only when the next header is the transport itself,
  // so an extension header came first (rebuilt as destination options).
  if (!v4 && !ports && has_ports(*spec.proto)) spec.ext_hdrs = {ExtHdr::kDstOpts};
  if (spec.frag_offset) {
    spec.sport.reset();
    spec.dport.reset();
  }
  if (spec.proto != ipproto::kTcp) spec.tcp_flags.reset();
  if (hint_icmp && spec.proto == (v4 ? ipproto::kIcmp : ipproto::kIcmpv6)) {
    spec.icmp_type = hint_icmp->first;
    spec.icmp_code = hint_icmp->second;
  }
}

bool ParseMonitorPacketLine(std::string_view line, std::optional<Family> family,
                            MonitorPacketLine* out, Diagnostic* error) {
  *out = MonitorPacketLine();
  *error = Diagnostic();
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  error->source_line = std::string(line);
  const size_t start = FindMonitorPacket(line);
  if (start == std::string_view::npos) {
    error->col = 1;
    error->message = "not an xtables-monitor PACKET line";
    return false;
  }
  PacketLineParser p(line, start);
  if (p.Parse(family, out)) return true;
  error->col = static_cast<uint32_t>(std::min(p.fail_pos, line.size()) + 1);
  error->len = static_cast<uint32_t>(p.fail_len);
  error->message = p.fail_message;
  return false;
}

bool ParseMonitorEvent(std::string_view line, MonitorEvent* out) {
  *out = MonitorEvent();
  const size_t start = FindMonitorEvent(line);
  if (start == std::string_view::npos) return false;
  std::vector<Tok> t = Split(line, start);
  if (t.size() < 4) return false;
  uint8_t fam = 0;
  ReadNum(t[1].text, 10, uint8_t{255}, &fam);
  if (fam != 2 && fam != 10) return false;
  out->family = fam == 2 ? Family::kIPv4 : Family::kIPv6;
  ReadNum(t[2].text, 16, uint32_t{0xffffffff}, &out->trace_id);
  // "<table>:<chain>:rule:..." / ":policy:..." / ":return:..."
  std::string_view where = t[3].text;
  size_t c1 = where.find(':'), c2 = where.find(':', c1 + 1);
  if (c1 == std::string_view::npos || c2 == std::string_view::npos) return false;
  out->position = ChainPosition(where.substr(0, c1), where.substr(c1 + 1, c2 - c1 - 1));
  if (where.substr(c2 + 1).starts_with("rule:")) {
    // The rule as iptables -S prints it; a negated option has "!" before it.
    for (size_t i = 4; i + 1 < t.size(); ++i) {
      if (t[i - 1].text == "!") continue;
      std::string_view opt = t[i].text, val = t[i + 1].text;
      uint8_t proto;
      if (opt == "-p" && ParseProtocol(val, &proto)) out->proto = proto;
      if (opt == "--icmp-type" || opt == "--icmpv6-type") out->icmp = IcmpTypeCode(val);
    }
  }
  return true;
}

}  // namespace iptsim
