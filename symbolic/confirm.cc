#include "symbolic/confirm.h"

#include <set>

#include "engine/extension.h"
#include "engine/trace.h"
#include "loader/packet_spec.h"
#include "symbolic/diff.h"

namespace iptsim::symbolic {

namespace {

// Collects the NAT rules that bound the packet (a nat-table rule whose
// target is a NAT target, matched and accepted).
class NatRecorder : public TraceObserver {
 public:
  explicit NatRecorder(Family family) : family_(family) {}
  void OnRuleDone(const RuleEvent& e, RuleOutcome outcome, const Chain*) override {
    if (e.table != TableId::kNat || outcome != RuleOutcome::kAccept || !e.rule) return;
    const Rule& r = *e.rule;
    if (r.target_kind == TargetKind::kExtension &&
        r.target->DescribeEffect(family_).kind == TargetEffect::Kind::kNat)
      nat.push_back(&r);
  }
  std::vector<const Rule*> nat;

 private:
  Family family_;
};

// The rules the packet's own walk matched, and its probes' visits without
// those of the packets it makes the kernel send (walked in between).
class RuleWitness : public TraceObserver {
 public:
  explicit RuleWitness(std::vector<RuleProbe>& probes) : probes_(probes) {}
  void OnRule(const RuleEvent& e) override {
    if (depth_ == 0 && e.rule) matched.insert(e.rule);
  }
  void OnGeneratedBegin(GeneratedKind, const Packet&) override {
    if (depth_++ > 0) return;
    saved_.clear();
    for (const RuleProbe& p : probes_) saved_.push_back(p.visits);
  }
  void OnGeneratedEnd(GeneratedKind) override {
    if (--depth_ > 0) return;
    for (size_t i = 0; i < probes_.size(); ++i) probes_[i].visits = saved_[i];
  }
  std::set<const Rule*> matched;

 private:
  std::vector<RuleProbe>& probes_;
  std::vector<uint64_t> saved_;
  int depth_ = 0;
};

IpAddr DocumentationAddress(Family f) {
  IpAddr a;
  const char* text = f == Family::kIPv4 ? "203.0.113.254" : "2001:db8::fe";
  ParseIpAddr(f, text, &a);
  return a;
}

}  // namespace

std::string ExamplePacket(const Example& ex, Family family, Packet* out) {
  PacketSpec spec;
  Diagnostic error;
  if (!ParsePacketLine(ex.options, family, &spec, &error)) return error.message;
  *out = BuildPacket(spec);
  return "";
}

RunSettings ExampleSettings(const Conditions& conds, const Example& ex) {
  RunSettings settings;
  // MASQUERADE and REDIRECT take an address from the host, which the
  // symbolic walk leaves unknown (later tests of it are conditions the
  // example answers): any address does, this one is for documentation.
  settings.ct_host.iface_address = [](const IfaceName&, Family f, const IpAddr&) {
    return std::optional<IpAddr>(DocumentationAddress(f));
  };
  settings.ct_host.primary_address = [](const IfaceName&, Family f) {
    return std::optional<IpAddr>(DocumentationAddress(f));
  };
  for (const auto& [var, holds] : ex.conditions) {
    auto users = conds.users().find(var);
    if (users == conds.users().end()) continue;
    for (const auto& use : users->second) settings.forced_conditions[use] = holds;
  }
  return settings;
}

std::string ConcreteOutcomeKey(const Conditions& conds, const Ruleset& rs, const Example& ex,
                               std::string* error, RunResult* result) {
  Packet pkt;
  if (std::string e = ExamplePacket(ex, rs.family, &pkt); !e.empty()) {
    *error = "the example '" + ex.options + "' is not a packet: " + e;
    return "";
  }
  Simulator sim(rs, ExampleSettings(conds, ex));
  return RunOutcomeKey(sim, pkt, false, result);
}

std::string RunOutcomeKey(Simulator& sim, Packet& pkt, bool verdicts_only, RunResult* result) {
  const Ruleset& rs = sim.ruleset();
  NatRecorder nat(rs.family);
  RunResult r = sim.Run(pkt, &nat);
  if (result) *result = r;
  return OutcomeKey(rs, Outcome{r.sim.verdict, r.sim.decided_by, nat.nat, nullptr}, verdicts_only);
}

std::string ConfirmExample(const Conditions& conds, const Ruleset& rs, const Example& ex,
                           const Outcome& expected, RunResult* result) {
  std::string error;
  const std::string have = ConcreteOutcomeKey(conds, rs, ex, &error, result);
  if (!error.empty()) return error;
  if (expected.unmodelled) return "";  // the symbolic walk stopped there: nothing to compare
  const std::string want = OutcomeKey(rs, expected, false);
  if (want == have) return "";
  return "the engine gives " + have + " where the symbolic walk gives " + want;
}

std::string WatchRules(const Conditions& conds, const Ruleset& rs, const Example& ex,
                       const std::vector<const Rule*>& rules, RuleVisits* out) {
  Packet pkt;
  if (std::string e = ExamplePacket(ex, rs.family, &pkt); !e.empty())
    return "the example '" + ex.options + "' is not a packet: " + e;
  std::vector<RuleProbe> probes(rules.size());
  RunSettings settings = ExampleSettings(conds, ex);
  for (size_t i = 0; i < rules.size(); ++i) {
    probes[i].rule = rules[i];
    settings.probes.push_back(&probes[i]);
  }
  Simulator sim(rs, std::move(settings));
  RuleWitness witness(probes);
  sim.Run(pkt, &witness);
  out->reached.assign(rules.size(), false);
  out->matched.assign(rules.size(), false);
  for (size_t i = 0; i < rules.size(); ++i) {
    out->reached[i] = probes[i].visits > 0;
    out->matched[i] = witness.matched.count(rules[i]) > 0;
  }
  return "";
}

std::string ConfirmReach(const Conditions& conds, const Ruleset& rs, const Example& ex,
                         const Rule& rule, bool want_match) {
  RuleVisits v;
  if (std::string e = WatchRules(conds, rs, ex, {&rule}, &v); !e.empty()) return e;
  if (!v.reached[0]) return "the engine's walk does not reach the rule";
  if (want_match && !v.matched[0]) return "the rule does not match in the engine's walk";
  return "";
}

std::string ConfirmAccepted(const Conditions& conds, const Ruleset& rs, const Example& ex) {
  Packet pkt;
  if (std::string e = ExamplePacket(ex, rs.family, &pkt); !e.empty())
    return "the example '" + ex.options + "' is not a packet: " + e;
  Simulator sim(rs, ExampleSettings(conds, ex));
  const RunResult r = sim.Run(pkt, nullptr);
  if (r.sim.verdict == Verdict::kAccept) return "";
  return "the engine gives " + std::string(VerdictName(r.sim.verdict)) + ", not ACCEPT";
}

}  // namespace iptsim::symbolic
