// iptsim diff [OPTIONS] OLD NEW
// Compares two rulesets symbolically (symbolic/diff.h): every set of
// packets whose fate changes, each confirmed by running its example packet
// through both rulesets with the concrete engine.
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/packet_input.h"
#include "output/diff_report.h"
#include "output/packet_diff.h"
#include "output/formats.h"
#include "output/memory_stream.h"
#include "symbolic/confirm.h"

namespace iptsim::cli {

namespace {

// The example's walk through `rs` in the explain format, indented.
std::string ExplainTrace(const symbolic::Conditions& conds, const Ruleset& rs,
                         const symbolic::Example& ex) {
  Packet pkt;
  if (!symbolic::ExamplePacket(ex, rs.family, &pkt).empty()) return "";
  Simulator sim(rs, symbolic::ExampleSettings(conds, ex));
  MemoryStream text;
  std::unique_ptr<TraceFormat> explain = FindOutputFormat("explain")->make(rs, text.file());
  const PacketInfo info{1, ex.options, false, nullptr};
  explain->BeginPacket(info);
  const RunResult run = sim.Run(pkt, explain.get());
  explain->AfterRun(run, info);
  explain->EndPacket(run, info);
  std::string out;
  const std::string all = text.Text();
  for (size_t at = 0; at < all.size();) {
    const size_t nl = all.find('\n', at);
    const size_t end = nl == std::string::npos ? all.size() : nl;
    out += "      " + all.substr(at, end - at) + "\n";
    at = end + 1;
  }
  return out;
}

// Runs each change's example through both rulesets; false when the engine
// disagrees with the symbolic answer anywhere (each disagreement on stderr).
bool ConfirmChanges(symbolic::Conditions& conds, const Ruleset& before, const Ruleset& after,
                    const std::vector<symbolic::Difference>& diffs, bool traces,
                    std::vector<ExampleRuns>* runs) {
  bool ok = true;
  for (size_t i = 0; i < diffs.size(); ++i) {
    const symbolic::Difference& d = diffs[i];
    ExampleRuns er;
    const std::string a = symbolic::ConfirmExample(conds, before, d.example, d.before, &er.before);
    const std::string b = symbolic::ConfirmExample(conds, after, d.example, d.after, &er.after);
    for (const auto& [side, msg] : {std::pair{"OLD", a}, std::pair{"NEW", b}}) {
      if (msg.empty()) continue;
      fprintf(stderr, "iptsim diff: internal error: change %zu, example '%s' on %s: %s\n", i + 1,
              d.example.options.c_str(), side, msg.c_str());
      ok = false;
    }
    if (traces) {
      er.before_trace = ExplainTrace(conds, before, d.example);
      er.after_trace = ExplainTrace(conds, after, d.example);
    }
    runs->push_back(std::move(er));
  }
  return ok;
}

// --packets, --pcap, --from-log: those packets, each connection with fresh
// state, through both rulesets with the engine, instead of every packet.
int DiffGivenPackets(const CommandLine& cl, const Ruleset& before, const Ruleset& after) {
  if (cl.diff_traces) {
    UsageError("diff", "--traces shows symbolic examples; with given packets use iptsim trace");
    return kExitError;
  }
  RunEnvironment env;
  if (!LoadRunEnvironment(cl, &env)) return kExitError;
  std::vector<InputPacket> input;
  if (!CollectPackets(cl.input, {}, before.family, cl.rules == "-" || cl.packet_groups[0][0] == "-",
                      &input))
    return kExitError;
  std::vector<std::pair<std::string, Packet>> packets;
  for (InputPacket& p : input) packets.emplace_back(std::move(p.origin), std::move(p.packet));
  const std::vector<PacketFate> fates =
      RunThroughBoth(before, after, env.settings, packets, cl.diff_verdicts_only);
  PrintPacketDiffReport(stdout, before, after, fates, cl.diff_json);
  for (const PacketFate& f : fates)
    if (f.changed || f.undecided) return 1;
  return 0;
}

}  // namespace

int DiffCommand(const CommandLine& cl) {
  const std::vector<std::string>& words = cl.packet_groups.front();
  if (cl.packet_groups.size() != 1 || words.size() != 1) {
    UsageError("diff", words.empty() && cl.packet_groups.size() == 1
                           ? "NEW is missing (iptsim diff OLD NEW)"
                           : "takes two rulesets, OLD and NEW, then nothing else");
    return kExitError;
  }
  if (cl.rules == "-" && words[0] == "-") {
    UsageError("diff", "OLD and NEW cannot both be stdin");
    return kExitError;
  }
  const LoadResult* a = LoadRulesFile(cl.rules, cl.family, cl.load);
  if (!a || !a->ok()) return kExitError;
  const LoadResult* b = LoadRulesFile(words[0], cl.family ? cl.family : a->ruleset.family, cl.load);
  if (!b || !b->ok()) return kExitError;
  const Ruleset& before = a->ruleset;
  const Ruleset& after = b->ruleset;
  if (before.family != after.family) {
    UsageError("diff", "OLD and NEW are of different families (IPv4 and IPv6)");
    return kExitError;
  }
  if (!cl.input.sources.empty()) return DiffGivenPackets(cl, before, after);
  if (!cl.host_file.empty() || !cl.ipset_files.empty() || !cl.assumptions.empty() || cl.seed) {
    UsageError("diff", "--host, --ipset, --assume and --seed apply to given packets (--packets, "
                       "--pcap, --from-log): the comparison of every packet does not model "
                       "them yet (docs/diff.md)");
    return kExitError;
  }
  std::vector<IfaceName> patterns;
  symbolic::AddInterfacePatterns(before, &patterns);
  symbolic::AddInterfacePatterns(after, &patterns);
  symbolic::Space space(before.family, patterns);
  symbolic::Conditions conds(space);
  symbolic::CompareOptions options;
  options.verdicts_only = cl.diff_verdicts_only;
  const std::vector<symbolic::Difference> diffs =
      symbolic::CompareRulesets(conds, before, after, options);
  std::vector<ExampleRuns> runs;
  const bool confirmed = ConfirmChanges(conds, before, after, diffs, cl.diff_traces, &runs);
  DiffReportOptions report;
  report.json = cl.diff_json;
  PrintDiffReport(stdout, conds, before, after, diffs, runs, report);
  if (!confirmed) return kExitError;
  return diffs.empty() ? 0 : 1;
}

}  // namespace iptsim::cli
