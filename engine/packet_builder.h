// Building real datagrams from a packet description (docs/architecture.md decision 1:
// a packet is real bytes).  PacketSpec holds what the packet options of the
// command line say (loader/packet_spec.h parses them); BuildPacket turns it
// into an IPv4 or IPv6 datagram with correct lengths and checksums plus the
// skb metadata of engine/packet.h.
//
// Defaults (every field the options leave out; all deterministic):
//   addresses      IPv4 192.0.2.1 -> 192.0.2.2, IPv6 2001:db8::1 -> 2001:db8::2
//                  (embedded packet of an ICMP error: the outer packet's
//                  destination -> source, i.e. reversed)
//   protocol       tcp, unless a protocol-specific option implies another
//                  (--icmp-type/--gateway -> icmp, --icmpv6-type -> icmpv6, ...)
//   ports          source 40000, destination 80 (tcp, udp, udplite, sctp, dccp)
//   TTL/hop limit  64; TOS/traffic class 0; flow label 0; no DF, MF or CE bit
//   IP ID          0 (IPv6: identification of the fragment header)
//   TCP            flags SYN, seq 1, ack 0, window 64240, urgent pointer 0,
//                  no options (data offset 5)
//   UDP-Lite       checksum coverage = the whole datagram
//   SCTP           verification tag 0 and one INIT chunk (initiate tag 1,
//                  a_rwnd 65535, 1/1 streams, TSN 1) unless a payload is given,
//                  which then is the chunk list
//   DCCP           a Request (type 0) with extended sequence number --seq and
//                  service code 0
//   ICMP           echo-request (8/0), id 1, seq 1; the error types 3 4 5 11 12
//                  embed an offending packet (see `inner`); redirect gateway
//                  0.0.0.0, frag-needed MTU 1500, parameter pointer 0;
//                  timestamp (13/14) carries 12 zero bytes of timestamps,
//                  address mask (17/18) 4 zero bytes
//   ICMPv6         echo-request (128/0), id 1, seq 1; errors 1 2 3 4 embed a
//                  packet; packet-too-big MTU 1280, pointer 0; MLD 130-132:
//                  delay 10000 ms / group ::; NS: target = destination; NA:
//                  target = source (flags S|O); RA/RS/redirect: zero bodies
//   IGMP           v2 general query: max response 100 (10 s), group 0.0.0.0
//   GRE            4-byte header, no flags, protocol 0x0800
//   AH             SPI --spi (default 0x100), sequence 1, 12 zero bytes of ICV
//                  (24 bytes), next header 59 (none) then the payload
//   ESP            SPI --spi (default 0x100), sequence 1, then the payload
//   other numbers  only the payload
//   MAC            source 02:00:00:00:00:01, destination 02:00:00:00:00:02,
//                  ethertype 0800/86dd; present (mac_len 14) only with -i
//   metadata       mark 0, no socket (no UID/GID), time 0
//
// Lengths: the datagram is built whole; --len then sets the IP total length
// (IPv6: header + payload length): a larger value pads the payload with zero
// bytes (all length fields include the padding), a smaller one cuts the
// datagram there (the header length fields keep their claims: this is how
// truncated headers, INCOMPLETE/TRUNCATED in the log, and a first fragment of
// a longer datagram are made).  Checksums are computed before the cut.
//
// Fragments: --frag OFFSET (bytes, a multiple of 8) --mf.  A first fragment
// (offset 0) carries the transport header as usual; a later one carries only
// the payload (no transport header) behind the IP header and, for IPv6, the
// extension headers.  IPv6 fragments get a fragment header (appended after
// --ext-hdr's list unless that list names `frag`).
//
// IPv6 extension headers (--ext-hdr hbh,dst,rt,frag,ah in wire order):
// hop-by-hop and destination options are 8 bytes with one PadN option,
// routing is type 0 with no addresses and segments-left 0 (8 bytes), frag is
// the fragment header (offset --frag, M --mf, identification --id), ah is the
// 24-byte AH above.
//
// Embedded packets: an ICMP/ICMPv6 error embeds `inner[0]`, a packet
// described with the same options (after the word --inner on the command
// line), built whole and included whole (its own --len cuts it); the error's
// own payload follows it.  Without --inner, a payload is the whole body after
// the ICMP header (the bytes the kernel reads as the embedded packet), and an
// error with neither embeds the default packet.  Nesting goes as deep as the
// options say (an error inside an error, at most kMaxInnerDepth levels, which
// the packet option parser enforces); the log formatter shows one level.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/checksum.h"
#include "engine/netaddr.h"
#include "engine/packet.h"

