#include "engine/packet_builder.h"

#include <algorithm>

#include "base/bytes.h"

namespace iptsim {
namespace {

using Bytes = std::vector<uint8_t>;

void Put8(Bytes& v, uint32_t x) { v.push_back(static_cast<uint8_t>(x)); }
// Appends a big-endian 16/32-bit field to the packet being built.
void Put16(Bytes& v, uint32_t x) {
  v.resize(v.size() + 2);
  PutBe16(&v[v.size() - 2], static_cast<uint16_t>(x));
}
void Put32(Bytes& v, uint32_t x) {
  v.resize(v.size() + 4);
  PutBe32(&v[v.size() - 4], x);
}
void PutAddr(Bytes& v, Family f, const IpAddr& a) {
  v.insert(v.end(), a.b.begin(), a.b.begin() + AddrLen(f));
}
void Append(Bytes& v, const Bytes& w) { v.insert(v.end(), w.begin(), w.end()); }

// Options padded with zero bytes (end of option list) to a multiple of 4,
// at most 40 bytes (the most a 4-bit header length leaves room for).
Bytes PaddedOptions(const Bytes& opts) {
  Bytes o(opts.begin(), opts.begin() + std::min<size_t>(opts.size(), 40));
  while (o.size() % 4) o.push_back(0);
  return o;
}

// The pseudo-header sum of RFC 768 / RFC 8200 section 8.1.
uint32_t PseudoSum(Family f, const IpAddr& src, const IpAddr& dst, uint8_t proto, uint32_t len) {
  // IPv4's length field is 16 bits.
  return ChecksumPseudoHeader(src.b.data(), dst.b.data(), AddrLen(f), proto,
                              f == Family::kIPv4 ? len & 0xffff : len);
}

// CRC32c (Castagnoli), as SCTP uses it (RFC 4960 appendix B).
uint32_t Crc32c(const uint8_t* d, size_t n) {
  uint32_t crc = 0xffffffff;
  for (size_t i = 0; i < n; ++i) {
    crc ^= d[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1)));
  }
  return ~crc;
}

struct Addrs {
  Family family;
  IpAddr src, dst;
};

uint16_t Sport(const PacketSpec& s) { return s.sport.value_or(kDefaultSport); }
uint16_t Dport(const PacketSpec& s) { return s.dport.value_or(kDefaultDport); }

Bytes BuildTcp(const PacketSpec& s, const Addrs& a, const Bytes& payload) {
  Bytes opts = PaddedOptions(s.tcp_options);
  uint16_t flags = s.tcp_flags.value_or(tcpflag::kSyn);
  Bytes t;
  Put16(t, Sport(s));
  Put16(t, Dport(s));
  Put32(t, s.seq);
  Put32(t, s.ack);
  Put8(t, ((5 + opts.size() / 4) << 4) | ((flags >> 8) & 0x0f));
  Put8(t, flags & 0xff);
  Put16(t, s.window);
  Put16(t, 0);  // checksum
  Put16(t, s.urgp);
  Append(t, opts);
  Append(t, payload);
  uint32_t sum = PseudoSum(a.family, a.src, a.dst, ipproto::kTcp, t.size());
  PutBe16(&t[16], ChecksumFinish(ChecksumAdd(sum, t.data(), t.size())));
  return t;
}

// UDP and UDP-Lite (RFC 3828: the length field is the checksum coverage; the
// whole datagram here).
Bytes BuildUdp(const PacketSpec& s, const Addrs& a, uint8_t proto, const Bytes& payload) {
  Bytes u;
  Put16(u, Sport(s));
  Put16(u, Dport(s));
  Put16(u, std::min<size_t>(8 + payload.size(), 0xffff));
  Put16(u, 0);
  Append(u, payload);
  uint32_t sum = PseudoSum(a.family, a.src, a.dst, proto, u.size());
  uint16_t c = ChecksumFinish(ChecksumAdd(sum, u.data(), u.size()));
  PutBe16(&u[6], c == 0 ? 0xffff : c);  // 0 means "no checksum" (RFC 768)
  return u;
}

Bytes BuildSctp(const PacketSpec& s, const Bytes& payload, bool payload_given) {
  Bytes p;
  Put16(p, Sport(s));
  Put16(p, Dport(s));
  Put32(p, 0);  // verification tag: 0 in a packet carrying INIT
  Put32(p, 0);  // checksum
  if (!payload_given) {
    Put8(p, 1);   // INIT
    Put8(p, 0);   // flags
    Put16(p, 20); // chunk length
    Put32(p, 1);  // initiate tag
    Put32(p, 65535);  // a_rwnd
    Put16(p, 1);  // outbound streams
    Put16(p, 1);  // inbound streams
    Put32(p, 1);  // initial TSN
  }
  Append(p, payload);  // the chunks given, or the padding of --len
  uint32_t crc = Crc32c(p.data(), p.size());
  // The kernel stores the CRC little-endian (sctp_compute_cksum).
  p[8] = crc & 0xff;
  p[9] = (crc >> 8) & 0xff;
  p[10] = (crc >> 16) & 0xff;
  p[11] = crc >> 24;
  return p;
}

