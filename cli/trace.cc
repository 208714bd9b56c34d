// iptsim trace [OPTIONS] RULES [PACKET OPTIONS] [-- PACKET OPTIONS ...]
// Simulates packets through the ruleset and prints what the kernel prints.
#include "cli/trace.h"

#include <cstdio>
#include <string>
#include <vector>

#include "cli/explore.h"
#include "loader/host_file.h"
#include "output/explain_why.h"

namespace iptsim::cli {

bool PrepareTrace(const CommandLine& cl, TraceSetup* s) {
  s->format = FindOutputFormat(cl.format);
  if (cl.packet_headers && s->format->json) {
    UsageError("trace", "--packet-headers is for the text formats (json numbers its packets)");
    return false;
  }
  s->settings.seed = cl.seed;
  s->settings.assumptions = cl.assumptions;
  if (!cl.host_file.empty()) {
    DiagnosticSink diags;
    if (!LoadHostFile(cl.host_file, &s->host, &diags)) {
      fputs(diags.Format().c_str(), stderr);
      return false;
    }
    s->settings.host = &s->host;
  }
  if (!cl.ipset_files.empty()) {
    if (!LoadIpsetFiles(cl.ipset_files, &s->ipsets)) return false;
    s->settings.ipsets = &s->ipsets;
  }
  const LoadResult* r = LoadRulesFile(cl.rules, cl.family);
  if (!r || !r->ok()) return false;
  s->rs = &r->ruleset;
  std::string assume_error;
  if (!ResolveRuleAssumptions(cl.rule_assumptions, *s->rs, &s->settings.rule_assumptions,
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
    s->settings.probes.push_back(ref.probe.get());
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

}  // namespace

int RunTrace(const TraceSetup& s, bool trace_all, bool packet_headers, TraceStreams io,
             ExploreBranch* branch) {
  Simulator sim(*s.rs, s.settings);
  if (branch) sim.run_state().Explore(branch->forced, &branch->choices);
  std::unique_ptr<TraceFormat> format = s.format->make(*s.rs, io.out);
  std::vector<std::unique_ptr<WhyObserver>> whys;
  for (const WhySpec& w : s.why) whys.push_back(std::make_unique<WhyObserver>(*s.rs, w.ref));
  int status = kExitOk;
  for (size_t g = 0; g < s.packets.size(); ++g) {
    Packet pkt = s.packets[g].packet;  // the run rewrites its copy
    const std::string& origin = s.packets[g].origin;
    const uint32_t number = static_cast<uint32_t>(g + 1);
    if (trace_all) pkt.nf_trace = true;
    if (packet_headers) fprintf(io.out, "== packet %zu\n", g + 1);
    format->BeginPacket(number);
    std::vector<TraceObserver*> all{format.get()};
    for (auto& w : whys) {
      w->BeginPacket();
      all.push_back(w.get());
    }
    TeeObserver tee(std::move(all));
    RunResult run = sim.Run(pkt, whys.empty() ? static_cast<TraceObserver*>(format.get()) : &tee);
    if (!run.error.empty()) {
      fprintf(io.err, "iptsim trace: error: %s: %s\n", origin.c_str(), run.error.c_str());
      return kExitError;
    }
    const SimResult& res = run.sim;
    for (const std::string& note : run.notes)
      fprintf(io.err, "iptsim trace: note: %s: %s\n", origin.c_str(), note.c_str());
    format->AfterRun(run);
    if (res.verdict == Verdict::kUnknown) {
      ReportWhy(s, whys, sim, run, origin, io.err, io.err);
      fputs(UndecidedMessage(origin, res).c_str(), io.err);
      return kExitError;
    }
    if (run.dropped_before_hooks)
      fprintf(io.err, "iptsim trace: note: packet %zu: %s\n", g + 1, res.unknown_reason.c_str());
    else
      format->EndPacket(run, number, io.err);
    // The --why / --expect reports: after the verdict where the format has
    // one (none for a packet that never reached a hook), else on err.
    FILE* report_to = !format->reports_inline() ? io.err
                      : run.dropped_before_hooks ? nullptr
                                                 : io.out;
    if (report_to && ReportWhy(s, whys, sim, run, origin, report_to, io.err) != kExitOk)
      status = kExitDifferent;
  }
  return status;
}

int TraceCommand(const CommandLine& cl) {
  TraceSetup setup;
  if (!PrepareTrace(cl, &setup)) return kExitError;
  if (cl.explore) return ExploreTrace(setup, cl.trace_all, cl.packet_headers);
  return RunTrace(setup, cl.trace_all, cl.packet_headers, {stdout, stderr}, nullptr);
}

}  // namespace iptsim::cli
