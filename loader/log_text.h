// Packets from a text of log lines (`iptsim trace --from-log FILE|-|TEXT`):
// kernel TRACE/LOG lines (loader/log_packet.h) and `xtables-monitor --trace`
// output (loader/monitor_trace.h), in any mix, in the order they appear.
//
//   - A kernel line (one with an "IN=... OUT=" packet part) is one packet.
//   - xtables-monitor lines: one packet per trace id.  The first PACKET line
//     of the id gives the headers (as the packet entered its first traced
//     chain, before NAT); a later one gives OUT= when the first had none (a
//     forwarded packet's PREROUTING lines show only IN=); the rules its TRACE
//     lines show matched give the protocol and ICMP type the PACKET line does
//     not show (MonitorPacketLine::Resolve).  The kernel reuses trace ids
//     (a hash of the skb's address): an id whose events start again at an
//     earlier hook or table is a new packet.
//   - Every other line (xtables-monitor's own messages, blank lines, TRACE
//     lines cut short) is ignored.
//
// `single_line`: the text is one line given on the command line; a packet
// of the other family than `family` is then an error, while in a longer
// text it is skipped and counted (xtables-monitor prints both families).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "base/diagnostics.h"
#include "engine/packet_builder.h"

namespace iptsim {

struct LogTextPacket {
  PacketSpec spec;
  uint32_t line = 0;  // 1-based: the packet's (first) line in the text
};

struct LogText {
  std::vector<LogTextPacket> packets;
  size_t other_family = 0;  // packets skipped (not `family`)
  size_t lines_read = 0;    // lines that were kernel or xtables-monitor lines
};

// False on the first malformed line: `error` then has its line (1-based),
// col, message and the source line (the caller fills the file name).
bool ReadLogText(std::string_view text, Family family, bool single_line, LogText* out,
                 Diagnostic* error);

}  // namespace iptsim
