#include "output/test_runner.h"

#include "output/memory_stream.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>

#include "engine/conntrack.h"
#include "engine/netaddr.h"
#include "engine/simulator.h"
#include "loader/printer.h"
#include "output/answer.h"
#include "output/explain_why.h"
#include "output/formats.h"

namespace iptsim {

std::string_view CaseStatusName(CaseStatus s) {
  switch (s) {
    case CaseStatus::kPass: return "PASS";
    case CaseStatus::kFail: return "FAIL";
    case CaseStatus::kUndecided: return "UNDECIDED";
  }
  return "?";
}

namespace {

// What the expectations look at besides the result: the entries the packet
// matched on its way, its LOG lines, its conntrack state as the first
// lookup left it.  The packets the kernel generates (REJECT's reply) are
// not the packet's path.
class CaseObserver : public TraceObserver {
 public:
  void BeginPacket() {
    path_.clear();
    logs_.clear();
    ctstate_.clear();
  }
  void OnRule(const RuleEvent& e) override {
    if (generated_ == 0 && (e.rule || e.label == TraceLabel::kPolicy))
      path_.push_back({nullptr, e.chain, e.rule});
  }
  void OnLog(int, std::string_view line) override { logs_.emplace_back(line); }
  void OnConntrack(Hook, const CtRef& ct, bool after_nat) override {
    if (generated_ || after_nat || !ctstate_.empty()) return;
    std::string d = DescribeConntrack(ct, false);
    ctstate_ = d.substr(0, d.find(' '));
  }
  void OnGeneratedBegin(GeneratedKind, const Packet&) override { ++generated_; }
  void OnGeneratedEnd(GeneratedKind) override { --generated_; }

  bool OnPath(const BoundSelector& s) const {
    for (const RuleEntry& p : path_)
      for (const RuleEntry& e : s.entries)
        if (p.chain == e.chain && p.rule == e.rule) return true;
    return false;
  }
  const std::vector<std::string>& logs() const { return logs_; }
  const std::string& ctstate() const { return ctstate_; }

 private:
  std::vector<RuleEntry> path_;  // table left unset: chains are unique
  std::vector<std::string> logs_;
  std::string ctstate_;
  int generated_ = 0;
};

bool HasPorts(uint8_t proto) {
  return proto == 6 || proto == 17 || proto == 33 || proto == 132 || proto == 136;
}

// A side of the packet ("10.0.0.1:80", "[2001:db8::1]:80", "10.0.0.1" for a
// protocol without ports).
struct Endpoint {
  std::string addr, with_port;
};
void Endpoints(const Packet& pkt, Endpoint* src, Endpoint* dst) {
  CtTuple t;
  if (!PacketTuple(PacketView::Of(pkt), &t)) return;
  auto side = [&](const IpAddr& a, uint16_t port, Endpoint* out) {
    out->addr = FormatIpAddr(t.family, a);
    out->with_port = out->addr;
    if (HasPorts(t.proto))
      out->with_port = (t.family == Family::kIPv6 ? "[" + out->addr + "]" : out->addr) + ":" +
                       std::to_string(port);
  };
  side(t.src, t.sport, src);
  side(t.dst, t.dport, dst);
}

std::string Hex(uint32_t v) {
  char b[16];
  snprintf(b, sizeof b, "0x%x", v);
  return b;
}

// Checks one packet's expectations; appends each failure to `failures`.
class PacketCheck {
 public:
  PacketCheck(const Ruleset& rs, const RunResult& run, const CaseObserver& seen,
              const Packet& before, const Packet& after, std::vector<std::string>* failures)
      : rs_(rs), run_(run), seen_(seen), before_(before), after_(after), failures_(failures) {}