Bytes BuildDccp(const PacketSpec& s, const Addrs& a, const Bytes& payload) {
  Bytes d;
  Put16(d, Sport(s));
  Put16(d, Dport(s));
  Put8(d, 5);     // data offset in 32-bit words: 16-byte header + service code
  Put8(d, 0);     // CCVal 0, CsCov 0 (checksum covers everything)
  Put16(d, 0);    // checksum
  Put8(d, 0x01);  // type 0 (Request), X = 1 (48-bit sequence numbers)
  Put8(d, 0);
  Put16(d, 0);    // sequence number, high 16 bits
  Put32(d, s.seq);
  Put32(d, 0);    // service code
  Append(d, payload);
  uint32_t sum = PseudoSum(a.family, a.src, a.dst, ipproto::kDccp, d.size());
  PutBe16(&d[6], ChecksumFinish(ChecksumAdd(sum, d.data(), d.size())));
  return d;
}

// The body of an ICMP/ICMPv6 error after its 8-byte header: the --inner
// packet, then the payload.  A payload without --inner is the whole body (the
// kernel reads it as the embedded packet); neither gives the default packet.
Bytes BuildErrorBody(const PacketSpec& s, const Addrs& a, const Bytes& payload,
                     bool payload_given) {
  Bytes body;
  if (!s.inner.empty() || !payload_given) {
    // The offending packet travelled the other way: its defaults are the
    // outer packet's addresses reversed.
    PacketSpec in = s.inner.empty() ? PacketSpec() : s.inner[0];
    in.family = a.family;
    body = BuildDatagram(in, a.dst, a.src);
  }
  Append(body, payload);
  return body;
}

Bytes BuildIcmp(const PacketSpec& s, const Addrs& a, const Bytes& payload, bool payload_given) {
  uint8_t type = s.icmp_type.value_or(8);
  Bytes m;
  Put8(m, type);
  Put8(m, s.icmp_code);
  Put16(m, 0);
  switch (type) {
    case 0: case 8:    // echo reply / request
    case 15: case 16:  // information request / reply
      Put16(m, s.icmp_id);
      Put16(m, s.icmp_seq);
      break;
    case 13: case 14:  // timestamp: originate, receive, transmit
      Put16(m, s.icmp_id);
      Put16(m, s.icmp_seq);
      Put32(m, 0);
      Put32(m, 0);
      Put32(m, 0);
      break;
    case 17: case 18:  // address mask
      Put16(m, s.icmp_id);
      Put16(m, s.icmp_seq);
      Put32(m, 0);
      break;
    case 3:  // unused, next-hop MTU (RFC 1191) for frag-needed
      Put16(m, 0);
      Put16(m, s.icmp_code == 4 ? s.mtu.value_or(1500) : s.mtu.value_or(0));
      break;
    case 5: {
      IpAddr gw = s.gateway.value_or(IpAddr{});
      m.insert(m.end(), gw.b.begin(), gw.b.begin() + 4);
      break;
    }
    case 12:
      Put8(m, s.pointer.value_or(0));
      Put8(m, 0);
      Put16(m, 0);
      break;
    default:
      Put32(m, 0);
  }
  Append(m, IcmpTypeIsError(Family::kIPv4, type) ? BuildErrorBody(s, a, payload, payload_given)
                                                  : payload);
  PutBe16(&m[2], ChecksumFinish(ChecksumAdd(0, m.data(), m.size())));
  return m;
}

