// iptsim trace [OPTIONS] RULES [PACKET OPTIONS] [-- PACKET OPTIONS ...]
// Simulates packets through the ruleset and prints what the kernel prints.
#include "cli/trace.h"

#include <cstdio>
#include <string>
#include <vector>

#include "cli/explore.h"
#include "output/answer.h"
#include "output/explain_why.h"

namespace iptsim::cli {

bool PrepareTrace(const CommandLine& cl, TraceSetup* s) {
  s->format = FindOutputFormat(cl.format);
  if (cl.packet_headers && s->format->json) {
    UsageError("trace", "--packet-headers is for the text formats (json numbers its packets)");
    return false;
  }
  if (!LoadRunEnvironment(cl, &s->env)) return false;
  const LoadResult* r = LoadRulesFile(cl.rules, cl.family, cl.load);
  if (!r || !r->ok()) return false;
  s->rs = &r->ruleset;
  std::string assume_error;
  if (!ResolveRuleAssumptions(cl.rule_assumptions, *s->rs, &s->env.settings.rule_assumptions,
                              &assume_error)) {
    UsageError("trace", "--assume: " + assume_error);
    return false;
  }
  for (const auto& [text, is_expect] : cl.why) {
    RuleRef ref;
    std::string error;
    if (!ParseRuleRef(text, *s->rs, &ref, &error)) {
      UsageError("trace", std::string(is_expect ? "--expect" : "--why") + ": " + error);
      return false;
    }
    s->env.settings.probes.push_back(ref.probe.get());
    s->why.push_back({std::move(ref), text, is_expect});
  }
  return CollectPackets(cl.input, cl.packet_groups, s->rs->family, cl.rules == "-", &s->packets);
}

namespace {

// The --why / --expect reports of one packet on `to`; kExitDifferent when
// an expected rule was not reached.
int ReportWhy(const TraceSetup& s, const std::vector<std::unique_ptr<WhyObserver>>& whys,
              const Simulator& sim, const RunResult& run, const std::string& origin, FILE* to,
              FILE* err) {
  int status = kExitOk;
  for (size_t w = 0; w < whys.size(); ++w) {
    for (const std::string& line : whys[w]->Report(sim.settings(), run))
      fprintf(to, "%s\n", line.c_str());
    if (s.why[w].expect && !whys[w]->reached()) {
      fprintf(err, "iptsim trace: %s: expected rule %s not reached\n", origin.c_str(),
              s.why[w].text.c_str());
      status = kExitDifferent;
    }
  }
  return status;
}

// "packet 3", or "packet 3 (packets.txt:5)" when it came from somewhere the
// number does not say.
std::string PacketName(uint32_t number, const std::string& origin) {
  std::string name = "packet " + std::to_string(number);
  return origin == name ? name : name + " (" + origin + ")";
}

// The notes of a run on stderr: a text is printed the first time it comes
// (with the packet it came with); repeats are counted, and the count is
// given once the run ends, so a note that holds for every packet of a long
// run is read once.
class RunNotes {
 public:
  RunNotes(FILE* err, bool quiet) : err_(err), quiet_(quiet) {}
  void Add(const std::string& packet, const std::string& text) {
    if (quiet_) return;
    for (Seen& s : seen_) {
      if (s.text != text) continue;
      ++s.repeats;
      return;
    }
    seen_.push_back({text, 0});
    fprintf(err_, "iptsim trace: note: %s: %s\n", packet.c_str(), text.c_str());
  }
  void Finish() {
    for (const Seen& s : seen_)
      if (s.repeats)
        fprintf(err_, "iptsim trace: note: ... and the same for %zu more packet%s: %s\n",
                s.repeats, s.repeats == 1 ? "" : "s", s.text.c_str());
  }

 private:
  struct Seen {
    std::string text;
    size_t repeats;
  };
  FILE* err_;
  bool quiet_;
  std::vector<Seen> seen_;  // few distinct texts: a list is enough
};

// How many packets ended which way, for the closing line of a run.
class VerdictTally {
 public:
  void Add(std::string_view verdict) {
    for (auto& [name, n] : counts_)
      if (name == verdict) {
        ++n;
        return;
      }
    counts_.emplace_back(std::string(verdict), 1);
  }
  // "12 packets: 8 ACCEPT, 3 DROP, 1 REJECT" (`not_run` packets after an
  // undecided one are counted as such).
  std::string Summary(size_t total, size_t not_run) const {
    std::string s = std::to_string(total) + " packets:";
    const char* sep = " ";
    for (const auto& [name, n] : counts_) {
      s += sep + std::to_string(n) + " " + name;
      sep = ", ";
    }
    if (not_run) s += sep + std::to_string(not_run) + " not run";
    return s;
  }

