#include "engine/log_format.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

#include "base/bytes.h"
#include "engine/packet_builder.h"

namespace iptsim {
namespace {

void Addf(std::string& out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void Addf(std::string& out, const char* fmt, ...) {
  char buf[160];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > 0) out.append(buf, std::min<size_t>(n, sizeof buf - 1));
}

// %pI6: eight groups of four lower-case hex digits, never compressed.
void AddIp6Full(std::string& out, const uint8_t* a) {
  for (int i = 0; i < 16; i += 2) {
    if (i) out += ':';
    Addf(out, "%02x%02x", a[i], a[i + 1]);
  }
}

void AddIp4(std::string& out, const uint8_t* a) { Addf(out, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]); }

// The ICMP types with a minimum length in dump_ipv4_packet (required_len[]).
uint32_t IcmpRequiredLen(uint8_t type) {
  switch (type) {
    case 0: case 8: return 4;                          // echo reply / echo
    case 3: case 4: case 5: case 11: case 12: return 28;  // 8 + sizeof(struct iphdr)
    case 13: case 14: return 20;                       // timestamp / reply
    case 17: case 18: return 12;                       // address mask / reply
    default: return 0;
  }
}

// One nf_log_syslog dump of the packet's network-layer bytes (skb->data at
// the network header, skb->len = the byte count).
class SyslogDump {
 public:
  SyslogDump(const Packet& p, uint8_t flags, std::string& out)
      : p_(p),
        d_(p.bytes.data()),
        len_(static_cast<uint32_t>(std::min<size_t>(p.bytes.size(), 0xffffffffu))),
        flags_(flags),
        out_(out) {}

  void Ipv4(uint32_t iphoff);
  void Ipv6(uint32_t off, bool recurse);

 private:
  // skb_header_pointer() succeeds.
  bool Has(uint32_t off, uint32_t n) const { return uint64_t{off} + n <= len_; }
  uint8_t U8(uint32_t o) const { return d_[o]; }
  // "INCOMPLETE [%u bytes] " with the kernel's unsigned arithmetic.
  void Incomplete(uint32_t off, const char* tail = " ") {
    Addf(out_, "INCOMPLETE [%u bytes]%s", len_ - off, tail);
  }
  bool Tcp(uint32_t off, bool fragment);
  bool Udp(uint8_t proto, uint32_t off, bool fragment);
  void UidMark();

