#include "loader/log_packet.h"

#include <charconv>
#include <vector>

#include "engine/log_format.h"
#include "engine/netaddr.h"

namespace iptsim {
namespace {

struct Tok {
  std::string_view text;
  size_t pos;  // offset in the line
};

struct Failure {
  size_t pos, len;
  std::string message;
};

class LogParser {
 public:
  LogParser(std::string_view line, size_t start) : line_(line) {
    size_t i = start;
    while (i < line.size()) {
      while (i < line.size() && line[i] == ' ') ++i;
      if (i >= line.size()) break;
      size_t j = line.find(' ', i);
      if (j == std::string_view::npos) j = line.size();
      std::string_view t = line.substr(i, j - i);
      // The end of an embedded dump may stick to the last item
      // ("OPT (TRUNCATED)]", "[TRUNCATED]"): a token of its own.
      if (t.size() > 1 && t.back() == ']' && t != "bytes]") {
        toks_.push_back({t.substr(0, t.size() - 1), i});
        toks_.push_back({"]", j - 1});
      } else {
        toks_.push_back({t, i});
      }
      i = j;
    }
  }

  // The packet: interfaces and link layer, then the IP dump.
  bool Parse(std::optional<Family> family, LogLine* out);
  const Failure& failure() const { return fail_; }

 private:
  bool Fail(const Tok& t, std::string message) {
    fail_ = {t.pos, std::max<size_t>(1, t.text.size()), std::move(message)};
    return false;
  }
  bool FailAt(size_t pos, std::string message) {
    fail_ = {pos, 1, std::move(message)};
    return false;
  }
  bool AtEnd() const { return k_ >= toks_.size(); }
  const Tok& Cur() const { return toks_[k_]; }
  // "KEY=" at the current token: the value, advancing.
  bool Key(std::string_view key, std::string_view* value) {
    if (AtEnd()) return false;
    std::string_view t = Cur().text;
    if (t.size() < key.size() + 1 || t.compare(0, key.size(), key) != 0 || t[key.size()] != '=')
      return false;
    *value = t.substr(key.size() + 1);
    ++k_;
    return true;
  }
  template <typename T>
  bool Num(const Tok& t, std::string_view v, int base, T max, T* out) {
    if (base == 16 && v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) v.remove_prefix(2);
    unsigned long long n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n, base);
    if (v.empty() || ec != std::errc() || p != v.data() + v.size() || n > max)
      return Fail(t, "bad number '" + std::string(v) + "' (at most " + std::to_string(max) + ")");
    *out = static_cast<T>(n);
    return true;
  }
  // A "KEY=number" token that must come next.
  template <typename T>
  bool Need(std::string_view key, int base, T max, T* out) {
    std::string_view v;
    if (AtEnd()) return FailAt(line_.size(), "expected " + std::string(key) + "= at the end");
    const Tok& t = Cur();
    if (!Key(key, &v)) return Fail(t, "expected " + std::string(key) + "=, not '" + std::string(t.text) + "'");
    return Num(t, v, base, max, out);
  }
  bool Hex(const Tok& t, std::string_view v, std::vector<uint8_t>* out) {
    if (v.size() % 2) return Fail(t, "odd number of hex digits");
    for (size_t i = 0; i < v.size(); i += 2) {
      uint8_t b;
      auto [p, ec] = std::from_chars(v.data() + i, v.data() + i + 2, b, 16);
      if (ec != std::errc() || p != v.data() + i + 2) return Fail(t, "bad hex byte '" + std::string(v.substr(i, 2)) + "'");
      out->push_back(b);
    }
    return true;
  }
  bool Addr(Family f, std::string_view key, std::optional<IpAddr>* out) {
    std::string_view v;
    if (AtEnd()) return FailAt(line_.size(), "expected " + std::string(key) + "= at the end");
    const Tok& t = Cur();
    if (!Key(key, &v)) return Fail(t, "expected " + std::string(key) + "=, not '" + std::string(t.text) + "'");
    IpAddr a;
    if (!ParseIpAddr(f, v, &a))
      return Fail(t, std::string("bad ") + (f == Family::kIPv4 ? "IPv4" : "IPv6") + " address '" + std::string(v) + "'");
    *out = a;
    return true;
  }
  // Skips "INCOMPLETE [N bytes]" (the lengths come from LEN=); true if found.
  bool Incomplete();
  // An IP dump (SRC=... to the end or to "]" when `inner`).
  bool Dump(PacketSpec* s, bool inner);
  bool Ipv4Header(PacketSpec* s);
  bool Ipv6Header(PacketSpec* s);
  bool Transport(PacketSpec* s, bool inner);
  bool Tcp(PacketSpec* s);
  bool Icmp(PacketSpec* s, bool inner);
  bool Trailer(PacketSpec* s, bool inner);
  void UdpLength(PacketSpec* s, uint16_t ulen, bool inner);
  // The IP header's length with options / extension headers as built.
  size_t HeaderLen(const PacketSpec& s) const {
    if (family_ == Family::kIPv4) return 20 + s.ip_options.size();
    size_t n = 40;
    for (ExtHdr h : s.ext_hdrs) n += h == ExtHdr::kAh ? 24 : 8;
    return n;
  }
  // The end of an embedded dump: "]" or a token ending in "]".
  bool CloseBracket() {
    if (AtEnd()) return FailAt(line_.size(), "missing ']' after the embedded packet");
    if (Cur().text == "]") {
      ++k_;
      return true;
    }
    return Fail(Cur(), "expected ']' after the embedded packet, not '" + std::string(Cur().text) + "'");
  }

