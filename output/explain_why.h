// `iptsim trace --why TABLE:CHAIN:N` / `--expect TABLE:CHAIN:N`: did the
// packet reach (match) rule N of TABLE:CHAIN, and if not, why not:
//  - the chain was entered and an earlier rule ended the walk there (a
//    verdict, a RETURN or goto of the chain, or a verdict in a chain it
//    jumped to): that rule, its file:line and text;
//  - the walk came past rule N without matching it: each condition of the
//    rule (the -s/-d/-i/-o/-p/-f parts of its base match and every -m match)
//    evaluated on its own against the packet as it was when it came to rule
//    N, with the failing ones named;
//  - the chain was never entered: the path the packet took, the rule that
//    ended it, and (for a user chain) the rules that jump there.
// Matches are evaluated without the run's state (limit, recent, quota...
// start fresh), with the run's --assume settings.
#pragma once

#include <string>
#include <vector>

#include "engine/netfilter.h"
#include "engine/packet.h"
#include "engine/simulator.h"
#include "engine/trace.h"

namespace iptsim {

struct RuleRef {
  const Table* table = nullptr;
  const Chain* chain = nullptr;
  uint32_t number = 0;  // 1-based position in the chain
  std::string spelled;  // as the user wrote it
};

// Parses TABLE:CHAIN:N against the ruleset; false with `error` set.
bool ParseRuleRef(const std::string& text, const Ruleset& rs, RuleRef* out, std::string* error);

// Observes one packet's walk (forwarding nothing: combine with TeeObserver).
class WhyObserver : public TraceObserver {
 public:
  WhyObserver(const Ruleset& rs, RuleRef ref) : rs_(rs), ref_(std::move(ref)) {}
  void BeginPacket();
  void OnRule(const RuleEvent& e) override;
  void OnRuleDone(const RuleEvent& e, RuleOutcome outcome, const Chain* to) override;
  void OnUnknown(const RuleEvent& e, std::string_view reason) override;

  bool reached() const { return state_ == State::kReached; }
  // The explanation, one line per element, for the packet just run.
  std::vector<std::string> Report(const RunSettings& opts, const RunResult& run) const;

 private:
  enum class State : uint8_t { kIdle, kWalking, kReached, kEnded, kPassed, kStopped };
  struct Ender {
    TableId table;
    Hook hook;
    const Chain* chain;
    const Rule* rule;
    uint32_t number;
    RuleOutcome outcome;
  };
  std::string Where(TableId table, const Chain* chain, const Rule* rule, uint32_t number) const;
  std::vector<std::string> Conditions(const RunSettings& opts) const;

  const Ruleset& rs_;
  RuleRef ref_;
  State state_ = State::kIdle;
  Hook hook_ = Hook::kPreRouting;  // where the chain was walked
  Packet snapshot_;                // the packet as it came to rule N
  Ender ender_{};                  // kEnded: who ended the walk
  bool have_last_ = false;
  Ender last_{};                   // the last verdict of the packet anywhere
  std::string stop_reason_;
};

// Forwards every event to several observers (nullptr entries skipped).
class TeeObserver : public TraceObserver {
 public:
  explicit TeeObserver(std::vector<TraceObserver*> to) : to_(std::move(to)) {}
  void OnRule(const RuleEvent& e) override {
    for (TraceObserver* o : to_) if (o) o->OnRule(e);
  }
  void OnRuleDone(const RuleEvent& e, RuleOutcome outcome, const Chain* c) override {
    for (TraceObserver* o : to_) if (o) o->OnRuleDone(e, outcome, c);
  }
  void OnLog(int level, std::string_view line) override {
    for (TraceObserver* o : to_) if (o) o->OnLog(level, line);
  }
  void OnUnknown(const RuleEvent& e, std::string_view reason) override {
    for (TraceObserver* o : to_) if (o) o->OnUnknown(e, reason);
  }
  void OnTableVerdict(TableId t, Hook h, Verdict v) override {
    for (TraceObserver* o : to_) if (o) o->OnTableVerdict(t, h, v);
  }
  void OnConntrack(Hook hook, const CtRef& ct, bool after_nat) override {
    for (TraceObserver* o : to_) if (o) o->OnConntrack(hook, ct, after_nat);
  }
  void OnGeneratedBegin(GeneratedKind kind, const Packet& pkt) override {
    for (TraceObserver* o : to_) if (o) o->OnGeneratedBegin(kind, pkt);
  }
  void OnGeneratedEnd(GeneratedKind kind) override {
    for (TraceObserver* o : to_) if (o) o->OnGeneratedEnd(kind);
  }

 private:
  std::vector<TraceObserver*> to_;
};

}  // namespace iptsim
