// Where `iptsim trace` gets its packets:
//   PACKET words after RULES     one packet; groups separated by "--"
//   --packets FILE               one packet spec per line ('#' comments, blank
//                                lines, words split as a shell splits them);
//                                FILE "-" is stdin
//   --from-log LINE|FILE|-       kernel TRACE/LOG lines or xtables-monitor
//                                --trace output turned back into packets
//                                (loader/log_text.h); a word without a blank
//                                or '=' is a file, "-" stdin; repeatable
//   --pcap FILE                  the IP packets of a pcap or pcapng capture
//                                (loader/pcap.h); the words after RULES then
//                                are metadata for every captured packet
//                                (-i -o --physdev-in --physdev-out --mark
//                                --uid --gid --time), not a packet
// Sources are read in command-line order, then the packet groups after RULES.
// Without any source option and without words, one default packet is sent.
// All packets go through ONE Simulator run, in that order (shared state).
// Plain stdin is never read implicitly: `iptsim trace RULES` sends the
// default packet as it always did (reading stdin would block at a terminal);
// use `--packets -`.
//
// Every packet is read and checked before any is simulated: a bad line
// stops the command with exit status 2 before any output.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "engine/packet.h"

namespace iptsim::cli {

struct PacketSource {
  enum class Kind : uint8_t { kFile, kLog, kPcap };
  Kind kind;
  std::string arg;   // the file name or the log line
  int occurrence;    // 1-based count of this option among its kind
};

struct PacketInputOptions {
  std::vector<PacketSource> sources;
  std::string command = "trace";  // the subcommand messages name ("iptsim verify: ...")
  bool has(PacketSource::Kind k) const {
    for (const PacketSource& s : sources)
      if (s.kind == k) return true;
    return false;
  }
};

struct InputPacket {
  Packet packet;
  std::string origin;  // "packets.txt:3", "--from-log 2", "cap.pcap frame 7", "packet 1"
};

// Reads every source and the command-line groups (`groups`: the words after
// RULES split at "--"; an empty list or one empty group means no words) into
// packets for a ruleset of `family`.  False after printing the errors to
// stderr (file:line:col diagnostics where there is a file).
// `rules_from_stdin`: RULES was "-" (then "--packets -" is refused).
bool CollectPackets(const PacketInputOptions& opts,
                    const std::vector<std::vector<std::string>>& groups, Family family,
                    bool rules_from_stdin, std::vector<InputPacket>* out);

}  // namespace iptsim::cli