  void Check(const BoundExpectations& e) {
    const Expectations& spec = *e.spec;
    if (spec.verdict) Verdict(spec.verdict->text);
    if (e.rule) Rule(*e.rule);
    for (const BoundSelector& s : e.path_includes)
      if (!seen_.OnPath(s)) Fail("path_includes: " + s.spelled + " did not match the packet");
    for (const BoundSelector& s : e.path_excludes)
      if (seen_.OnPath(s)) Fail("path_excludes: " + s.spelled + " matched the packet");
    if (e.nat_rewritten || e.nat_src || e.nat_dst) Nat(e);
    if (spec.mark && after_.mark != *spec.mark)
      Fail("mark: expected " + Hex(*spec.mark) + ", got " + Hex(after_.mark));
    if (spec.ctstate && seen_.ctstate() != spec.ctstate->text)
      Fail("ctstate: expected " + spec.ctstate->text + ", got " +
           (seen_.ctstate().empty() ? "none (conntrack is off: no rule of the ruleset uses it)"
                                    : seen_.ctstate()));
    if (spec.has_log) Log(spec.log);
  }

 private:
  void Fail(std::string message) { failures_->push_back(std::move(message)); }

  // "REJECT icmp-port-unreachable" for a REJECT, else the verdict's name.
  std::string ActualVerdict() const {
    std::string name(FinalVerdictName(run_.sim));
    const DecidingEntry& d = run_.sim.decided_by;
    if (name != "REJECT" || !d.rule || !d.chain) return name;
    const Table* table = rs_.FindTable(d.table);
    if (!table) return name;
    std::string saved;
    SaveRule(*table, *d.rule, d.chain->name, rs_.family, saved);
    size_t at = saved.find(" --reject-with ");
    if (at == std::string::npos) return name;
    std::string type = saved.substr(at + 15);
    return name + " " + type.substr(0, type.find(' '));
  }
  void Verdict(const std::string& want) {
    std::string got = ActualVerdict();
    bool ok = want.find(' ') == std::string::npos ? got.substr(0, got.find(' ')) == want
                                                   : got == want;
    if (!ok)
      Fail("verdict: expected " + want + ", got " + got + " (" + DescribeVerdict(rs_, run_) + ")");
  }
  void Rule(const BoundSelector& s) {
    const DecidingEntry& d = run_.sim.decided_by;
    for (const RuleEntry& e : s.entries)
      if (d.chain == e.chain && d.rule == e.rule) return;
    Fail("rule: expected the packet decided by " + s.spelled + ", got " +
         (d.chain ? EntryWhere(d, rs_.family) + " (" + EntryText(rs_, d) + ")"
                  : "no rule (" + DescribeVerdict(rs_, run_) + ")"));
  }
  void Nat(const BoundExpectations& e) {
    Endpoint src0, dst0, src1, dst1;
    Endpoints(before_, &src0, &dst0);
    Endpoints(after_, &src1, &dst1);
    auto same = [](const std::string& want, const Endpoint& got) {
      return want == got.with_port || want == got.addr;
    };
    auto compare = [&](const char* what, const std::string& want, const Endpoint& got) {
      if (!same(want, got))
        Fail(std::string("nat: expected the ") + what + " " + want + ", got " + got.with_port);
    };
    if (e.nat_src) compare("source", *e.nat_src, src1);
    if (e.nat_dst) compare("destination", *e.nat_dst, dst1);
    if (!e.nat_rewritten) return;
    const bool src_changed = src0.with_port != src1.with_port,
               dst_changed = dst0.with_port != dst1.with_port;
    const std::string& want = *e.nat_rewritten;
    if (src_changed && dst_changed)
      Fail("nat: both sides were rewritten (source " + src1.with_port + ", destination " +
           dst1.with_port + "): say which with nat: {src: ..., dst: ...}");
    else if (!src_changed && !dst_changed)
      Fail("nat: expected " + want + ", got no NAT (" + src1.with_port + " -> " +
           dst1.with_port + " unchanged)");
    else
      compare(src_changed ? "source" : "destination", want, src_changed ? src1 : dst1);
  }
  void Log(const std::vector<LogExpectation>& want) {
    const std::vector<std::string>& got = seen_.logs();
    if (want.empty() && !got.empty()) {
      Fail("log: expected no LOG line, got " + std::to_string(got.size()) + ": " + got[0]);
      return;
    }
    size_t next = 0;  // the expected lines come in order
    for (const LogExpectation& w : want) {
      size_t i = next;
      while (i < got.size() &&
             !(w.exact ? got[i] == w.text : got[i].find(w.text) != std::string::npos))
        ++i;
      if (i == got.size()) {
        std::string lines;
        for (const std::string& g : got) lines += "\n      " + g;
        Fail(std::string("log: expected a LOG line ") + (w.exact ? "equal to" : "containing") +
             " '" + w.text + "'" + (next ? " after the one matched before" : "") + ", got " +
             (got.empty() ? "none" : std::to_string(got.size()) + ":" + lines));
        return;
      }
      next = i + 1;
    }
  }

