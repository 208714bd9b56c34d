// The engine reports what happens to a packet as typed events to an
// observer; formatters are observers.  No observer,
// no cost.
#pragma once

#include <string>
#include <string_view>

#include "engine/eval.h"
#include "engine/model.h"
#include "engine/packet.h"

namespace iptsim {

// How the kernel labels a traced entry (get_chainname_rulenum).
enum class TraceLabel : uint8_t { kRule, kReturn, kPolicy };
std::string_view TraceLabelName(TraceLabel l);

// A rule (or a chain's policy / implicit return) matched in a table.
struct RuleEvent {
  TableId table;
  Hook hook;
  const Chain* chain;   // the chain the entry belongs to
  const Rule* rule;     // nullptr for a builtin policy or a user chain's implicit return
  TraceLabel label;
  uint32_t number;      // the kernel's rule number (1-based; N+1 for policy/return)
  bool traced;          // skb->nf_trace was set: the kernel prints a TRACE line
  const Packet* packet; // as it is before the entry's target runs
};

enum class Verdict : uint8_t { kAccept, kDrop, kQueue, kStolen, kUnknown };
std::string_view VerdictName(Verdict v);

// What a matched rule did once its target ran: the verdict nf_tables reports
// for the rule (xtables-monitor --trace).
enum class RuleOutcome : uint8_t {
  kContinue,  // no target, or a target that continues (LOG, MARK, TRACE, ...)
  kAccept,
  kDrop,
  kQueue,
  kStolen,
  kReturn,    // -j RETURN (or a target returning XT_RETURN)
  kJump,      // -j CHAIN
  kGoto,      // -g CHAIN
  kUnknown,   // the target could not be decided (OnUnknown follows)
};
std::string_view RuleOutcomeName(RuleOutcome o);

struct CtRef;  // engine/conntrack.h

// A packet the kernel makes while it handles the one being run: REJECT's
// ICMP error or TCP reset, TEE's copy.  Its walk is reported between
// OnGeneratedBegin and OnGeneratedEnd, inside the original's events.
enum class GeneratedKind : uint8_t { kRejectReply, kTeeCopy };
std::string_view GeneratedKindName(GeneratedKind k);  // "REJECT's reply", "TEE's copy"

class TraceObserver {
 public:
  virtual ~TraceObserver() = default;
  virtual void OnRule(const RuleEvent& e) {}
  // A matched rule after its target ran (OnRule reported it before):
  // e.packet and e.traced are the packet and skb->nf_trace after the target,
  // `to` is the chain of a kJump / kGoto (else nullptr).
  virtual void OnRuleDone(const RuleEvent& e, RuleOutcome outcome, const Chain* to) {}
  // A LOG target's line (prefix included, as the kernel prints it after the
  // syslog level), between the TRACE line of its rule and the next one.
  virtual void OnLog(int level, std::string_view line) {}
  // The walk could not go on: `reason` says which input is missing.
  virtual void OnUnknown(const RuleEvent& e, std::string_view reason) {}
  // The verdict of a table at a hook.
  virtual void OnTableVerdict(TableId table, Hook hook, Verdict v) {}
  // Connection tracking at `hook`: after the lookup (conntrack in) and after
  // a nat hook (NAT binding, rewrite); DescribeConntrack (engine/conntrack.h)
  // puts it in words.
  virtual void OnConntrack(Hook hook, const CtRef& ct, bool after_nat) {}
  virtual void OnGeneratedBegin(GeneratedKind kind, const Packet& pkt) {}
  virtual void OnGeneratedEnd(GeneratedKind kind) {}
};

}  // namespace iptsim
