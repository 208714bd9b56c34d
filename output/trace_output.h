// Output formats of `iptsim trace` that print rules in iptables-save form
// (they live beside the canonical printer, which they use):
//  - XtablesMonitorFormat: `--format nft`, what `xtables-monitor --trace`
//    (iptables 1.8.9) prints for the nf_tables flavour;
//  - JsonTraceFormat: `--format json`, one JSON object per line per event.
// Both are TraceObservers (engine/trace.h).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/model.h"
#include "engine/simulator.h"
#include "engine/trace.h"

namespace iptsim {

// `s` as a JSON string literal, quotes included: ", \ and control
// characters escaped (\n \t \r \b \f, else \u00XX); valid UTF-8 is copied,
// a byte that is not part of valid UTF-8 is escaped as \u00XX (its Latin-1
// reading), so the output is always valid UTF-8 JSON.
std::string JsonString(std::string_view s);

// The nf_tables rule handles iptables-nft-restore would give the ruleset's
// rules when the file is loaded in one restore: the kernel numbers chains and
// rules of a table from one counter (table->hgenerator, starting at 1), in
// the order the restore creates them, i.e. the order of the file's lines:
// each `:CHAIN` line and each `-A` line takes the next handle; a builtin
// chain without a `:CHAIN` line is created just before its first rule.
// (rs-F.nft.v4: raw chains 1-2, rules 3-4; filter chains 1-5, rules 6-13.)
std::unordered_map<const Rule*, uint64_t> NftRuleHandles(const Ruleset& rs);

// Whether iptables-nft would have created the builtin chain: declared by a
// `:CHAIN` line or given a rule (it creates builtin chains lazily).  A chain
// that does not exist produces no trace events.
bool NftChainExists(const Chain& chain);

// The trace id iptsim gives packet number n (1-based) of a trace run: the
// kernel's id is a hash of the skb's address, i.e. random; iptsim's is the
// murmur3 32-bit finalizer of n, so that runs are reproducible.
uint32_t NftTraceId(uint32_t n);

// --format nft: `xtables-monitor --trace` lines.  A PACKET line before the
// first event of each base-chain invocation (the packet as it is after that
// event's rule ran), a " TRACE: " line for each rule that matched while
// skb->nf_trace was set after its statements ran (so the TRACE rule itself
// is reported, CONTINUE), with its handle, verdict (ACCEPT, DROP, CONTINUE,
// JUMP:<chain>, GOTO:<chain>, -j RETURN as 0xfffffffb) and the rule in
// iptables -S form; the policy line of a base chain.  No event for falling
// off the end of a user chain, none for builtin chains that do not exist.
// LOG lines go to the kernel log, not to the monitor: they are not printed.
class XtablesMonitorFormat : public TraceObserver {
 public:
  XtablesMonitorFormat(const Ruleset& rs, FILE* out);
  // Starts a new packet (a new trace id).
  void BeginPacket(uint32_t trace_id);
  size_t lines() const { return lines_; }

  void OnRule(const RuleEvent& e) override;
  void OnRuleDone(const RuleEvent& e, RuleOutcome outcome, const Chain* to) override;
  void OnTableVerdict(TableId table, Hook hook, Verdict v) override;

 private:
  void DumpPacket(const RuleEvent& e);
  void Emit(const std::string& line);

  const Ruleset& rs_;
  FILE* out_;
  std::unordered_map<const Rule*, uint64_t> handles_;
  uint32_t id_ = 0;
  bool dumped_ = false;  // the PACKET line of this base-chain invocation was printed
  size_t lines_ = 0;
};

// --format json: one object per line.  For every entry the packet matched
// (whether or not the kernel traces it):
//   {"event":"rule","table":"filter","chain":"INPUT","label":"rule","number":2,
//    "traced":true,"rule":"-A INPUT ... as written","source":"FILE:LINE",
//    "verdict":"JUMP","to":"U1","packet":1}
// "verdict" is what the rule did (CONTINUE, ACCEPT, DROP, QUEUE, STOLEN,
// RETURN, JUMP or GOTO with "to"); a builtin chain's policy has
// "rule":null,"source":null and the policy as verdict, a user chain's
// implicit return "verdict":"RETURN".  LOG lines are
// {"event":"log","level":N,"line":"..."}, an undecidable match
// {"event":"unknown",...,"reason":"..."}.  The entries of a packet the
// kernel sends from inside a target carry "generated":"reject-reply" (or
// "tee-copy").  The caller ends each packet with EndPacket():
//   {"event":"verdict","verdict":"REJECT","table":..,"chain":..,"path":..,
//    "default_path":false,"decided_by":{"table":..,"chain":..,"label":..,
//    "number":N,"rule":..,"source":..},"via":[{..as decided_by..},..],"packet":N}
// "verdict" is ACCEPT, DROP, REJECT, QUEUE, STOLEN or UNDECIDED; "table" and
// "chain" say where it fell; "decided_by" is null when no table decided
// (then "reason" says what did), and "reason" says what is missing for an
// UNDECIDED packet.
class JsonTraceFormat : public TraceObserver {
 public:
  JsonTraceFormat(const Ruleset& rs, std::string* out);
  void BeginPacket(uint32_t packet) { packet_ = packet; }
  // `default_path`: neither -i, -o nor a host model chose the path.
  // `via`: the jumps that led to the deciding rule (output/answer.h JumpTrail).
  void EndPacket(const RunResult& run, bool default_path, const std::vector<DecidingEntry>& via);

  void OnRule(const RuleEvent& e) override;
  void OnRuleDone(const RuleEvent& e, RuleOutcome outcome, const Chain* to) override;
  void OnLog(int level, std::string_view line) override;
  void OnUnknown(const RuleEvent& e, std::string_view reason) override;
  void OnGeneratedBegin(GeneratedKind kind, const Packet& pkt) override;
  void OnGeneratedEnd(GeneratedKind kind) override;

 private:
  std::string Entry(const RuleEvent& e, std::string_view event) const;
  // {"table":..,"chain":..,"label":..,"number":N,"rule":..,"source":..}
  std::string EntryObject(const DecidingEntry& d) const;

  const Ruleset& rs_;
  std::string* out_;
  uint32_t packet_ = 1;
  bool in_rule_ = false;  // between a rule's OnRule and OnRuleDone
  std::string held_;      // LOG lines of that rule, printed after it
  const char* generated_ = nullptr;  // "reject-reply" / "tee-copy" while one runs
};

}  // namespace iptsim
