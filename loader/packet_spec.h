// The packet options of the command line (trace PACKET..., --packets
// lines): iptables' own filter syntax describing one packet, e.g.
//   -i eth0 -s 10.0.0.1 -d 10.0.0.2 -p tcp --dport 22 --syn --ttl 5
// parsed into a PacketSpec (engine/packet_builder.h, which documents every
// default).  Values, not conditions: '!' is refused, addresses are single
// addresses (ADDR or ADDR/32, ADDR/128), ports single ports.
//
// Options (long ones also as --opt=VALUE and as unique abbreviations, as
// iptables' getopt accepts them; -p/-s/-d/-i/-o also with the value attached,
// "-ptcp"):
//   -i --in-interface IF     -o --out-interface IF   --physdev-in IF  --physdev-out IF
//   -s --source --src ADDR   -d --destination --dst ADDR
//   -p --protocol PROTO      (name or number; tcp if absent, or what the
//                            options imply: --syn/--tcp-flags/... tcp,
//                            --icmp-type/--gateway icmp, --icmpv6-type icmpv6,
//                            --icmp-id/--icmp-seq/--mtu/--pointer the family's ICMP)
//   --sport --source-port N  --dport --destination-port N   (tcp udp udplite sctp dccp)
//   --syn | --tcp-flags MASK COMP   (COMP = the flags set: FIN SYN RST PSH ACK URG ECE
//                            CWR AE, ALL, NONE, comma separated, or a number whose
//                            bits 0-7 are byte 13, bit 8 AE, bits 9-11 the reserved bits)
//   --seq N --ack N --window N --urgp N --tcp-option-hex HEX          (tcp; --seq also dccp)
//   --icmp-type T[/C] (IPv4) --icmpv6-type T[/C] (IPv6): a name or numbers
//   --icmp-id N --icmp-seq N (echo, timestamp, information, address mask)
//   --mtu N (frag-needed 3/4, packet-too-big) --pointer N (parameter problem)
//   --gateway ADDR (redirect)  --spi N (ah, esp)
//   --ttl N | --hoplimit N (the same field)  --tos N (IPv6: traffic class)
//   --id N (IPv6: fragment identification)  --df --ce (IPv4 flag bits; --ce is the
//   reserved "evil" bit)  --frag OFFSET (bytes, multiple of 8)  --mf
//   --flowlabel N (IPv6)  --ip-option-hex HEX (IPv4)
//   --ext-hdr LIST (IPv6: hbh,dst,rt,frag,ah in wire order; also hop, dstopts, route, fragment)
//   --len N (total length: pads the payload or cuts the datagram)
//   --payload TEXT | --payload-hex HEX      (HEX: digits, optional 0x and ':' between bytes)
//   --mac-src MAC --mac-dst MAC
//   --time SECONDS --mark N --uid N --gid N (--gid needs --uid; GID defaults to UID)
//   --ctstate STATE[,STATE] (INVALID NEW ESTABLISHED RELATED UNTRACKED SNAT DNAT): what
//                            earlier packets left in the connection table, when it has
//                            no entry for this one (docs/packet-options.md)
//   --inner OPTIONS...       every later word describes the packet embedded in the
//                            ICMP/ICMPv6 error (same options, no interfaces or
//                            metadata; its addresses default to the outer ones
//                            reversed); may repeat for an error inside an error.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/packet_builder.h"
#include "base/diagnostics.h"
#include "base/status.h"

namespace iptsim {

// Largest --time (seconds, 2^32 - 1: epoch times up to 2106): the clocks
// derived from it (jiffies, nanoseconds) stay inside 64-bit integers.
constexpr double kMaxPacketTime = 4294967295.0;

// Parses the words of one packet for a ruleset of `family`.  On error the
// Status has the message and, as arg(), the index of the offending word.
Status ParsePacketSpec(std::span<const std::string> words, Family family, PacketSpec* out);

// A spec's default packet words and one packet's own words as one packet
// (`iptsim test`'s `defaults:`): the packet's options replace the
// defaults' options of the same name (-i eth1 over the defaults' -i eth0;
// aliases are one name, as are --syn and --tcp-flags, --payload and
// --payload-hex), the other defaults come first.  Options after --inner
// describe the embedded packet: the packet's --inner replaces the
// defaults' whole embedded packet, else the defaults' comes last.  Words
// that are not options stay where they are (the parser reports them).
struct MergedWord {
  bool from_defaults;
  size_t index;  // into the defaults or the packet's words
};
std::vector<MergedWord> MergePacketWords(std::span<const std::string> defaults,
                                         std::span<const std::string> packet, Family family);

// One word of a packet line and where it starts (1-based column) and how
// many characters of the line it spans (quotes included).
struct SpecWord {
  std::string text;
  uint32_t col = 0;
  uint32_t len = 0;
};

// Splits a line into words: blanks separate; '...' quotes literally, "..."
// quotes with \" and \\ escapes, a backslash outside quotes escapes the next
// character; a word starting with '#' starts a comment.  An error (and its
// column in `*error_col`) for an unterminated quote.
Status SplitPacketLine(std::string_view line, std::vector<SpecWord>* words, uint32_t* error_col);

// SplitPacketLine + ParsePacketSpec.  On error fills `error` (column, length,
// message, source line; file and line number are the caller's).
bool ParsePacketLine(std::string_view line, Family family, PacketSpec* out, Diagnostic* error);

}  // namespace iptsim
