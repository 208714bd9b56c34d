// Sending a Packet (engine/packet.h) into a lab so that the kernel sees the
// very bytes the simulator uses.
//
// Received packets (Packet::in set): the Ethernet frame Packet::mac +
// Packet::bytes is written with an AF_PACKET socket on the peer end of the
// veth whose host-side end is Packet::in, so it arrives on Packet::in like a
// frame from the wire.  On a tun port (a device without link-layer header,
// Packet::mac_len 0) the datagram is written to the tun device instead.
//
// Locally generated packets (Packet::in empty): sent from a raw socket
// (IPPROTO_RAW, i.e. IP_HDRINCL / IPv6 header included) in the host
// namespace by a forked child that first takes Packet::uid/gid (default 0)
// with setresgid/setresuid and no supplementary groups, keeping only
// CAP_NET_RAW and CAP_NET_ADMIN, so that the socket's file credentials - what
// TRACE's UID=/GID= and -m owner read - are exactly those ids.  Packet::out
// binds the socket to that device (SO_BINDTODEVICE), Packet::mark becomes
// SO_MARK.
//
// What cannot be sent byte for byte (InjectionCaveats lists what applies to
// a given packet):
// - IPv4 local: the kernel rewrites the header of an IP_HDRINCL datagram
//   whose IHL is >= 5 and fits the buffer: total length := bytes sent, header
//   checksum recomputed, ID 0 replaced by a generated one, source 0.0.0.0
//   replaced by the route's source.  A datagram larger than the route's MTU
//   is refused (EMSGSIZE, no fragmentation).  IPv6 local datagrams are sent
//   unchanged (also refused above the MTU).
// - Local packets always have a socket: UID=/GID= always appear (packets the
//   kernel builds itself - RST, ICMP errors, REJECT replies - have none and
//   cannot be injected; make the kernel generate them instead).
// - Received packets carry skb->mark 0 (a veth scrubs the mark when it
//   crosses namespaces), and no socket (UID=/GID= on INPUT only come from
//   early demux to a real local socket).  Packet::nf_trace, time, phys_in and
//   phys_out are not injected: TRACE rules, the clock and bridges decide.
// - A received frame whose destination MAC is another unicast address than the
//   port's is dropped by the kernel as PACKET_OTHERHOST before PREROUTING (a
//   kernel fact, not an injection limit: the lab gives a port the MAC its
//   packets are sent to).  A frame longer than MTU + 14 is dropped by veth.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/packet.h"
#include "verifier/lab.h"

namespace iptsim::verifier {

// Sends one packet; "" on success, else why not.
Status Inject(const Lab& lab, const Packet& packet, int timeout_ms = 5000);

// Human-readable differences between `packet` and what the kernel will
// receive when it is injected into `lab` (empty: byte for byte).
std::vector<std::string> InjectionCaveats(const Lab& lab, const Packet& packet);

// Hex text ("45 00 00 1c", "4500001c", "45:00:...") to bytes; false on odd
// digits or other characters.
bool ParseHex(std::string_view text, std::vector<uint8_t>* out);

// A received packet from an Ethernet frame (14-byte header, then the IP
// datagram) arriving on `in`; family from the ethertype (0x0800/0x86dd).
bool PacketFromFrame(const std::vector<uint8_t>& frame, std::string_view in, Packet* out,
                     std::string* error);
// A packet without link-layer header: locally generated when `in` is empty,
// else received on a tun device `in`.  Family from the IP version nibble.
bool PacketFromDatagram(const std::vector<uint8_t>& datagram, std::string_view in, Packet* out,
                        std::string* error);

}  // namespace iptsim::verifier
