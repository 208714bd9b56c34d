// A kernel TRACE or LOG line turned back into a packet: the inverse of
// engine/log_format.cc (nf_log_syslog's dump, docs/kernel-trace.md
// §1 and §6).  `iptsim trace --from-log` uses it through loader/log_text.h
// (which also reads xtables-monitor --trace output, loader/monitor_trace.h).
//
// The line may carry anything before the packet part (a dmesg timestamp, a
// syslog header, "TRACE: raw:PREROUTING:policy:2 ", a LOG prefix): the packet
// part starts at the first "IN=" that is followed by " OUT=".  Recognised:
//   IN= OUT= PHYSIN= PHYSOUT= MAC=(14 bytes, or none) MACSRC= MACDST= MACPROTO=
//   IPv4: SRC= DST= LEN= TOS= PREC= TTL= ID= CE DF MF FRAG:N OPT (HEX)
//   IPv6: SRC= DST= LEN= TC= HOPLIMIT= FLOWLBL= and the extension headers
//         "OPT ( ... )": FRAG:N [INCOMPLETE] ID:HEX, AH SPI=, ESP SPI=, and the
//         empty "OPT ( )" of hop-by-hop/destination/routing headers
//   PROTO=TCP SPT= DPT= [SEQ= ACK=] WINDOW= RES= [AE] flags URGP= [OPT (HEX)]
//   PROTO=UDP|UDPLITE SPT= DPT= LEN=    PROTO=AH|ESP SPI=    PROTO=N
//   PROTO=ICMP TYPE= CODE= [ID= SEQ=] [PARAMETER=] [GATEWAY=] [ [...] ] [MTU=]
//   PROTO=ICMPv6 TYPE= CODE= [ID= SEQ=] [POINTER=] [ [...] ] [MTU=]
//   INCOMPLETE [N bytes], TRUNCATED, UID= GID=, MARK=0xN
//
// What the line does not carry gets the packet builder's defaults
// (engine/packet_builder.h): the payload bytes (zeros up to LEN), checksums,
// the kind of an IPv6 extension header the kernel prints as "OPT ( )" (the
// first becomes hop-by-hop, later ones destination options), the bits of a
// TCP option list the kernel cut ("OPT (TRUNCATED)": none), the ECN bits of
// the IPv4 TOS byte (TOS= shows bits 1-4 only), and the link layer of an
// input device without an Ethernet header ("MAC=" with no bytes: the packet
// gets the default Ethernet header).  Lengths come from LEN= (IPv4 total
// length, IPv6 payload length + 40), so INCOMPLETE/truncated dumps come back.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/packet_builder.h"
#include "base/diagnostics.h"

namespace iptsim {

struct LogLine {
  PacketSpec spec;
  std::string prefix;   // everything before the packet part
  // The nf_log flags the line shows (engine/log_format.h logflag): SEQ=
  // present -> kTcpSeq; MACSRC= present -> kMacDecode; always kTcpOpt,
  // kIpOpt and kUid (an absent option list or UID prints nothing either way).
  uint8_t logflags = 0;
  // Where the packet part starts (0-based offset into the line).
  size_t packet_offset = 0;
};

// Parses `line`.  `family`: the ruleset's family (a line of the other family
// is an error); nullopt: taken from the line.  On error fills `error`'s
// col/len/message/source_line (file and line are the caller's).
bool ParseLogLine(std::string_view line, std::optional<Family> family, LogLine* out,
                  Diagnostic* error);

}  // namespace iptsim