  std::string_view line_;
  std::vector<Tok> toks_;
  size_t k_ = 0;
  Family family_ = Family::kIPv4;
  bool seq_seen_ = false, macdecode_ = false;
  bool ended_ = false;  // the IPv6 dump stopped inside the extension headers
  bool tcp_ports_seen_ = false;
  // --log-ip-options: true when the line shows it (an "OPT (" of the IP
  // layer), false when it shows its absence (IPv6 "FRAG:" without "OPT ("),
  // unset when the line cannot tell.
  std::optional<bool> ipopt_;
  bool later_fragment_ = false;  // IPv6: a fragment header with an offset
  size_t inner_avail_ = 0;  // bytes the outer LEN= leaves for an embedded packet
  Failure fail_;
};

bool LogParser::Incomplete() {
  if (AtEnd() || Cur().text != "INCOMPLETE") return false;
  ++k_;
  // "[N" "bytes]"
  if (k_ + 1 < toks_.size() && toks_[k_].text.starts_with('[') && toks_[k_ + 1].text == "bytes]")
    k_ += 2;
  return true;
}

bool LogParser::Parse(std::optional<Family> family, LogLine* out) {
  PacketSpec& s = out->spec;
  std::string_view v;
  // IN= OUT= (always), PHYSIN= PHYSOUT=, the link layer (only with IN=).
  if (!Key("IN", &v)) return FailAt(0, "no packet part (IN=... OUT=...)");
  s.in = std::string(v);
  if (!Key("OUT", &v)) return AtEnd() ? FailAt(line_.size(), "expected OUT=") : Fail(Cur(), "expected OUT=");
  s.out = std::string(v);
  s.phys_in = s.in;  // printed only when they differ
  s.phys_out = s.out;
  if (Key("PHYSIN", &v)) s.phys_in = std::string(v);
  if (Key("PHYSOUT", &v)) s.phys_out = std::string(v);
  for (const std::string* name : {&s.in, &s.out, &s.phys_in, &s.phys_out})
    if (name->size() > 15) {
      size_t at = line_.find(*name, toks_[0].pos);
      return FailAt(at == std::string_view::npos ? toks_[0].pos : at,
                    "interface name '" + *name + "' is longer than 15 characters");
    }
  if (s.phys_in == s.in) s.phys_in.clear();
  if (s.phys_out == s.out) s.phys_out.clear();
  if (!AtEnd() && Cur().text.starts_with("MAC=")) {
    const Tok& t = Cur();
    ++k_;
    std::string_view mac = t.text.substr(4);
    std::vector<uint8_t> b;
    for (size_t i = 0; i < mac.size();) {
      std::string_view byte = mac.substr(i, 2);
      size_t before = b.size();
      if (!Hex(t, byte, &b) || b.size() != before + 1) return Fail(t, "bad MAC= bytes");
      i += 2;
      if (i < mac.size()) {
        if (mac[i] != ':') return Fail(t, "bad MAC= bytes (hex pairs separated by ':')");
        ++i;
      }
    }
    if (b.size() == 14) {
      std::copy(b.begin(), b.begin() + 6, s.mac_dst.begin());
      std::copy(b.begin() + 6, b.begin() + 12, s.mac_src.begin());
    } else if (b.empty()) {
      s.no_mac = true;  // a device without a link-layer header (tun)
    } else {
      return Fail(t, "MAC= has " + std::to_string(b.size()) +
                         " bytes; only an Ethernet header (14 bytes) or none can be rebuilt");
    }
  } else if (!AtEnd() && Cur().text.starts_with("MACSRC=")) {
    macdecode_ = true;
    for (std::string_view key : {"MACSRC", "MACDST"}) {
      const Tok& t = AtEnd() ? toks_.back() : Cur();
      if (!Key(key, &v)) return Fail(t, "expected " + std::string(key) + "=");
      std::array<uint8_t, 6>& m = key == "MACSRC" ? s.mac_src : s.mac_dst;
      // Not ParseMacStrict: sscanf's %2x also takes a blank, a sign and one-digit bytes.
      unsigned x[6];
      char tail;
      std::string z(v);
      if (sscanf(z.c_str(), "%2x:%2x:%2x:%2x:%2x:%2x%c", &x[0], &x[1], &x[2], &x[3], &x[4], &x[5],
                 &tail) != 6)
        return Fail(t, "bad MAC address '" + z + "'");
      for (int i = 0; i < 6; ++i) m[i] = static_cast<uint8_t>(x[i]);
    }
    if (Key("MACPROTO", &v)) {
    }
  }
  if (AtEnd()) return FailAt(line_.size(), "expected SRC= at the end");
  // The family: from the source address.
  std::string_view src;
  if (!Cur().text.starts_with("SRC=")) return Fail(Cur(), "expected SRC=, not '" + std::string(Cur().text) + "'");
  src = Cur().text.substr(4);
  family_ = src.find(':') != std::string_view::npos ? Family::kIPv6 : Family::kIPv4;
  if (family && *family != family_)
    return Fail(Cur(), std::string("an ") + (family_ == Family::kIPv6 ? "IPv6" : "IPv4") +
                           " packet, but the ruleset is " +
                           (*family == Family::kIPv6 ? "IPv6" : "IPv4"));
  s.family = family_;
  if (!Dump(&s, false)) return false;
  if (!AtEnd()) return Fail(Cur(), "unexpected '" + std::string(Cur().text) + "'");
  out->logflags = logflag::kTcpOpt | logflag::kUid;
  if (ipopt_.value_or(true)) out->logflags |= logflag::kIpOpt;
  if (seq_seen_ || !tcp_ports_seen_) out->logflags |= logflag::kTcpSeq;
  if (macdecode_) out->logflags |= logflag::kMacDecode;
  return true;
}

bool LogParser::Dump(PacketSpec* s, bool inner) {
  if (!AtEnd() && Cur().text == "TRUNCATED")
    return Fail(Cur(), "the IP header itself is cut short (TRUNCATED): nothing to rebuild");
  ended_ = false;
  if (!(family_ == Family::kIPv4 ? Ipv4Header(s) : Ipv6Header(s))) return false;
  if (ended_) return true;
  return Transport(s, inner);
}

bool LogParser::Ipv4Header(PacketSpec* s) {
  uint16_t len, id;
  uint8_t tos, prec, ttl;
  if (!Addr(Family::kIPv4, "SRC", &s->src) || !Addr(Family::kIPv4, "DST", &s->dst) ||
      !Need("LEN", 10, uint16_t{0xffff}, &len))
    return false;
  const Tok& tos_tok = AtEnd() ? toks_.back() : Cur();
  if (!Need("TOS", 16, uint8_t{0xff}, &tos) || !Need("PREC", 16, uint8_t{0xff}, &prec) ||
      !Need("TTL", 10, uint8_t{0xff}, &ttl) || !Need("ID", 10, uint16_t{0xffff}, &id))
    return false;
  if ((tos & ~0x1e) || (prec & ~0xe0)) return Fail(tos_tok, "TOS= has bits 1-4 only, PREC= bits 5-7");
  s->len = len;
  s->tos = tos | prec;
  s->ttl = ttl;
  s->id = id;
  if (!AtEnd() && Cur().text == "CE") s->ce = true, ++k_;
  if (!AtEnd() && Cur().text == "DF") s->df = true, ++k_;
  if (!AtEnd() && Cur().text == "MF") s->mf = true, ++k_;
  if (!AtEnd() && Cur().text.starts_with("FRAG:")) {
    uint16_t off;
    if (!Num(Cur(), Cur().text.substr(5), 10, uint16_t{0x1fff}, &off)) return false;
    s->frag_offset = static_cast<uint16_t>(off * 8);
    ++k_;
  }
  if (!AtEnd() && Cur().text == "TRUNCATED") {
    // An embedded packet cut inside its IP options: their bytes are lost
    // (NOPs, one word more than the outer LEN= leaves); the dump ends.
    ++k_;
    const size_t have = inner_avail_ > 20 ? inner_avail_ - 20 : 0;
    s->ip_options.assign(std::min<size_t>(40, (have / 4 + 1) * 4), 0x01);
    ipopt_ = true;
    ended_ = true;
    return true;
  }
  if (!AtEnd() && Cur().text == "OPT" && k_ + 1 < toks_.size() &&
      toks_[k_ + 1].text.starts_with("(")) {
    const Tok& t = toks_[k_ + 1];
    std::string_view h = t.text.substr(1);
    if (!h.ends_with(")")) return Fail(t, "expected OPT (HEX)");
    h.remove_suffix(1);
    if (!Hex(t, h, &s->ip_options)) return false;
    if (s->ip_options.size() % 4 || s->ip_options.size() > 40)
      return Fail(t, "IP options are a multiple of 4 bytes, at most 40");
    k_ += 2;
    ipopt_ = true;
  }
  return true;
}

bool LogParser::Ipv6Header(PacketSpec* s) {
  uint32_t len, flow;
  uint8_t tc, hl;
  ended_ = false;
  if (!Addr(Family::kIPv6, "SRC", &s->src) || !Addr(Family::kIPv6, "DST", &s->dst))
    return false;
  const Tok& len_tok = AtEnd() ? toks_.back() : Cur();
  if (!Need("LEN", 10, uint32_t{0xffff + 40}, &len) || !Need("TC", 10, uint8_t{0xff}, &tc) ||
      !Need("HOPLIMIT", 10, uint8_t{0xff}, &hl) || !Need("FLOWLBL", 10, uint32_t{0xfffff}, &flow))
    return false;
  if (len < 40) return Fail(len_tok, "an IPv6 LEN= counts the 40-byte header");
  s->len = len;
  s->tos = tc;
  s->ttl = hl;
  s->flowlabel = flow;
  // Extension headers: "OPT ( ... )" each with --log-ip-options (TRACE);
  // without it only a fragment header shows, as "FRAG:N [INCOMPLETE] ID:X".
  auto close = [&]() {
    if (AtEnd()) return FailAt(line_.size(), "expected ')'");
    if (Cur().text != ")") return Fail(Cur(), "expected ')', not '" + std::string(Cur().text) + "'");
    ++k_;
    return true;
  };
  auto frag = [&]() {
    std::string_view t = Cur().text;
    uint16_t off;
    if (t == "FRAG:TRUNCATED") {
      // The fragment header is cut short: the dump ends there.
      ++k_;
      s->ext_hdrs.push_back(ExtHdr::kFragment);
      ended_ = true;
      return true;
    }
    if (!Num(Cur(), t.substr(5), 10, uint16_t{0xfff8}, &off)) return false;
    if (off % 8) return Fail(Cur(), "a fragment offset is a multiple of 8");
    ++k_;
    s->frag_offset = off;
    s->ext_hdrs.push_back(ExtHdr::kFragment);
    if (!AtEnd() && Cur().text == "INCOMPLETE") s->mf = true, ++k_;
    if (AtEnd() || !Cur().text.starts_with("ID:"))
      return AtEnd() ? FailAt(line_.size(), "expected ID:") : Fail(Cur(), "expected ID:HEX");
    if (!Num(Cur(), Cur().text.substr(3), 16, uint32_t{0xffffffff}, &s->id)) return false;
    ++k_;
    later_fragment_ = off != 0;
    return true;
  };
  later_fragment_ = false;
  while (!AtEnd()) {
    if (Cur().text == "TRUNCATED") {
      // Not even the 2 bytes of the next extension header: the end.
      ++k_;
      s->ext_hdrs.push_back(s->ext_hdrs.empty() ? ExtHdr::kHopByHop : ExtHdr::kDstOpts);
      ended_ = true;
      return true;
    }
    if (Cur().text.starts_with("FRAG:")) {
      if (ipopt_ == true) return Fail(Cur(), "FRAG: outside \"OPT ( )\" after other \"OPT (\"");
      ipopt_ = false;
      if (!frag()) return false;
      if (ended_) return true;
      continue;
    }
    if (!(Cur().text == "OPT" && k_ + 1 < toks_.size() && toks_[k_ + 1].text == "(")) break;
    if (ipopt_ == false) return Fail(Cur(), "\"OPT (\" after a FRAG: shown without it");
    ipopt_ = true;
    k_ += 2;
    if (AtEnd()) return FailAt(line_.size(), "unterminated OPT (");
    std::string_view t = Cur().text;
    if (t == ")") {
      ++k_;
      if (later_fragment_) {
        // "OPT ( )" after a later fragment: the dump stops there.
        s->ext_hdrs.push_back(ExtHdr::kDstOpts);
        ended_ = true;
        return true;
      }
      s->ext_hdrs.push_back(s->ext_hdrs.empty() ? ExtHdr::kHopByHop : ExtHdr::kDstOpts);
      continue;
    }
    if (t.starts_with("FRAG:")) {
      if (!frag()) return false;
      if (ended_) return true;  // "OPT ( FRAG:TRUNCATED ": no ")"
    } else if (t == "AH" || t == "ESP") {
      const bool esp = t == "ESP";
      ++k_;
      if (esp) s->proto = ipproto::kEsp;
      else s->ext_hdrs.push_back(ExtHdr::kAh);
      if (later_fragment_ || Incomplete()) {
        // "AH )" / "ESP )" after a later fragment, or a cut header: the end.
        if (!close()) return false;
        if (!esp) s->proto = ipproto::kNone;
        ended_ = true;
        return true;
      }
      if (!Need("SPI", 16, uint32_t{0xffffffff}, &s->spi)) return false;
      if (esp) {
        // "SPI=0x.. )" ends the dump.
        if (!close()) return false;
        ended_ = true;
        return true;
      }
    } else {
      return Fail(Cur(), "unknown extension header item '" + std::string(t) + "'");
    }
    if (!close()) return false;
  }
  return true;
}

// After the IP header: PROTO=... and what follows.
bool LogParser::Transport(PacketSpec* s, bool inner) {
  const bool v4 = family_ == Family::kIPv4;
  std::string_view v;
  if (AtEnd() || !Cur().text.starts_with("PROTO=")) {
    // IPv4: a later fragment of AH prints no PROTO= at all.
    if (v4 && s->frag_offset) {
      s->proto = ipproto::kAh;
      return Trailer(s, inner);
    }
    // IPv6 without --log-ip-options: the dump ends silently at ESP, or at
    // any extension header after a later fragment.
    if (!v4 && ipopt_ != true && (AtEnd() || Cur().text == "]")) {
      // The kernel reads 2 bytes of the header before it decides to print
      // nothing ("TRUNCATED" otherwise).
      const size_t need = HeaderLen(*s) + 2;
      if (s->len.value_or(0) < need) {
        const Tok& t = AtEnd() ? toks_.back() : Cur();
        return Fail(t, "the dump ends after the IPv6 header (an ESP header, or a header after a "
                       "later fragment, hidden without --log-ip-options), but LEN= leaves no "
                       "room for it (at least " + std::to_string(need) + ")");
      }
      ipopt_ = false;
      if (later_fragment_) s->ext_hdrs.push_back(ExtHdr::kDstOpts);
      else s->proto = ipproto::kEsp;
      return true;
    }
    if (AtEnd()) return FailAt(line_.size(), "expected PROTO= at the end");
    return Fail(Cur(), "expected PROTO=, not '" + std::string(Cur().text) + "'");
  }
  const Tok& pt = Cur();
  Key("PROTO", &v);
  const bool fragment = s->frag_offset != 0;
  if (v == "TCP") {
    s->proto = ipproto::kTcp;
    if (!fragment && !Incomplete() && !Tcp(s)) return false;
  } else if (v == "UDP" || v == "UDPLITE") {
    s->proto = v == "UDP" ? ipproto::kUdp : ipproto::kUdplite;
    if (!fragment && !Incomplete()) {
      uint16_t sp, dp, ulen;
      if (!Need("SPT", 10, uint16_t{0xffff}, &sp) || !Need("DPT", 10, uint16_t{0xffff}, &dp) ||
          !Need("LEN", 10, uint16_t{0xffff}, &ulen))
        return false;
      s->sport = sp;
      s->dport = dp;
      UdpLength(s, ulen, inner);
    }
  } else if ((v == "ICMP" && v4) || (v == "ICMPv6" && !v4)) {
    s->proto = v4 ? ipproto::kIcmp : ipproto::kIcmpv6;
    if (!fragment && !Incomplete() && !Icmp(s, inner)) return false;
    // IPv6: an INCOMPLETE ICMPv6 header ends the dump (no UID/MARK).
  } else if (v == "AH" && v4) {
    s->proto = ipproto::kAh;
    if (!Incomplete() && !Need("SPI", 16, uint32_t{0xffffffff}, &s->spi)) return false;
  } else if (v == "ESP" && v4) {
    s->proto = ipproto::kEsp;
    if (!fragment && !Incomplete() && !Need("SPI", 16, uint32_t{0xffffffff}, &s->spi)) return false;
  } else {
    uint8_t n;
    if (!Num(pt, v, 10, uint8_t{0xff}, &n)) return Fail(pt, "unknown PROTO= '" + std::string(v) + "'");
    s->proto = n;
  }
  return Trailer(s, inner);
}

bool LogParser::Tcp(PacketSpec* s) {
  uint16_t sp, dp, win, urgp;
  uint8_t res;
  if (!Need("SPT", 10, uint16_t{0xffff}, &sp) || !Need("DPT", 10, uint16_t{0xffff}, &dp))
    return false;
  s->sport = sp;
  s->dport = dp;
  tcp_ports_seen_ = true;
  if (!AtEnd() && Cur().text.starts_with("SEQ=")) {
    seq_seen_ = true;
    if (!Need("SEQ", 10, uint32_t{0xffffffff}, &s->seq) ||
        !Need("ACK", 10, uint32_t{0xffffffff}, &s->ack))
      return false;
  }
  const Tok& res_tok = AtEnd() ? toks_.back() : Cur();
  if (!Need("WINDOW", 10, uint16_t{0xffff}, &win) || !Need("RES", 16, uint8_t{0xff}, &res))
    return false;
  if (res & ~0x38) return Fail(res_tok, "RES= shows the three reserved bits only (0x38)");
  s->window = win;
  uint16_t flags = static_cast<uint16_t>((res >> 3) << 9);
  static constexpr std::pair<std::string_view, uint16_t> kFlags[] = {
      {"AE", tcpflag::kAe},   {"CWR", tcpflag::kCwr}, {"ECE", tcpflag::kEce},
      {"URG", tcpflag::kUrg}, {"ACK", tcpflag::kAck}, {"PSH", tcpflag::kPsh},
      {"RST", tcpflag::kRst}, {"SYN", tcpflag::kSyn}, {"FIN", tcpflag::kFin}};
  for (bool more = true; more && !AtEnd();) {
    more = false;
    for (const auto& [name, bit] : kFlags)
      if (Cur().text == name) {
        flags |= bit;
        ++k_;
        more = true;
        break;
      }
  }
  s->tcp_flags = flags;
  if (!Need("URGP", 10, uint16_t{0xffff}, &urgp)) return false;
  s->urgp = urgp;
  if (!AtEnd() && Cur().text == "OPT" && k_ + 1 < toks_.size()) {
    const Tok& t = toks_[k_ + 1];
    if (t.text == "(TRUNCATED)") {
      // The option list reaches beyond the packet; its bytes are lost:
      // NOPs, one word more than the bytes LEN= leaves after the base header.
      const size_t iphl = HeaderLen(*s);
      const size_t have = s->len && *s->len > iphl + 20 ? *s->len - iphl - 20 : 0;
      s->tcp_options.assign(std::min<size_t>(40, (have / 4 + 1) * 4), 0x01);
      k_ += 2;
      return true;
    }
    if (!t.text.starts_with("(") || !t.text.ends_with(")")) return Fail(t, "expected OPT (HEX)");
    if (!Hex(t, t.text.substr(1, t.text.size() - 2), &s->tcp_options)) return false;
    if (s->tcp_options.size() % 4 || s->tcp_options.size() > 40)
      return Fail(t, "TCP options are a multiple of 4 bytes, at most 40");
    k_ += 2;
  }
  return true;
}

bool LogParser::Icmp(PacketSpec* s, bool inner) {
  const bool v4 = family_ == Family::kIPv4;
  uint8_t type, code;
  if (!Need("TYPE", 10, uint8_t{0xff}, &type) || !Need("CODE", 10, uint8_t{0xff}, &code))
    return false;
  s->icmp_type = type;
  s->icmp_code = code;
  if (Incomplete()) return true;
  const bool echo = v4 ? (type == 0 || type == 8) : (type == 128 || type == 129);
  if (echo) {
    if (!Need("ID", 10, uint16_t{0xffff}, &s->icmp_id) ||
        !Need("SEQ", 10, uint16_t{0xffff}, &s->icmp_seq))
      return false;
    return true;
  }
  if (v4 && type == 12) {
    uint8_t p;
    if (!Need("PARAMETER", 10, uint8_t{0xff}, &p)) return false;
    s->pointer = p;
    return true;
  }
  if (v4 && type == 5) {
    if (!Addr(Family::kIPv4, "GATEWAY", &s->gateway)) return false;
  }
  if (!v4 && type == 4) {
    uint32_t p;
    if (!Need("POINTER", 16, uint32_t{0xffffffff}, &p)) return false;
    s->pointer = p;
  }
  const bool error = v4 ? (type == 3 || type == 4 || type == 5 || type == 11)
                        : (type >= 1 && type <= 4);
  if (error && !inner && !AtEnd() && Cur().text.starts_with("[")) {
    // The embedded packet: "[SRC=... ]" ("[TRUNCATED]" when cut short).
    toks_[k_].text.remove_prefix(1);
    toks_[k_].pos += 1;
    PacketSpec in;
    in.family = family_;
    if (Cur().text == "TRUNCATED") {
      // Fewer than a whole IP header left: the builder's default inner
      // packet, cut by the outer LEN=.
      ++k_;
      if (!CloseBracket()) return false;
    } else {
      const size_t before = HeaderLen(*s) + 8;
      inner_avail_ = s->len && *s->len > before ? *s->len - before : 0;
      if (!Dump(&in, true) || !CloseBracket()) return false;
      s->inner.push_back(std::move(in));
    }
  }
  if ((v4 && type == 3 && code == 4) || (!v4 && type == 2)) {
    uint32_t mtu;
    if (!Need("MTU", 10, uint32_t{v4 ? 0xffffu : 0xffffffffu}, &mtu)) return false;
    s->mtu = mtu;
  }
  return true;
}

// The UDP length against LEN=: a first fragment or a cut datagram claims
// more than LEN= leaves (a payload that long, cut by LEN=, gives it back);
// claiming less, the header is longer than the line shows: IP options or
// IPv6 extension headers that a LOG rule without --log-ip-options hides.
// (Not for an embedded packet: the outer packet's end may hide its UDP
// header, and with it the evidence, from the dump of the rebuilt packet.)
void LogParser::UdpLength(PacketSpec* s, uint16_t ulen, bool inner) {
  if (!s->len || ulen < 8) return;
  const size_t iphl = HeaderLen(*s);
  const size_t avail = *s->len > iphl ? *s->len - iphl : 0;
  if (ulen > avail) {
    s->payload.assign(ulen - 8u, 0);
    return;
  }
  if (ulen == avail || ipopt_ == true || inner) return;
  const size_t diff = avail - ulen;
  if (family_ == Family::kIPv4) {
    if (diff % 4 || s->ip_options.size() + diff > 40) return;
    s->ip_options.insert(s->ip_options.end(), diff, 0x01);  // NOPs
  } else {
    if (diff % 8) return;
    std::vector<ExtHdr> hidden(diff / 8, ExtHdr::kDstOpts);
    hidden[0] = ExtHdr::kHopByHop;
    s->ext_hdrs.insert(s->ext_hdrs.begin(), hidden.begin(), hidden.end());
  }
  ipopt_ = false;
}

// UID= GID= MARK= (the outer packet only).
bool LogParser::Trailer(PacketSpec* s, bool inner) {
  if (inner) return true;
  std::string_view v;
  if (!AtEnd() && Cur().text.starts_with("UID=")) {
    uint32_t uid, gid;
    if (!Need("UID", 10, uint32_t{0xffffffff}, &uid) || !Need("GID", 10, uint32_t{0xffffffff}, &gid))
      return false;
    s->uid = uid;
    s->gid = gid;
  }
  if (!AtEnd() && Cur().text.starts_with("MARK=")) {
    const Tok& t = Cur();
    Key("MARK", &v);
    if (!v.starts_with("0x")) return Fail(t, "MARK= is hexadecimal (0x...)");
    if (!Num(t, v, 16, uint32_t{0xffffffff}, &s->mark)) return false;
  }
  return true;
}

// Where the packet part starts: the first "IN=" followed by a value and " OUT=".
size_t FindPacketPart(std::string_view line) {
  for (size_t p = line.find("IN="); p != std::string_view::npos; p = line.find("IN=", p + 1)) {
    if (p > 0 && (line[p - 1] == 'S' || line[p - 1] == 'Y')) continue;  // PHYSIN=
    size_t sp = line.find(' ', p);
    if (sp != std::string_view::npos && line.substr(sp + 1, 4) == "OUT=") return p;
  }
  return std::string_view::npos;
}

}  // namespace

bool ParseLogLine(std::string_view line, std::optional<Family> family, LogLine* out,
                  Diagnostic* error) {
  *out = LogLine();
  *error = Diagnostic();
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  error->source_line = std::string(line);
  size_t start = FindPacketPart(line);
  if (start == std::string_view::npos) {
    error->col = 1;
    error->message = "not a kernel TRACE/LOG line: no 'IN=... OUT=...' packet part";
    return false;
  }
  out->prefix = std::string(line.substr(0, start));
  out->packet_offset = start;
  LogParser p(line, start);
  if (p.Parse(family, out)) return true;
  const Failure& f = p.failure();
  error->col = static_cast<uint32_t>(std::min(f.pos, line.size()) + 1);
  error->len = static_cast<uint32_t>(f.len);
  error->message = f.message;
  return false;
}

}  // namespace iptsim