  const Packet& p_;
  const uint8_t* d_;
  uint32_t len_;
  uint8_t flags_;
  std::string& out_;
};

// nf_log_dump_tcp_header: true when the dump ends here.
bool SyslogDump::Tcp(uint32_t off, bool fragment) {
  out_ += "PROTO=TCP ";
  if (fragment) return false;
  if (!Has(off, 20)) {
    Incomplete(off);
    return true;
  }
  Addf(out_, "SPT=%u DPT=%u ", GetBe16(d_ + off), GetBe16(d_ + off + 2));
  if (flags_ & logflag::kTcpSeq) Addf(out_, "SEQ=%u ACK=%u ", GetBe32(d_ + off + 4), GetBe32(d_ + off + 8));
  Addf(out_, "WINDOW=%u ", GetBe16(d_ + off + 14));
  uint8_t b12 = U8(off + 12), b13 = U8(off + 13);
  Addf(out_, "RES=0x%02x ", (b12 & 0x0e) << 2);
  if (b12 & 0x01) out_ += "AE ";
  static constexpr const char* kNames[] = {"CWR ", "ECE ", "URG ", "ACK ",
                                           "PSH ", "RST ", "SYN ", "FIN "};
  for (int bit = 7; bit >= 0; --bit)
    if (b13 & (1 << bit)) out_ += kNames[7 - bit];
  Addf(out_, "URGP=%u ", GetBe16(d_ + off + 18));
  uint32_t doff = (b12 >> 4) * 4;
  if ((flags_ & logflag::kTcpOpt) && doff > 20) {
    uint32_t optsize = doff - 20;
    if (!Has(off + 20, optsize)) {
      out_ += "OPT (TRUNCATED)";
      return true;
    }
    out_ += "OPT (";
    for (uint32_t i = 0; i < optsize; ++i) Addf(out_, "%02X", U8(off + 20 + i));
    out_ += ") ";
  }
  return false;
}

// nf_log_dump_udp_header (UDP and UDP-Lite).
bool SyslogDump::Udp(uint8_t proto, uint32_t off, bool fragment) {
  out_ += proto == ipproto::kUdp ? "PROTO=UDP " : "PROTO=UDPLITE ";
  if (fragment) return false;
  if (!Has(off, 8)) {
    Incomplete(off);
    return true;
  }
  Addf(out_, "SPT=%u DPT=%u LEN=%u ", GetBe16(d_ + off), GetBe16(d_ + off + 2), GetBe16(d_ + off + 4));
  return false;
}

void SyslogDump::UidMark() {
  if ((flags_ & logflag::kUid) && p_.uid)
    Addf(out_, "UID=%u GID=%u ", *p_.uid, p_.gid.value_or(0));
  if (p_.mark) Addf(out_, "MARK=0x%x ", p_.mark);
}

// dump_ipv4_packet; iphoff 0 is the packet itself, anything else the packet
// embedded in an ICMP error (one level: only the top level recurses).
void SyslogDump::Ipv4(uint32_t iphoff) {
  if (!Has(iphoff, 20)) {
    out_ += "TRUNCATED";
    return;
  }
  out_ += "SRC=";
  AddIp4(out_, d_ + iphoff + 12);
  out_ += " DST=";
  AddIp4(out_, d_ + iphoff + 16);
  uint8_t tos = U8(iphoff + 1);
  uint16_t frag_off = GetBe16(d_ + iphoff + 6);
  Addf(out_, " LEN=%u TOS=0x%02X PREC=0x%02X TTL=%u ID=%u ", GetBe16(d_ + iphoff + 2), tos & 0x1e,
       tos & 0xe0, U8(iphoff + 8), GetBe16(d_ + iphoff + 4));
  if (frag_off & 0x8000) out_ += "CE ";
  if (frag_off & 0x4000) out_ += "DF ";
  if (frag_off & 0x2000) out_ += "MF ";
  uint32_t offset = frag_off & 0x1fff;
  if (offset) Addf(out_, "FRAG:%u ", offset);
  uint32_t ihl = (U8(iphoff) & 0x0f) * 4;
  if ((flags_ & logflag::kIpOpt) && ihl > 20) {
    uint32_t optsize = ihl - 20;
    if (!Has(iphoff + 20, optsize)) {
      out_ += "TRUNCATED";
      return;
    }
    out_ += "OPT (";
    for (uint32_t i = 0; i < optsize; ++i) Addf(out_, "%02X", U8(iphoff + 20 + i));
    out_ += ") ";
  }
  uint8_t proto = U8(iphoff + 9);
  uint32_t th = iphoff + ihl;
  switch (proto) {
    case ipproto::kTcp:
      if (Tcp(th, offset != 0)) return;
      break;
    case ipproto::kUdp:
    case ipproto::kUdplite:
      if (Udp(proto, th, offset != 0)) return;
      break;
    case ipproto::kIcmp: {
      out_ += "PROTO=ICMP ";
      if (offset) break;
      if (!Has(th, 8)) {
        Incomplete(th);
        break;
      }
      uint8_t type = U8(th), code = U8(th + 1);
      Addf(out_, "TYPE=%u CODE=%u ", type, code);
      uint32_t need = IcmpRequiredLen(type);
      if (need && len_ - th < need) {
        Incomplete(th);
        break;
      }
      switch (type) {
        case 0:
        case 8:
          Addf(out_, "ID=%u SEQ=%u ", GetBe16(d_ + th + 4), GetBe16(d_ + th + 6));
          break;
        case 12:
          Addf(out_, "PARAMETER=%u ", U8(th + 4));
          break;
        case 5:
          out_ += "GATEWAY=";
          AddIp4(out_, d_ + th + 4);
          out_ += ' ';
          [[fallthrough]];
        case 3:
        case 4:
        case 11:
          if (iphoff == 0) {
            out_ += '[';
            Ipv4(th + 8);
            out_ += "] ";
          }
          if (type == 3 && code == 4) Addf(out_, "MTU=%u ", GetBe16(d_ + th + 6));
          break;
      }
      break;
    }
    case ipproto::kAh:
      // A later fragment of AH prints nothing at all, not even PROTO=.
      if (offset) break;
      out_ += "PROTO=AH ";
      if (!Has(th, 12)) {
        Incomplete(th);
        break;
      }
      Addf(out_, "SPI=0x%x ", GetBe32(d_ + th + 4));
      break;
    case ipproto::kEsp:
      out_ += "PROTO=ESP ";
      if (offset) break;
      if (!Has(th, 8)) {
        Incomplete(th);
        break;
      }
      Addf(out_, "SPI=0x%x ", GetBe32(d_ + th));
      break;
    default:
      Addf(out_, "PROTO=%u ", proto);
  }
  if (iphoff == 0) UidMark();
}

// nf_ip6_ext_hdr(): the headers dump_ipv6_packet walks over.
bool IsV6ExtHdr(uint8_t h) {
  return h == ipproto::kHopOpts || h == ipproto::kRouting || h == ipproto::kFragment ||
         h == ipproto::kEsp || h == ipproto::kAh || h == ipproto::kNone || h == ipproto::kDstOpts;
}

// dump_ipv6_packet; `recurse` is set for the packet itself only.
void SyslogDump::Ipv6(uint32_t off, bool recurse) {
  if (!Has(off, 40)) {
    out_ += "TRUNCATED";
    return;
  }
  out_ += "SRC=";
  AddIp6Full(out_, d_ + off + 8);
  out_ += " DST=";
  AddIp6Full(out_, d_ + off + 24);
  uint32_t w0 = GetBe32(d_ + off);
  Addf(out_, " LEN=%u TC=%u HOPLIMIT=%u FLOWLBL=%u ", GetBe16(d_ + off + 4) + 40u, (w0 & 0x0ff00000) >> 20,
       U8(off + 7), w0 & 0x000fffff);
  const bool ipopt = flags_ & logflag::kIpOpt;
  bool fragment = false;
  uint32_t ptr = off + 40;
  uint8_t hdr = U8(off + 6);
  while (hdr != ipproto::kNone && IsV6ExtHdr(hdr)) {
    if (!Has(ptr, 2)) {
      out_ += "TRUNCATED";
      return;
    }
    if (ipopt) out_ += "OPT ( ";
    uint32_t hdrlen = 0;
    switch (hdr) {
      case ipproto::kFragment: {
        out_ += "FRAG:";
        if (!Has(ptr, 8)) {
          out_ += "TRUNCATED ";
          return;
        }
        uint16_t fo = GetBe16(d_ + ptr + 2);
        Addf(out_, "%u ", fo & 0xfff8u);
        if (fo & 1) out_ += "INCOMPLETE ";
        Addf(out_, "ID:%08x ", GetBe32(d_ + ptr + 4));
        if (fo & 0xfff8) fragment = true;
        hdrlen = 8;
        break;
      }
      case ipproto::kDstOpts:
      case ipproto::kRouting:
      case ipproto::kHopOpts:
        if (fragment) {
          if (ipopt) out_ += ")";
          return;
        }
        hdrlen = (U8(ptr + 1) + 1u) << 3;  // ipv6_optlen
        break;
      case ipproto::kAh:
        if (ipopt) {
          out_ += "AH ";
          if (fragment) {
            out_ += ")";
            return;
          }
          if (!Has(ptr, 12)) {
            Incomplete(ptr, " )");
            return;
          }
          Addf(out_, "SPI=0x%x ", GetBe32(d_ + ptr + 4));
        }
        hdrlen = (U8(ptr + 1) + 2u) << 2;  // ipv6_authlen
        break;
      case ipproto::kEsp:
        if (ipopt) {
          out_ += "ESP ";
          if (fragment) {
            out_ += ")";
            return;
          }
          if (!Has(ptr, 8)) {
            Incomplete(ptr, " )");
            return;
          }
          Addf(out_, "SPI=0x%x )", GetBe32(d_ + ptr));
        }
        return;
      default:  // not reached: IsV6ExtHdr lists only the cases above
        Addf(out_, "Unknown Ext Hdr %u", hdr);
        return;
    }
    if (ipopt) out_ += ") ";
    hdr = U8(ptr);
    ptr += hdrlen;
  }

  switch (hdr) {
    case ipproto::kTcp:
      if (Tcp(ptr, fragment)) return;
      break;
    case ipproto::kUdp:
    case ipproto::kUdplite:
      if (Udp(hdr, ptr, fragment)) return;
      break;
    case ipproto::kIcmpv6: {
      out_ += "PROTO=ICMPv6 ";
      if (fragment) break;
      if (!Has(ptr, 8)) {
        Incomplete(ptr);
        return;  // unlike IPv4: no UID/MARK after this one
      }
      uint8_t type = U8(ptr);
      Addf(out_, "TYPE=%u CODE=%u ", type, U8(ptr + 1));
      switch (type) {
        case 128:
        case 129:
          Addf(out_, "ID=%u SEQ=%u ", GetBe16(d_ + ptr + 4), GetBe16(d_ + ptr + 6));
          break;
        case 130:
        case 131:
        case 132:
          break;
        case 4:
          Addf(out_, "POINTER=%08x ", GetBe32(d_ + ptr + 4));
          [[fallthrough]];
        case 1:
        case 2:
        case 3:
          if (recurse) {
            out_ += '[';
            Ipv6(ptr + 8, false);
            out_ += "] ";
          }
          if (type == 2) Addf(out_, "MTU=%u ", GetBe32(d_ + ptr + 4));
          break;
      }
      break;
    }
    default:
      Addf(out_, "PROTO=%u ", hdr);
  }
  if (recurse) UidMark();
}

void AppendMacHeader(std::string& out, const Packet& p, uint8_t flags) {
  const bool ether = p.mac_len == 14 && p.in.view() != "lo";
  if ((flags & logflag::kMacDecode) && ether) {
    const uint8_t* m = p.mac.data();
    Addf(out, "MACSRC=%02x:%02x:%02x:%02x:%02x:%02x ", m[6], m[7], m[8], m[9], m[10], m[11]);
    Addf(out, "MACDST=%02x:%02x:%02x:%02x:%02x:%02x ", m[0], m[1], m[2], m[3], m[4], m[5]);
    Addf(out, "MACPROTO=%04x ", GetBe16(m + 12));
    return;
  }
  out += "MAC=";
  for (int i = 0; i < p.mac_len && i < 14; ++i) Addf(out, i ? ":%02x" : "%02x", p.mac[i]);
  out += ' ';
}

}  // namespace