 private:
  std::vector<std::pair<std::string, size_t>> counts_;  // in order of first appearance
};

// The answer for a format that prints only what the kernel logs: the
// verdict, the rule that decided it and the path, on stderr.
void PrintAnswer(const Ruleset& rs, const RunResult& run, const std::string& packet,
                 const PacketInfo& info, FILE* err) {
  fprintf(err, "iptsim trace: %s: %s\n", packet.c_str(), DescribeVerdict(rs, run).c_str());
  if (run.sim.decided_by.chain)
    fputs(DescribeTrail(rs, info.trail->To(run.sim.decided_by)).c_str(), err);
  fprintf(err, "  path: %s\n", DescribePath(run, info.default_path).c_str());
}

}  // namespace

int RunTrace(const TraceSetup& s, const TraceDisplay& display, TraceStreams io,
             ExploreBranch* branch) {
  Simulator sim(*s.rs, s.env.settings);
  if (branch) sim.run_state().Explore(branch->forced, &branch->choices);
  std::unique_ptr<TraceFormat> format = s.format->make(*s.rs, io.out);
  std::vector<std::unique_ptr<WhyObserver>> whys;
  for (const WhySpec& w : s.why) whys.push_back(std::make_unique<WhyObserver>(*s.rs, w.ref));
  JumpTrail trail;
  RunNotes notes(io.err, display.quiet);
  VerdictTally tally;
  // The closing line of a run of several packets (--explore prints its own).
  auto summarize = [&](size_t not_run) {
    notes.Finish();
    if (!display.quiet && !branch && s.packets.size() > 1)
      fprintf(io.err, "iptsim trace: %s\n", tally.Summary(s.packets.size(), not_run).c_str());
  };
  int status = kExitOk;
  for (size_t g = 0; g < s.packets.size(); ++g) {
    // A failed write (a full disk) ends the run: main reports it.
    if (ferror(io.out)) return kExitError;
    Packet pkt = s.packets[g].packet;  // the run rewrites its copy
    const std::string& origin = s.packets[g].origin;
    const PacketInfo info{static_cast<uint32_t>(g + 1), origin,
                          pkt.in.empty() && pkt.out.empty() && !s.env.settings.host, &trail};
    const std::string name = PacketName(info.number, origin);
    if (display.trace_all) pkt.nf_trace = true;
    if (display.packet_headers)
      fprintf(io.out, "== %s: %s\n", name.c_str(), DescribePacket(pkt).c_str());
    format->BeginPacket(info);
    trail.BeginPacket();
    std::vector<TraceObserver*> all{format.get(), &trail};
    for (auto& w : whys) {
      w->BeginPacket();
      all.push_back(w.get());
    }
    TeeObserver tee(std::move(all));
    RunResult run = sim.Run(pkt, &tee);
    if (!run.error.empty()) {
      fprintf(io.err, "iptsim trace: error: %s: %s\n", origin.c_str(), run.error.c_str());
      return kExitError;
    }
    const SimResult& res = run.sim;
    for (const std::string& note : run.notes) notes.Add(name, note);
    format->AfterRun(run, info);
    tally.Add(FinalVerdictName(res));
    if (res.verdict == Verdict::kUnknown) {
      ReportWhy(s, whys, sim, run, origin, io.err, io.err);
      fputs(UndecidedMessage(origin, res).c_str(), io.err);
      summarize(s.packets.size() - g - 1);
      return kExitError;
    }
    if (run.dropped_before_hooks) {
      notes.Add(name, res.unknown_reason);
    } else {
      format->EndPacket(run, info);
      if (!format->answers_inline() && !display.quiet) {
        if (!format->logged())
          notes.Add(name, std::string("no TRACE rule matched, so ") + s.format->when_untraced +
                              " (add a raw-table TRACE rule, or use --trace-all; --format "
                              "explain lists every rule the packet matched)");
        PrintAnswer(*s.rs, run, name, info, io.err);
        const DecidingEntry& d = res.decided_by;
        const std::string quirk = d.rule ? LabelQuirk(*d.chain, *d.rule, s.rs->family) : "";
        if (!quirk.empty()) notes.Add(name, EntryWhere(d, s.rs->family) + " is " + quirk);
      }
    }
    // The --why / --expect reports: after the verdict where the format has
    // one (none for a packet that never reached a hook), else on err.
    FILE* report_to = !format->answers_inline() ? io.err
                      : run.dropped_before_hooks ? nullptr
                                                 : io.out;
    if (report_to && ReportWhy(s, whys, sim, run, origin, report_to, io.err) != kExitOk)
      status = kExitDifferent;
  }
  summarize(0);
  return status;
}

int TraceCommand(const CommandLine& cl) {
  TraceSetup setup;
  if (!PrepareTrace(cl, &setup)) return kExitError;
  const TraceDisplay display{cl.trace_all, cl.packet_headers, cl.quiet};
  if (cl.explore) return ExploreTrace(setup, display);
  return RunTrace(setup, display, {stdout, stderr}, nullptr);
}

}  // namespace iptsim::cli