  const Ruleset& rs_;
  const RunResult& run_;
  const CaseObserver& seen_;
  const Packet& before_;
  const Packet& after_;
  std::vector<std::string>* failures_;
};

}  // namespace

CaseOutcome RunTestCase(const Ruleset& rs, const RunSettings& settings, const BoundCase& c,
                        const GoldenText* golden, bool update) {
  CaseOutcome out;
  Simulator sim(rs, settings);
  MemoryStream explain_out, trace_out;
  std::unique_ptr<TraceFormat> explain = FindOutputFormat("explain")->make(rs, explain_out.file());
  std::unique_ptr<TraceFormat> trace =
      golden ? FindOutputFormat("kernel")->make(rs, trace_out.file()) : nullptr;
  JumpTrail trail;
  CaseObserver seen;
  for (size_t i = 0; i < c.packets.size(); ++i) {
    const BoundPacket& bp = c.packets[i];
    Packet pkt = bp.packet;
    if (golden) pkt.nf_trace = true;  // the golden trace is trace --trace-all's
    // (Both arms as views: a std::string arm would make the view dangle.)
    const PacketInfo info{static_cast<uint32_t>(i + 1),
                          c.spec->flow ? std::string_view(bp.words) : std::string_view("packet 1"),
                          pkt.in.empty() && pkt.out.empty() && !settings.host, &trail};
    std::vector<TraceObserver*> all{explain.get(), &trail, &seen};
    if (trace) all.push_back(trace.get());
    TeeObserver tee(std::move(all));
    if (c.packets.size() > 1)  // as trace --packet-headers heads each packet
      fprintf(explain_out.file(), "== packet %zu: %s\n", i + 1, DescribePacket(pkt).c_str());
    explain->BeginPacket(info);
    if (trace) trace->BeginPacket(info);
    trail.BeginPacket();
    seen.BeginPacket();
    RunResult run = sim.Run(pkt, &tee);
    const std::string which =
        c.packets.size() > 1 ? "packet " + std::to_string(i + 1) + " (" + bp.words + "): " : "";
    if (!run.error.empty()) {
      // Routing the host model cannot decide (or the packet contradicts it).
      out.undecided = which + run.error;
      break;
    }
    explain->AfterRun(run, info);
    if (trace) trace->AfterRun(run, info);
    if (run.sim.verdict == Verdict::kUnknown) {
      out.undecided = which + "the simulation stops in " + std::string(TableName(run.sim.table)) +
                      ":" + std::string(HookChainName(run.sim.hook)) + ": " +
                      run.sim.unknown_reason;
      break;
    }
    if (!run.dropped_before_hooks) {
      explain->EndPacket(run, info);
      if (trace) trace->EndPacket(run, info);
    }
    std::vector<std::string> failures;
    PacketCheck(rs, run, seen, bp.packet, pkt, &failures).Check(bp.expect);
    for (std::string& f : failures) out.failures.push_back(which + f);
  }
  if (trace) out.trace = trace_out.Text();
  if (golden && out.undecided.empty() && !update) {
    if (!golden->present)
      out.failures.push_back("golden: " + c.spec->golden->text +
                             " does not exist (iptsim test --update writes it)");
    else if (golden->text != out.trace)
      out.failures.push_back("golden: the trace differs from " + c.spec->golden->text +
                             " (iptsim test --update rewrites it)");
  }
  out.status = !out.failures.empty()   ? CaseStatus::kFail
               : !out.undecided.empty() ? CaseStatus::kUndecided
                                        : CaseStatus::kPass;
  if (out.status != CaseStatus::kPass) out.explain = explain_out.Text();
  return out;
}

}  // namespace iptsim