Bytes BuildIcmpv6(const PacketSpec& s, const Addrs& a, const Bytes& payload,
                  bool payload_given) {
  uint8_t type = s.icmp_type.value_or(128);
  Bytes m;
  Put8(m, type);
  Put8(m, s.icmp_code);
  Put16(m, 0);
  switch (type) {
    case 1: case 3:
      Put32(m, 0);
      break;
    case 2:
      Put32(m, s.mtu.value_or(1280));
      break;
    case 4:
      Put32(m, s.pointer.value_or(0));
      break;
    case 128: case 129:
      Put16(m, s.icmp_id);
      Put16(m, s.icmp_seq);
      break;
    case 130: case 131: case 132:  // MLD: delay, reserved, group
      Put16(m, type == 130 ? 10000 : 0);
      Put16(m, 0);
      m.insert(m.end(), 16, 0);
      break;
    case 133:  // router solicitation
      Put32(m, 0);
      break;
    case 134:  // router advertisement
      Put32(m, 0);
      Put32(m, 0);
      Put32(m, 0);
      break;
    case 135:  // neighbour solicitation: reserved, target
      Put32(m, 0);
      PutAddr(m, Family::kIPv6, a.dst);
      break;
    case 136:  // neighbour advertisement: flags (S, O), target
      Put32(m, 0x60000000);
      PutAddr(m, Family::kIPv6, a.src);
      break;
    case 137:  // redirect: reserved, target, destination
      Put32(m, 0);
      m.insert(m.end(), 32, 0);
      break;
    case 143:  // MLDv2 report: reserved, no records
      Put32(m, 0);
      break;
    default:
      Put32(m, 0);
  }
  Append(m, IcmpTypeIsError(Family::kIPv6, type) ? BuildErrorBody(s, a, payload, payload_given)
                                                  : payload);
  uint32_t sum = PseudoSum(a.family, a.src, a.dst, ipproto::kIcmpv6, m.size());
  PutBe16(&m[2], ChecksumFinish(ChecksumAdd(sum, m.data(), m.size())));
  return m;
}

Bytes BuildAh(uint8_t next, uint32_t spi) {
  Bytes h;
  Put8(h, next);
  Put8(h, 24 / 4 - 2);  // length in 32-bit words minus 2
  Put16(h, 0);
  Put32(h, spi);
  Put32(h, 1);  // sequence number
  h.insert(h.end(), 12, 0);  // ICV (as HMAC-SHA1-96 leaves room for)
  return h;
}

// The upper-layer part of a datagram whose protocol is `proto`.
Bytes BuildTransport(const PacketSpec& s, uint8_t proto, const Addrs& a, const Bytes& payload,
                     bool payload_given) {
  switch (proto) {
    case ipproto::kTcp: return BuildTcp(s, a, payload);
    case ipproto::kUdp:
    case ipproto::kUdplite: return BuildUdp(s, a, proto, payload);
    case ipproto::kSctp: return BuildSctp(s, payload, payload_given);
    case ipproto::kDccp: return BuildDccp(s, a, payload);
    case ipproto::kIcmp:
      if (a.family == Family::kIPv4) return BuildIcmp(s, a, payload, payload_given);
      break;
    case ipproto::kIcmpv6:
      if (a.family == Family::kIPv6) return BuildIcmpv6(s, a, payload, payload_given);
      break;
    case ipproto::kIgmp:
      if (a.family == Family::kIPv4) {
        Bytes g{0x11, 100, 0, 0, 0, 0, 0, 0};
        Append(g, payload);
        PutBe16(&g[2], ChecksumFinish(ChecksumAdd(0, g.data(), g.size())));
        return g;
      }
      break;
    case ipproto::kGre: {
      Bytes g{0, 0, 0x08, 0x00};
      Append(g, payload);
      return g;
    }
    case ipproto::kAh: {
      Bytes h = BuildAh(ipproto::kNone, s.spi);
      Append(h, payload);
      return h;
    }
    case ipproto::kEsp: {
      Bytes e;
      Put32(e, s.spi);
      Put32(e, 1);
      Append(e, payload);
      return e;
    }
    default: break;
  }
  return payload;
}

uint8_t ExtHdrProto(ExtHdr h) {
  switch (h) {
    case ExtHdr::kHopByHop: return ipproto::kHopOpts;
    case ExtHdr::kDstOpts: return ipproto::kDstOpts;
    case ExtHdr::kRouting: return ipproto::kRouting;
    case ExtHdr::kFragment: return ipproto::kFragment;
    case ExtHdr::kAh: return ipproto::kAh;
  }
  return ipproto::kNone;
}

Bytes BuildExtHdr(ExtHdr h, uint8_t next, const PacketSpec& s) {
  switch (h) {
    case ExtHdr::kHopByHop:
    case ExtHdr::kDstOpts:
      return {next, 0, 0x01, 0x04, 0, 0, 0, 0};  // one PadN option of 4 bytes
    case ExtHdr::kRouting:
      return {next, 0, 0, 0, 0, 0, 0, 0};  // type 0, segments left 0
    case ExtHdr::kFragment: {
      Bytes f{next, 0};
      Put16(f, (s.frag_offset & 0xfff8) | (s.mf ? 1 : 0));
      Put32(f, s.id);
      return f;
    }
    case ExtHdr::kAh: return BuildAh(next, s.spi);
  }
  return {};
}