std::string FormatLogPacket(const Packet& p, uint8_t logflags) {
  std::string out;
  out.reserve(256);
  out += "IN=";
  out += p.in.view();
  out += " OUT=";
  out += p.out.view();
  out += ' ';
  // Bridge ports only when they differ from the devices (nf_log_dump_packet_common).
  if (!p.phys_in.empty() && p.phys_in.view() != p.in.view()) {
    out += "PHYSIN=";
    out += p.phys_in.view();
    out += ' ';
  }
  if (!p.phys_out.empty() && p.phys_out.view() != p.out.view()) {
    out += "PHYSOUT=";
    out += p.phys_out.view();
    out += ' ';
  }
  if (!p.in.empty()) AppendMacHeader(out, p, logflags);
  SyslogDump dump(p, logflags, out);
  if (p.family == Family::kIPv4) dump.Ipv4(0);
  else dump.Ipv6(0, true);
  return out;
}

std::string FormatLogLine(std::string_view prefix, const Packet& p, uint8_t logflags) {
  constexpr size_t kPrefixMax = 127;  // NF_LOG_PREFIXLEN - 1
  constexpr size_t kLineMax = 1016;   // S_SIZE - 1 - strlen(KERN_SOH "4")
  std::string line(prefix.substr(0, kPrefixMax));
  line += FormatLogPacket(p, logflags);
  if (line.size() > kLineMax) line.resize(kLineMax);
  return line;
}