namespace iptsim {

// Protocol numbers the builder knows.
namespace ipproto {
constexpr uint8_t kHopOpts = 0, kIcmp = 1, kIgmp = 2, kTcp = 6, kUdp = 17, kDccp = 33,
                  kRouting = 43, kFragment = 44, kGre = 47, kEsp = 50, kAh = 51, kIcmpv6 = 58,
                  kNone = 59, kDstOpts = 60, kSctp = 132, kUdplite = 136;
}  // namespace ipproto

// TCP flag bits as PacketSpec::tcp_flags holds them: byte 13 of the header in
// the low 8 bits, then AE (the old NS bit) and the three reserved bits of
// byte 12 (RES=0x38 in the log is tcp_flags 0xe00).
namespace tcpflag {
constexpr uint16_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10, kUrg = 0x20,
                   kEce = 0x40, kCwr = 0x80, kAe = 0x100, kReserved = 0xe00;
}  // namespace tcpflag

enum class ExtHdr : uint8_t { kHopByHop, kDstOpts, kRouting, kFragment, kAh };

struct PacketSpec {
  Family family = Family::kIPv4;

  // -i -o --physdev-in --physdev-out
  std::string in, out, phys_in, phys_out;
  // -s -d (unset: the defaults above)
  std::optional<IpAddr> src, dst;
  // -p (unset: tcp or what the options imply; resolved by the parser)
  std::optional<uint8_t> proto;

  std::optional<uint16_t> sport, dport;
  std::optional<uint16_t> tcp_flags;  // tcpflag bits; unset: SYN
  uint32_t seq = 1, ack = 0;
  uint16_t window = 64240;
  uint16_t urgp = 0;
  std::vector<uint8_t> tcp_options;  // padded with zero bytes to 4n by the builder

  // --icmp-type / --icmpv6-type TYPE[/CODE]
  std::optional<uint8_t> icmp_type;
  uint8_t icmp_code = 0;
  uint16_t icmp_id = 1, icmp_seq = 1;
  std::optional<uint32_t> mtu;      // frag-needed (16 bits) / packet-too-big
  std::optional<uint32_t> pointer;  // parameter problem (IPv4: 8 bits)
  std::optional<IpAddr> gateway;    // redirect
  uint32_t spi = 0x100;             // AH / ESP

  uint8_t ttl = 64;  // --ttl / --hoplimit
  uint8_t tos = 0;   // --tos (IPv6: traffic class)
  uint32_t id = 0;   // --id (IPv6: fragment identification)
  bool df = false, mf = false, ce = false;
  uint16_t frag_offset = 0;  // bytes
  uint32_t flowlabel = 0;
  std::vector<uint8_t> ip_options;  // IPv4, padded with zero bytes to 4n
  std::vector<ExtHdr> ext_hdrs;     // IPv6, wire order
  std::optional<uint32_t> len;      // total length (see above)
  std::vector<uint8_t> payload;

  std::array<uint8_t, 6> mac_src{0x02, 0, 0, 0, 0, 0x01};
  std::array<uint8_t, 6> mac_dst{0x02, 0, 0, 0, 0, 0x02};
  // The input device has no link-layer header (a tun device; a log line
  // with an empty MAC=): the packet gets none even with -i.
  bool no_mac = false;

  // Metadata.
  double time = 0;
  uint32_t mark = 0;
  std::optional<uint32_t> uid, gid;
  std::string ctstate;  // --ctstate, normalised (Packet::ct_assumed)
  bool connected = false;  // --connected: sent by a connected socket (see Packet)

  // The embedded packet of an ICMP error: empty or exactly one element.
  std::vector<PacketSpec> inner;
};

// How deep --inner may nest (an error about an error about ...): the
// builder recurses once per level.
constexpr int kMaxInnerDepth = 8;

// The default addresses of a family.
IpAddr DefaultSrcAddr(Family f);
IpAddr DefaultDstAddr(Family f);
// The protocol a spec without -p gets (tcp).
constexpr uint8_t kDefaultProto = ipproto::kTcp;
constexpr uint16_t kDefaultSport = 40000, kDefaultDport = 80;

// True for the ICMP (family v4) / ICMPv6 types that embed an offending packet.
bool IcmpTypeIsError(Family f, uint8_t type);

// Builds the packet.  Total: any spec gives some datagram (out-of-range
// values are clamped, lengths capped at the family's maximum).
Packet BuildPacket(const PacketSpec& spec);

// The most the wire carries: IPv4's total length, and IPv6's payload
// length without jumbograms (RFC 2675), both 16-bit fields.
constexpr size_t kMaxIpv4Length = 65535, kMaxIpv6Payload = 65535;

// Why the datagram `spec` describes cannot exist, or "" when it can: it (or
// a packet embedded with --inner) is longer than its family's length field
// can say.  `*depth`: 0 for the packet itself, k for the k-th --inner.
// The parsers refuse such specs (loader/packet_spec.h), so BuildPacket's
// capping never meets one from the user.
std::string PacketSizeError(const PacketSpec& spec, int* depth = nullptr);

// Only the network-layer bytes (what BuildPacket puts in Packet::bytes).
// `default_src`/`default_dst` replace the family defaults (used for
// embedded packets).
std::vector<uint8_t> BuildDatagram(const PacketSpec& spec, const IpAddr& default_src,
                                   const IpAddr& default_dst);

}  // namespace iptsim
