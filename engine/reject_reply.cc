#include "engine/reject_reply.h"

#include <algorithm>

#include "base/bytes.h"
#include "base/checksum.h"
#include "engine/packet_builder.h"

namespace iptsim {
namespace {

uint32_t PseudoSum(bool v6, const IpAddr& src, const IpAddr& dst, uint8_t proto, size_t len) {
  // IPv4's pseudo header holds the length in 16 bits, IPv6's in 32.
  return ChecksumPseudoHeader(src.b.data(), dst.b.data(), v6 ? 16 : 4, proto,
                              static_cast<uint32_t>(v6 ? len : len & 0xffff));
}

// Whether the transport checksum of the original is good (nf_ip_checksum /
// nf_ip6_checksum as REJECT calls them); protocols it does not verify pass.
bool TransportChecksumOk(const PacketView& v, bool v6) {
  uint8_t proto = v.l4proto;
  if (proto != ipproto::kTcp && proto != ipproto::kUdp && proto != ipproto::kUdplite) return true;
  size_t len = v.transport_size();
  if (proto == ipproto::kUdp && len >= 8 && GetBe16(v.transport() + 6) == 0 && !v6) return true;
  // The segment ends where the IP header says the datagram ends.
  const uint8_t* d = v.data();
  size_t claimed = v6 ? 40 + static_cast<size_t>(GetBe16(d + 4)) : GetBe16(d + 2);
  if (claimed > v.size() || claimed < v.thoff) return false;
  len = claimed - v.thoff;
  uint32_t sum = PseudoSum(v6, v.src(), v.dst(), proto, len);
  sum = ChecksumAdd(sum, v.transport(), len);
  return ChecksumFinish(sum) == 0xffff || ChecksumFinish(sum) == 0;
}

bool IsMulticastOrBroadcast(bool v6, const IpAddr& a) {
  if (v6) return a.b[0] == 0xff;
  if ((a.b[0] & 0xf0) == 0xe0) return true;
  return a.b[0] == 255 && a.b[1] == 255 && a.b[2] == 255 && a.b[3] == 255;
}

// The ICMP code of an ipt_reject_with / ip6t_reject_with value.
int IcmpCode(bool v6, uint8_t with) {
  if (v6) {
    switch (with) {
      case 0: return 0;  // no-route
      case 1: return 1;  // adm-prohibited
      case 3: return 3;  // addr-unreach
      case 4: return 4;  // port-unreach
      case 7: return 5;  // policy-fail
      case 8: return 6;  // reject-route
    }
    return -1;
  }
  switch (with) {
    case 0: return 0;   // net-unreachable
    case 1: return 1;   // host-unreachable
    case 2: return 2;   // proto-unreachable
    case 3: return 3;   // port-unreachable
    case 5: return 9;   // net-prohibited
    case 6: return 10;  // host-prohibited
    case 8: return 13;  // admin-prohibited
  }
  return -1;
}

void WriteAddrs(std::vector<uint8_t>& b, bool v6, const IpAddr& src, const IpAddr& dst) {
  size_t at = v6 ? 8 : 12, n = v6 ? 16 : 4;
  std::copy_n(src.b.begin(), n, b.begin() + static_cast<long>(at));
  std::copy_n(dst.b.begin(), n, b.begin() + static_cast<long>(at + n));
}

// An IP header of `total` bytes (IPv4 header checksum filled in).
std::vector<uint8_t> IpHeader(bool v6, size_t total, uint8_t tos, bool df, uint8_t proto,
                              const IpAddr& src, const IpAddr& dst) {
  std::vector<uint8_t> b(total, 0);
  if (v6) {
    b[0] = 0x60;
    PutBe16(&b[4], static_cast<uint16_t>(total - 40));
    b[6] = proto;
    b[7] = 64;
  } else {
    b[0] = 0x45;
    b[1] = tos;
    PutBe16(&b[2], static_cast<uint16_t>(total));
    if (df) b[6] = 0x40;
    b[8] = 64;
    b[9] = proto;
  }
  WriteAddrs(b, v6, src, dst);
  if (!v6) PutBe16(&b[10], static_cast<uint16_t>(~ChecksumFinish(ChecksumAdd(0, b.data(), 20))));
  return b;
}

// nf_send_reset / nf_send_reset6: the TCP reset answering `view`.
void BuildTcpReset(const PacketView& view, bool v6, RejectReply& r) {
  const size_t hlen = v6 ? 40 : 20;
  const IpAddr osrc = view.src(), odst = view.dst();
  if (view.l4proto != ipproto::kTcp || !view.l4proto_found) {
    r.note = "no reset for a packet that is not TCP";
    return;
  }
  if (view.transport_size() < 20) {
    r.note = "no reset: the TCP header is incomplete";
    return;
  }
  const uint8_t* th = view.transport();
  const uint8_t flags = th[13];
  if (flags & tcpflag::kRst) {
    r.note = "no reset for a reset";
    return;
  }
  const size_t claimed = v6 ? 40 + static_cast<size_t>(GetBe16(view.data() + 4))
                            : GetBe16(view.data() + 2);
  const size_t doff = static_cast<size_t>(th[12] >> 4) * 4;
  const size_t seglen = claimed > view.thoff ? claimed - view.thoff : 0;
  const uint32_t datalen = static_cast<uint32_t>(seglen > doff ? seglen - doff : 0);
  std::vector<uint8_t> b = IpHeader(v6, hlen + 20, 0, true, ipproto::kTcp, odst, osrc);
  uint8_t* t = &b[hlen];
  t[0] = th[2], t[1] = th[3], t[2] = th[0], t[3] = th[1];
  t[12] = 5 << 4;
  if (flags & tcpflag::kAck) {
    std::copy_n(th + 8, 4, t + 4);  // seq = the original's ack_seq
    t[13] = tcpflag::kRst;
  } else {
    uint32_t ack = GetBe32(th + 4) + ((flags & tcpflag::kSyn) ? 1 : 0) +
                   ((flags & tcpflag::kFin) ? 1 : 0) + datalen;
    PutBe32(t + 8, ack);
    t[13] = tcpflag::kRst | tcpflag::kAck;
  }
  uint32_t sum = PseudoSum(v6, odst, osrc, ipproto::kTcp, 20);
  PutBe16(t + 16, static_cast<uint16_t>(~ChecksumFinish(ChecksumAdd(sum, t, 20))));
  r.packet.bytes = std::move(b);
  r.built = true;
}

// nf_send_unreach (icmp_send / icmpv6_send): the destination-unreachable
// error with `code` about `view`.
void BuildIcmpError(const PacketView& view, bool v6, int code, Hook hook,
                    const std::optional<IpAddr>& route_src, RejectReply& r) {
  const size_t hlen = v6 ? 40 : 20;
  const IpAddr osrc = view.src(), odst = view.dst();
  // No error about an error (nor about an ICMP type the kernel does not know).
  const uint8_t icmp_proto = v6 ? ipproto::kIcmpv6 : ipproto::kIcmp;
  if (view.l4proto == icmp_proto && view.l4proto_found) {
    if (view.transport_size() < 1) {
      r.note = "no ICMP error about an ICMP packet without a type";
      return;
    }
    uint8_t type = view.transport()[0];
    if (v6 ? (type < 128 || type == 137) : (type > 18 || IcmpTypeIsError(Family::kIPv4, type))) {
      r.note = "no ICMP error about an ICMP error";
      return;
    }
  }
  if (!v6 && (view.data()[0] & 0x0f) > 5) {
    r.note = "the original carries IP options, which the kernel echoes in its ICMP error: not simulated";
    r.undecided = true;
    return;
  }
  // Source: the original's destination when it was addressed to this host.
  IpAddr src;
  if (hook == Hook::kLocalIn) {
    src = odst;
  } else if (hook == Hook::kLocalOut) {
    // To a local original the reply is local too: the kernel picks the
    // address it sends from towards the original's (local) source.
    src = route_src ? *route_src : osrc;
  } else if (route_src) {
    src = *route_src;
  } else {
    r.note = "the source address of the ICMP error about a forwarded packet is the router's own "
             "(needs --host)";
    r.undecided = true;
    return;
  }
  const size_t claimed = v6 ? 40 + static_cast<size_t>(GetBe16(view.data() + 4))
                            : GetBe16(view.data() + 2);
  const size_t orig_len = std::min(claimed, view.size());
  const size_t limit = v6 ? 1280 : 576;
  const size_t quoted = std::min(orig_len, limit - hlen - 8);
  const uint8_t tos = v6 ? 0 : static_cast<uint8_t>((view.data()[1] & 0x1e) | 0xc0);
  std::vector<uint8_t> b = IpHeader(v6, hlen + 8 + quoted, tos, false, icmp_proto, src, osrc);
  uint8_t* ic = &b[hlen];
  ic[0] = v6 ? 1 : 3;
  ic[1] = static_cast<uint8_t>(code);
  std::copy_n(view.data(), quoted, ic + 8);
  uint32_t sum = v6 ? PseudoSum(true, src, osrc, icmp_proto, 8 + quoted) : 0;
  PutBe16(ic + 2, static_cast<uint16_t>(~ChecksumFinish(ChecksumAdd(sum, ic, 8 + quoted))));
  r.packet.bytes = std::move(b);
  r.built = true;
}

}  // namespace

RejectReply BuildRejectReply(const Packet& orig, const PacketView& view, bool v6, uint8_t with,
                             Hook hook, const std::optional<IpAddr>& route_src) {
  RejectReply r;
  const size_t hlen = v6 ? 40 : 20;
  if (view.size() < hlen) {
    r.note = "the original is shorter than an IP header";
    return r;
  }
  const IpAddr odst = view.dst();
  // A non-first fragment gets no reply (IPv6: a fragment offset other than 0).
  if (view.fragoff != 0) {
    r.note = "no reply for a non-first fragment";
    return r;
  }
  if (IsMulticastOrBroadcast(v6, odst) || (orig.mac_len == 14 && (orig.mac[0] & 1))) {
    r.note = "no reply to a broadcast or multicast packet";
    return r;
  }
  if (!TransportChecksumOk(view, v6)) {
    r.note = "no reply: the original's transport checksum is bad";
    return r;
  }
  Packet& p = r.packet;
  p.family = v6 ? Family::kIPv6 : Family::kIPv4;
  p.time = orig.time;
  // The reply goes back where the original came from: to a local original
  // (OUTPUT) over lo, otherwise out of the device it arrived on.  (With a
  // host model the route decides; the caller may override `out`.)
  p.out = hook == Hook::kLocalOut ? IfaceName("lo") : orig.in;

  const bool reset = with == (v6 ? kRejectTcpReset6 : kRejectTcpReset4);
  if (reset) {
    BuildTcpReset(view, v6, r);
    return r;
  }
  const int code = IcmpCode(v6, with);
  if (code < 0) {
    r.note = "unknown reject type";
    return r;
  }
  BuildIcmpError(view, v6, code, hook, route_src, r);
  return r;
}

}  // namespace iptsim