uint8_t Proto(const PacketSpec& s) { return s.proto.value_or(kDefaultProto); }

// IPv4: header + options + (transport | payload of a later fragment).
Bytes BuildV4(const PacketSpec& s, const Addrs& a, const Bytes& payload, bool payload_given) {
  Bytes opts = PaddedOptions(s.ip_options);
  uint8_t proto = Proto(s);
  Bytes data = s.frag_offset ? payload : BuildTransport(s, proto, a, payload, payload_given);
  Bytes ip;
  Put8(ip, 0x40 | (5 + opts.size() / 4));
  Put8(ip, s.tos);
  Put16(ip, 0);  // total length, set by Finish
  Put16(ip, s.id & 0xffff);
  Put16(ip, (s.ce ? 0x8000 : 0) | (s.df ? 0x4000 : 0) | (s.mf ? 0x2000 : 0) |
                ((s.frag_offset / 8) & 0x1fff));
  Put8(ip, s.ttl);
  Put8(ip, proto);
  Put16(ip, 0);  // header checksum, set by Finish
  PutAddr(ip, Family::kIPv4, a.src);
  PutAddr(ip, Family::kIPv4, a.dst);
  Append(ip, opts);
  Append(ip, data);
  return ip;
}

std::vector<ExtHdr> ExtChain(const PacketSpec& s) {
  std::vector<ExtHdr> chain = s.ext_hdrs;
  if ((s.frag_offset || s.mf) &&
      std::find(chain.begin(), chain.end(), ExtHdr::kFragment) == chain.end())
    chain.push_back(ExtHdr::kFragment);
  return chain;
}

Bytes BuildV6(const PacketSpec& s, const Addrs& a, const Bytes& payload, bool payload_given) {
  uint8_t proto = Proto(s);
  std::vector<ExtHdr> chain = ExtChain(s);
  Bytes data = s.frag_offset ? payload : BuildTransport(s, proto, a, payload, payload_given);
  Bytes ext;
  for (size_t i = 0; i < chain.size(); ++i) {
    uint8_t next = i + 1 < chain.size() ? ExtHdrProto(chain[i + 1]) : proto;
    Append(ext, BuildExtHdr(chain[i], next, s));
  }
  Bytes ip;
  Put32(ip, (6u << 28) | (uint32_t{s.tos} << 20) | (s.flowlabel & 0xfffff));
  Put16(ip, 0);  // payload length, set by Finish
  Put8(ip, chain.empty() ? proto : ExtHdrProto(chain[0]));
  Put8(ip, s.ttl);
  PutAddr(ip, Family::kIPv6, a.src);
  PutAddr(ip, Family::kIPv6, a.dst);
  Append(ip, ext);
  Append(ip, data);
  return ip;
}

size_t BaseHeaderLen(Family f, const Bytes& ip) {
  return f == Family::kIPv4 ? (ip[0] & 0x0f) * 4u : 40u;
}

// Caps/cuts at `len` and writes the length field (and the IPv4 header checksum).
void Finish(Family f, Bytes& ip, size_t len) {
  size_t max = f == Family::kIPv4 ? 0xffff : 0xffff + 40;
  len = std::clamp(len, BaseHeaderLen(f, ip), max);
  if (ip.size() > len) ip.resize(len);
  if (f == Family::kIPv4) {
    PutBe16(&ip[2], ip.size());
    PutBe16(&ip[10], 0);
    PutBe16(&ip[10], ChecksumFinish(ChecksumAdd(0, ip.data(), BaseHeaderLen(f, ip))));
  } else {
    PutBe16(&ip[4], ip.size() - 40);
  }
}

}  // namespace

IpAddr DefaultSrcAddr(Family f) {
  IpAddr a;
  if (f == Family::kIPv4) {
    a.b[0] = 192, a.b[1] = 0, a.b[2] = 2, a.b[3] = 1;
  } else {
    a.b[0] = 0x20, a.b[1] = 0x01, a.b[2] = 0x0d, a.b[3] = 0xb8, a.b[15] = 1;
  }
  return a;
}

IpAddr DefaultDstAddr(Family f) {
  IpAddr a = DefaultSrcAddr(f);
  a.b[f == Family::kIPv4 ? 3 : 15] = 2;
  return a;
}

bool IcmpTypeIsError(Family f, uint8_t type) {
  if (f == Family::kIPv4) return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
  return type >= 1 && type <= 4;
}

