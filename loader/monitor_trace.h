// The lines of `xtables-monitor --trace` (iptables-nft's trace, the inverse
// of engine/log_format.cc:FormatXtablesMonitorPacket and --format nft;
// docs/kernel-trace.md §4) read back:
//
//   PACKET: <family> <id> [IN=] [OUT=] [NFPROTO=] [MACSRC= MACDST= MACPROTO= | LL=0x<type> <hex>]
//           SRC= DST= LEN= (IPv4) TOS= TTL= ID= [CE] [DF] [MF] [FRAG:N] [OPT (HEX)]
//                          (IPv6) TC= HOPLIMIT= FLOWLBL=
//           [SPORT= DPORT= [SYN] [ACK] [FIN] [RST] [PSH] [URG]] [MARK=0x]
//    TRACE: <family> <id> <table>:<chain>:rule:0x<handle>:<VERDICT>  -4 -t <table> -A <chain> <rule>
//    TRACE: <family> <id> <table>:<chain>:policy:<VERDICT>
//
// A PACKET line shows less than a kernel LOG line: no protocol number, no
// TCP sequence numbers, window or options, no ICMP type.  What it shows is
// read into MonitorPacketLine; loader/log_text.cc puts the lines of one
// trace id together and decides the rest (MonitorPacketLine::Resolve).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/diagnostics.h"
#include "engine/packet_builder.h"

namespace iptsim {

// Where the "PACKET: " / "TRACE: " of an xtables-monitor line starts (any
// prefix before it is allowed: a timestamp), or npos.  A kernel TRACE line
// ("TRACE: raw:PREROUTING:policy:2 IN=...") is not one: the monitor's has
// the family and the 8-digit trace id after the word.
// `trace_id`, when given, gets the line's trace id.
size_t FindMonitorPacket(std::string_view line, uint32_t* trace_id = nullptr);
size_t FindMonitorEvent(std::string_view line);

struct MonitorPacketLine {
  PacketSpec spec;  // what the line shows; the protocol is not decided yet
  uint32_t trace_id = 0;
  bool ports = false;      // SPORT= DPORT= shown
  bool tcp_flags = false;  // any of the TCP flags shown
  // What the rules the packet matched say about it (their "-p" and
  // "--icmp-type"/"--icmpv6-type", from the TRACE lines of its id).
  std::optional<uint8_t> hint_proto;
  std::optional<std::pair<uint8_t, uint8_t>> hint_icmp;  // type, code

  // Decides the protocol (and ICMP type): TCP when a TCP flag shows; with
  // ports, the matched rules' -p if it is a protocol with ports, else UDP;
  // without ports, the matched rules' -p, else ICMP / ICMPv6 (echo-request
  // unless a matched rule's --icmp-type says otherwise).
  void Resolve();
};

// Reads a PACKET line.  `family`: the ruleset's family (a line of the other
// family is an error); nullopt: taken from the line.  On error fills
// `error`'s col/len/message/source_line.
bool ParseMonitorPacketLine(std::string_view line, std::optional<Family> family,
                            MonitorPacketLine* out, Diagnostic* error);

// A TRACE line: its trace id, family, where its chain runs, and what its
// rule says about the packet (a rule line means the rule matched).
struct MonitorEvent {
  uint32_t trace_id = 0;
  Family family = Family::kIPv4;
  // The hook and table in the kernel's order (hook first, then the table's
  // priority): a packet's events only go forward; -1 for a user chain.
  int position = -1;
  std::optional<uint8_t> proto;                     // "-p X" of a matched rule
  std::optional<std::pair<uint8_t, uint8_t>> icmp;  // its --icmp-type / --icmpv6-type
};

// False for a line that is not a well-formed TRACE line (it is then ignored:
// xtables-monitor cuts some lines short, see docs/kernel-trace.md §4).
bool ParseMonitorEvent(std::string_view line, MonitorEvent* out);

}  // namespace iptsim