std::string TracePrefix(std::string_view table, std::string_view chain, std::string_view comment,
                        uint32_t rulenum) {
  std::string s = "TRACE: ";
  s += table;
  s += ':';
  s += chain;
  s += ':';
  s += comment;
  s += ':';
  s += std::to_string(rulenum);
  s += ' ';
  return s;
}

std::string FormatTraceLine(std::string_view table, std::string_view chain,
                            std::string_view comment, uint32_t rulenum, const Packet& p) {
  return FormatLogLine(TracePrefix(table, chain, comment, rulenum), p, logflag::kTrace);
}

std::string FormatXtablesMonitorPacket(const Packet& p, uint32_t trace_id) {
  std::string out;
  const bool v4 = p.family == Family::kIPv4;
  Addf(out, "PACKET: %d %08x ", v4 ? 2 : 10, trace_id);
  if (!p.in.empty()) {
    out += "IN=";
    out += p.in.view();
    out += ' ';
  }
  if (!p.out.empty()) {
    out += "OUT=";
    out += p.out.view();
    out += ' ';
  }
  // The kernel sends the link-layer header only for a packet with an input
  // device whose MAC header sits right before the network header
  // (nf_trace_fill_ll_header); the monitor decodes Ethernet, dumps others.
  if (!p.in.empty() && p.mac_len == 14) {
    const uint8_t* m = p.mac.data();
    if (p.in.view() != "lo") {
      // ether_ntoa: lower-case hex without zero padding.
      Addf(out, "MACSRC=%x:%x:%x:%x:%x:%x ", m[6], m[7], m[8], m[9], m[10], m[11]);
      Addf(out, "MACDST=%x:%x:%x:%x:%x:%x ", m[0], m[1], m[2], m[3], m[4], m[5]);
      Addf(out, "MACPROTO=%04x ", GetBe16(m + 12));
    } else {
      out += "LL=0x304 ";  // ARPHRD_LOOPBACK
      for (int i = 0; i < 14; ++i) Addf(out, "%02x", m[i]);
      out += ' ';
    }
  }
  const std::vector<uint8_t>& b = p.bytes;
  uint8_t l4proto = 0;
  uint32_t thoff = 0;
  if (v4 && b.size() >= 20) {
    IpAddr a;
    std::copy_n(b.begin() + 12, 4, a.b.begin());
    out += "SRC=" + FormatIpAddr(Family::kIPv4, a) + " ";
    std::copy_n(b.begin() + 16, 4, a.b.begin());
    out += "DST=" + FormatIpAddr(Family::kIPv4, a) + " ";
    uint16_t frag_off = GetBe16(&b[6]);
    Addf(out, "LEN=%d TOS=0x%x TTL=%d ID=%d ", GetBe16(&b[2]), b[1], b[8], GetBe16(&b[4]));
    if (frag_off & 0x8000) out += "CE ";
    if (frag_off & 0x4000) out += "DF ";
    if (frag_off & 0x2000) out += "MF ";
    if (frag_off & 0x1fff) Addf(out, "FRAG:%u ", frag_off & 0x1fff);
    l4proto = b[9];
    uint32_t ihl = (b[0] & 0x0f) * 4u;
    thoff = ihl;
    if (ihl > 20) {
      // The program prints the bytes as (signed) char with %02X; it reads
      // them past the 40 bytes the kernel sends (NFT_TRACETYPE_NETWORK_HSIZE),
      // which we cannot reproduce: the packet's own bytes are printed.
      out += "OPT (";
      for (uint32_t i = 20; i < ihl && i < b.size(); ++i)
        Addf(out, "%02X", static_cast<unsigned>(static_cast<int>(static_cast<int8_t>(b[i]))));
      out += ") ";  // (found by iptsim verify --backend nft: "OPT (...) SPORT=")
    }
  } else if (!v4 && b.size() >= 40) {
    IpAddr a;
    std::copy_n(b.begin() + 8, 16, a.b.begin());
    out += "SRC=" + FormatIpAddr(Family::kIPv6, a) + " ";
    std::copy_n(b.begin() + 24, 16, a.b.begin());
    out += "DST=" + FormatIpAddr(Family::kIPv6, a) + " ";
    uint32_t w0 = GetBe32(&b[0]);
    // sizeof(struct iphdr), not ip6_hdr: the monitor's LEN bug (docs/kernel-trace.md §4).
    Addf(out, "LEN=%u TC=%u HOPLIMIT=%u FLOWLBL=%u ", GetBe16(&b[4]) + 20u,
         (w0 & 0x0ff00000) >> 20, b[7], w0 & 0x000fffff);
    // The monitor takes the IPv6 header's next header as the transport
    // protocol (an extension header means no ports); the kernel's transport
    // offset is 40 then.
    l4proto = b[6];
    thoff = 40;
  }
  if (l4proto && thoff < b.size()) {
    size_t tlen = std::min<size_t>(b.size() - thoff, 20);  // NFT_TRACETYPE_TRANSPORT_HSIZE
    const uint8_t* t = b.data() + thoff;
    switch (l4proto) {
      case ipproto::kDccp:
      case ipproto::kSctp:
      case ipproto::kUdplite:
      case ipproto::kUdp:
        if (tlen >= 4) Addf(out, "SPORT=%d DPORT=%d ", GetBe16(t), GetBe16(t + 2));
        break;
      case ipproto::kTcp:
        if (tlen >= 20) {
          Addf(out, "SPORT=%d DPORT=%d ", GetBe16(t), GetBe16(t + 2));
          uint8_t f = t[13];
          if (f & 0x02) out += "SYN ";
          if (f & 0x10) out += "ACK ";
          if (f & 0x01) out += "FIN ";
          if (f & 0x04) out += "RST ";
          if (f & 0x08) out += "PSH ";
          if (f & 0x20) out += "URG ";
        }
        break;
    }
  }
  if (p.mark) Addf(out, "MARK=0x%x ", p.mark);
  return out;
}

}  // namespace iptsim