namespace {

// The datagram before Finish: its bytes and the length it is to have.
std::pair<Bytes, size_t> BuildUnfinished(const PacketSpec& spec, const IpAddr& default_src,
                                         const IpAddr& default_dst) {
  Addrs a{spec.family, spec.src.value_or(default_src), spec.dst.value_or(default_dst)};
  bool payload_given = !spec.payload.empty();
  auto build = [&](const Bytes& payload) {
    return spec.family == Family::kIPv4 ? BuildV4(spec, a, payload, payload_given)
                                        : BuildV6(spec, a, payload, payload_given);
  };
  Bytes ip = build(spec.payload);
  size_t len = ip.size();
  if (spec.len) {
    len = *spec.len;
    if (len > ip.size()) {
      // Pad the payload so that every length field counts the padding.
      size_t max = spec.family == Family::kIPv4 ? 0xffff : 0xffff + 40;
      Bytes padded = spec.payload;
      padded.resize(padded.size() + (std::min(len, max) - ip.size()), 0);
      ip = build(padded);
    }
  }
  return {std::move(ip), len};
}

// A generous upper bound of the length of the datagram `spec` describes
// without building it: every header a spec can ask for fits in 256 bytes
// but the payload, the extension headers (at most 24 bytes each) and the
// embedded packet.  `inner`: the embedded packet's bound.
size_t LengthBound(const PacketSpec& spec, size_t inner) {
  if (spec.len) return std::max<size_t>(*spec.len, 60);
  return 256 + spec.payload.size() + spec.ip_options.size() + spec.tcp_options.size() +
         32 * spec.ext_hdrs.size() + inner;
}

}  // namespace

std::vector<uint8_t> BuildDatagram(const PacketSpec& spec, const IpAddr& default_src,
                                   const IpAddr& default_dst) {
  auto [ip, len] = BuildUnfinished(spec, default_src, default_dst);
  Finish(spec.family, ip, len);
  return ip;
}

std::string PacketSizeError(const PacketSpec& spec, int* depth) {
  std::vector<const PacketSpec*> levels{&spec};
  while (!levels.back()->inner.empty()) levels.push_back(&levels.back()->inner[0]);
  // Most packets are far from the limit: bound them without building.
  size_t bound = 0;
  bool near = false;
  for (size_t k = levels.size(); k-- > 0;) {
    bound = LengthBound(*levels[k], bound);
    near = near || bound > kMaxIpv4Length;
  }
  if (!near) return "";
  // The innermost packet first: an outer one holds it whole.
  for (size_t k = levels.size(); k-- > 0;) {
    PacketSpec s = *levels[k];
    s.family = spec.family;
    auto [ip, len] = BuildUnfinished(s, DefaultSrcAddr(s.family), DefaultDstAddr(s.family));
    const size_t header = s.family == Family::kIPv4 ? 0 : 40;
    if (len - header <= (header ? kMaxIpv6Payload : kMaxIpv4Length)) continue;
    if (depth) *depth = static_cast<int>(k);
    const std::string what = k == 0 ? "the packet" : "the packet after --inner";
    if (s.family == Family::kIPv4)
      return what + " would be " + std::to_string(len) +
             " bytes long: an IPv4 datagram is at most 65535 bytes (its total length field)";
    return what + " would have " + std::to_string(len - header) +
           " bytes of IPv6 payload: at most 65535 without jumbograms (its payload length field)";
  }
  return "";
}

Packet BuildPacket(const PacketSpec& spec) {
  Packet p;
  p.family = spec.family;
  p.bytes = BuildDatagram(spec, DefaultSrcAddr(spec.family), DefaultDstAddr(spec.family));
  p.in = IfaceName(spec.in);
  p.out = IfaceName(spec.out);
  p.phys_in = IfaceName(spec.phys_in);
  p.phys_out = IfaceName(spec.phys_out);
  if (!spec.in.empty() && !spec.no_mac) {
    std::copy(spec.mac_dst.begin(), spec.mac_dst.end(), p.mac.begin());
    std::copy(spec.mac_src.begin(), spec.mac_src.end(), p.mac.begin() + 6);
    p.mac[12] = spec.family == Family::kIPv4 ? 0x08 : 0x86;
    p.mac[13] = spec.family == Family::kIPv4 ? 0x00 : 0xdd;
    p.mac_len = 14;
  }
  p.mark = spec.mark;
  p.connected_socket = spec.connected;
  if (spec.uid || spec.gid) {
    p.uid = spec.uid.value_or(0);
    p.gid = spec.gid ? spec.gid : p.uid;
  }
  p.time = spec.time;
  p.ct_assumed = spec.ctstate;
  return p;
}

}  // namespace iptsim
