// The packets the kernel generates when a REJECT rule matches: an ICMP /
// ICMPv6 destination-unreachable error (nf_send_unreach, icmp_send /
// icmpv6_send) or a TCP reset (nf_send_reset / nf_send_reset6).  Each is a
// new locally generated packet: skb->nf_trace clear, mark 0 (fwmark_reflect
// off), attached to the original's connection (nf_ct_attach: RELATED; the
// conntrack model decides from that entry whether the nat chains run for it,
// ConntrackPacket::Attach), sent through OUTPUT and POSTROUTING from inside
// the REJECT target: its
// lines, if a raw OUTPUT TRACE rule marks it, follow the REJECT rule's line.
//
// What the kernel does, checked against captures (corpus/scenarios/
// reject-reply-v4, reject-reply-v6, corpus/reference/captures/e3-reject-*):
//   ICMPv4 error: TOS = (original TOS & 0x1e) | 0xc0 (precedence internetwork
//     control), TTL 64, no DF, source = the original's destination when it was
//     addressed to this host, else the address the host would send from on
//     the route back (needs the host model); type 3 with the code of
//     --reject-with; the original datagram (as it is at the REJECT: a forwarded
//     one with its TTL already decremented) cut so that the reply is at most
//     576 bytes.  The IP ID comes from the kernel's random ID generator:
//     iptsim writes 0, and the differential tests normalise it.
//   ICMPv6 error: traffic class 0, hop limit 64, at most 1280 bytes, flow
//     label chosen by the kernel's hash of the flow (random per boot: iptsim
//     writes 0; normalised the same way), source as above.
//   TCP reset: source and destination swapped (the source is the original's
//     destination even for a forwarded packet), TOS/TC 0, ID 0 with DF
//     (IPv4), TTL/hop limit 64, no options; with the original's ACK bit: SEQ =
//     its ACK number and flag RST alone; without: ACK = its SEQ + SYN + FIN +
//     payload length and flags ACK RST; window 0.
//   No reply: for a non-first fragment, an ICMP error about an ICMP error (or
//   an unknown ICMP type), a reset for a reset or for a non-TCP packet, a
//   broadcast or multicast destination, a bad transport checksum.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/eval.h"
#include "engine/packet.h"

namespace iptsim {

struct RejectReply {
  Packet packet;       // the reply, with `out` set to its output device
  bool built = false;      // false: the kernel sends nothing, or iptsim cannot say what
  bool undecided = false;  // not built because an input is missing (`note` says which)
  std::string note;        // why no reply, or what iptsim could not decide
};

// `with`: the kernel's enum ipt_reject_with (IPv4) / ip6t_reject_with (IPv6).
// `hook`: where the REJECT rule ran (INPUT, FORWARD or OUTPUT).
// `route_src`: the address the host sends from towards the original's
// source (from the host model), needed for an ICMP error about a packet that
// was not addressed to this host; nullopt when there is no host model.
RejectReply BuildRejectReply(const Packet& orig, const PacketView& view, bool v6, uint8_t with,
                             Hook hook, const std::optional<IpAddr>& route_src);

// IPv4 and IPv6 reject-with values that mean a TCP reset.
constexpr uint8_t kRejectTcpReset4 = 7, kRejectTcpReset6 = 6;

}  // namespace iptsim
