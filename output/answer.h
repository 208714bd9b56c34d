// The answer to "what happened to this packet?", in the words every output
// format shares: the verdict (REJECT as REJECT), the entry that decided it
// (table:chain:label:N, file:line, the rule as written) and the path the
// packet took.  The kernel's TRACE lines say none of this directly: a
// packet that meets no TRACE rule is not logged at all, and the last line
// of a traced one names an entry, not the verdict.
#pragma once

#include <string>
#include <vector>

#include "engine/model.h"
#include "engine/packet.h"
#include "engine/simulator.h"

namespace iptsim {

// ACCEPT, DROP, REJECT (a DROP by a REJECT rule), QUEUE, STOLEN or
// UNDECIDED.
std::string_view FinalVerdictName(const SimResult& res);

// "filter:INPUT:rule:3", labelled as the kernel labels the entry.
std::string EntryWhere(const DecidingEntry& d, Family family);
// "FILE:LINE: -A INPUT ... -j ACCEPT" for a rule, "policy DROP" for a
// builtin chain's policy.
std::string EntryText(const Ruleset& rs, const DecidingEntry& d);
// For a rule the kernel labels "policy" or "return" (an unconditional
// -j ACCEPT/DROP/QUEUE/RETURN), why the label is not "rule"; "" otherwise.
std::string LabelQuirk(const Chain& chain, const Rule& rule, Family family);

// "ACCEPT by filter:INPUT:rule:3 (FILE:LINE: -A INPUT ...)"; for a packet
// no table decided, "DROP in nat:POSTROUTING: REASON".
std::string DescribeVerdict(const Ruleset& rs, const RunResult& run);

// The jumps that led to the entry deciding a packet: for each table a
// packet crossed, the -j/-g rules on the way to the entry that ended the
// table's walk (empty when it ended in the builtin chain).  "DROP by
// filter:LOGDROP:rule:2" answers little without "via filter:INPUT:rule:7
// (-A INPUT -s 198.51.100.0/24 -j LOGDROP)".  Packets the kernel sends
// from inside a target are left out.
class JumpTrail : public TraceObserver {
 public:
  void BeginPacket();
  void OnRuleDone(const RuleEvent& e, RuleOutcome outcome, const Chain* to) override;
  void OnRule(const RuleEvent& e) override;
  void OnTableVerdict(TableId table, Hook hook, Verdict v) override;
  void OnGeneratedBegin(GeneratedKind, const Packet&) override { ++generated_; }
  void OnGeneratedEnd(GeneratedKind) override { --generated_; }
  // The jumps to `d` (in the order they were taken).
  std::vector<DecidingEntry> To(const DecidingEntry& d) const;

 private:
  struct Frame {
    DecidingEntry jump;  // the -j/-g rule
    bool is_goto;
  };
  struct Ended {
    TableId table;
    Hook hook;
    std::vector<Frame> frames;
  };
  std::vector<Frame> frames_;  // the walk of the current table
  std::vector<Ended> ended_;   // each table's frames when its walk ended
  int generated_ = 0;
};

// "  via: filter:INPUT:rule:7 (FILE:LINE: -A INPUT ... -j LOGDROP)", one
// line per jump, each ending in a newline; "" for none.
std::string DescribeTrail(const Ruleset& rs, const std::vector<DecidingEntry>& trail);

// "local-in (PREROUTING, INPUT)"; `no_devices`: the user gave neither -i
// nor -o nor a host model, so the path is the default one, and says so.
std::string DescribePath(const RunResult& run, bool no_devices);

// "tcp 10.0.0.1:40000 -> 10.0.0.2:22 SYN, in eth0": what the packet is.
std::string DescribePacket(const Packet& pkt);

}  // namespace iptsim
