// iptsim trace [OPTIONS] RULES [PACKET OPTIONS] [-- PACKET OPTIONS ...]
// Simulates packets through the ruleset and prints what the kernel prints.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/explain_why.h"
#include "cli/kernel_format.h"
#include "cli/packet_input.h"
#include "loader/host_file.h"
#include "cli/explore.h"
#include "engine/log_format.h"
#include "engine/netfilter.h"
#include "engine/simulator.h"
#include "engine/packet_builder.h"
#include "loader/packet_spec.h"
#include "loader/trace_output.h"

namespace iptsim::cli {
namespace {

// --format explain: every entry the packet matched, with the rule as written
// and where it is, whether or not the kernel would trace it.
class ExplainFormat : public TraceObserver {
 public:
  explicit ExplainFormat(const Ruleset& rs) : rs_(rs) {}
  void OnRule(const RuleEvent& e) override {
    std::string where = std::string(TableName(e.table)) + ":" + e.chain->name + ":" +
                        std::string(TraceLabelName(e.label)) + ":" + std::to_string(e.number);
    if (e.rule) {
      printf("%-32s %s:%u: %.*s\n", where.c_str(), rs_.file.c_str(), e.rule->line,
             static_cast<int>(e.rule->text.size()), e.rule->text.data());
    } else if (e.chain->builtin) {
      printf("%-32s policy %s\n", where.c_str(),
             e.chain->policy == Policy::kAccept ? "ACCEPT" : "DROP");
    } else {
      printf("%-32s end of chain %s (implicit RETURN)\n", where.c_str(), e.chain->name.c_str());
    }
  }
  void OnLog(int, std::string_view line) override {
    printf("%-32s %.*s\n", "  (LOG)", static_cast<int>(line.size()), line.data());
  }
  void OnConntrack(Hook, const CtRef& ct, bool after_nat) override {
    std::string s = DescribeConntrack(ct, after_nat);
    if (after_nat) {
      if (s.empty() || s == last_nat_) return;  // no binding, or shown already
      last_nat_ = s;
    }
    printf("%-32s %s\n", after_nat ? "  (nat)" : "  (conntrack)", s.c_str());
  }

 private:
  const Ruleset& rs_;
  std::string last_nat_;
};

}  // namespace

int TraceRun(const Args& args, ExploreBranch* branch) {
  std::optional<Family> family;
  std::string format = "kernel";
  bool trace_all = false;
  SimulatorOptions sim_options;
  PacketInputOptions input;
  bool packet_headers = false;
  std::vector<std::pair<std::string, bool>> why_specs;  // --why / --expect (true)
  HostModel host;  // --host FILE
  std::vector<std::string> ipset_files;
  IpsetDb ipsets;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (int r = ParsePacketInputOption(args, &i, &input); r != 0) {
      if (r < 0) return kExitError;
      continue;
    }
    if (a == "--packet-headers") packet_headers = true;
    else if ((a == "--why" || a == "--expect") && i + 1 < args.size())
      why_specs.emplace_back(args[++i], a == "--expect");
    else if (a == "-4") family = Family::kIPv4;
    else if (a == "-6") family = Family::kIPv6;
    else if (a == "--trace-all") trace_all = true;
    else if (a == "--explore") return ExploreTrace(args, i);
    else if (a == "--ipset" && i + 1 < args.size()) ipset_files.push_back(args[++i]);
    else if (a == "--format" && i + 1 < args.size()) format = args[++i];
    else if (a.rfind("--format=", 0) == 0) format = a.substr(9);
    else if ((a == "--host" && i + 1 < args.size()) || a.rfind("--host=", 0) == 0) {
      DiagnosticSink diags;
      if (!LoadHostFile(a == "--host" ? args[++i] : a.substr(7), &host, &diags)) {
        fputs(diags.Format().c_str(), stderr);
        return kExitError;
      }
      sim_options.host = &host;
    }
    else if (a == "--seed" && i + 1 < args.size()) {
      const std::string& v = args[++i];
      char* end = nullptr;
      errno = 0;
      unsigned long long n = strtoull(v.c_str(), &end, 10);
      if (v.empty() || v[0] == '-' || *end || errno) {
        UsageError("trace", "--seed takes a non-negative integer, not '" + v + "'");
        return kExitError;
      }
      sim_options.seed = n;
    } else if (a == "--assume" && i + 1 < args.size()) {
      if (!ParseAssumeArg("trace", args[++i], &sim_options.assumptions)) return kExitError;
    } else if (a.size() > 1 && a[0] == '-') {
      UsageError("trace", "unknown option '" + a + "' (trace options come before RULES)");
      return kExitError;
    } else {
      break;
    }
  }
  if (format != "kernel" && format != "explain" && format != "nft" && format != "json") {
    UsageError("trace", "unknown --format '" + format + "' (kernel, nft, explain or json)");
    return kExitError;
  }
  if (packet_headers && format == "json") {
    UsageError("trace", "--packet-headers is for the text formats (json numbers its packets)");
    return kExitError;
  }
  if (i >= args.size()) {
    UsageError("trace", "missing RULES (a file, or - for stdin)");
    return kExitError;
  }
  const bool rules_from_stdin = args[i] == "-";
  if (!ipset_files.empty() && !LoadIpsetFiles(ipset_files, &ipsets)) return kExitError;
  if (!ipset_files.empty()) sim_options.ipsets = &ipsets;
  const LoadResult* r = LoadRulesFile(args[i++], family);
  if (!r || !r->ok()) return kExitError;
  const Ruleset& rs = r->ruleset;

  // The packets: the sources (cli/packet_input.h), then the remaining
  // words, groups separated by "--".
  std::vector<std::vector<std::string>> groups(1);
  for (; i < args.size(); ++i) {
    if (args[i] == "--") groups.emplace_back();
    else groups.back().push_back(args[i]);
  }
  // --why / --expect: one observer each.
  std::vector<std::unique_ptr<WhyObserver>> whys;
  std::vector<bool> expect;
  for (const auto& [text, is_expect] : why_specs) {
    RuleRef ref;
    std::string error;
    if (!ParseRuleRef(text, rs, &ref, &error)) {
      UsageError("trace", std::string(is_expect ? "--expect" : "--why") + ": " + error);
      return kExitError;
    }
    whys.push_back(std::make_unique<WhyObserver>(rs, std::move(ref)));
    expect.push_back(is_expect);
  }
  std::vector<InputPacket> packets;
  if (!CollectPackets(input, groups, rs.family, rules_from_stdin, &packets)) return kExitError;
  int status = kExitOk;
  Simulator sim(rs, std::move(sim_options));
  if (branch) sim.run_state().Explore(branch->forced, &branch->choices);
  XtablesMonitorFormat nft(rs, stdout);
  std::string json_text;
  JsonTraceFormat json(rs, &json_text);
  for (size_t g = 0; g < packets.size(); ++g) {
    Packet& pkt = packets[g].packet;
    if (trace_all) pkt.nf_trace = true;
    if (packet_headers) printf("== packet %zu\n", g + 1);
    KernelFormat kernel;
    ExplainFormat explain(rs);
    TraceObserver* obs = format == "kernel"    ? static_cast<TraceObserver*>(&kernel)
                         : format == "explain" ? static_cast<TraceObserver*>(&explain)
                         : format == "nft"     ? static_cast<TraceObserver*>(&nft)
                                               : &json;
    const uint32_t packet_number = static_cast<uint32_t>(g + 1);
    nft.BeginPacket(NftTraceId(packet_number));
    json.BeginPacket(packet_number);
    size_t nft_lines = nft.lines();
    std::vector<TraceObserver*> all{obs};
    for (auto& w : whys) {
      w->BeginPacket();
      all.push_back(w.get());
    }
    TeeObserver tee(std::move(all));
    RunResult run = sim.Run(pkt, whys.empty() ? obs : &tee);
    if (!run.error.empty()) {
      fprintf(stderr, "iptsim trace: error: %s: %s\n", packets[g].origin.c_str(), run.error.c_str());
      return kExitError;
    }
    const SimResult& res = run.sim;
    // The --why / --expect reports: after the verdict in explain, else on stderr.
    auto report = [&](FILE* to) {
      for (size_t w = 0; w < whys.size(); ++w) {
        for (const std::string& line : whys[w]->Report(sim.options(), run))
          fprintf(to, "%s\n", line.c_str());
        if (expect[w] && !whys[w]->reached()) {
          fprintf(stderr, "iptsim trace: %s: expected rule %s not reached\n",
                  packets[g].origin.c_str(), why_specs[w].first.c_str());
          status = kExitDifferent;
        }
      }
    };
    const PacketPath path = run.path;
    for (const std::string& note : run.notes)
      fprintf(stderr, "iptsim trace: note: %s: %s\n", packets[g].origin.c_str(), note.c_str());
    if (format == "json") {
      json.EndPacket(res.verdict, res.table, res.hook, PacketPathName(path));
      fwrite(json_text.data(), 1, json_text.size(), stdout);
      json_text.clear();
    }
    if (res.verdict == Verdict::kUnknown) {
      report(stderr);
      fprintf(stderr,
              "iptsim trace: %s: the simulation stops in %s:%s: %s\n"
              "  (decide it with --assume NAME=true|false)\n",
              packets[g].origin.c_str(), std::string(TableName(res.table)).c_str(),
              std::string(HookChainName(res.hook)).c_str(), res.unknown_reason.c_str());
      return kExitError;
    }
    if (run.dropped_before_hooks) {
      fprintf(stderr, "iptsim trace: note: packet %zu: %s\n", g + 1, res.unknown_reason.c_str());
    } else if (format == "explain") {
      printf("verdict: %s in %s:%s (%s path)\n", std::string(VerdictName(res.verdict)).c_str(),
             std::string(TableName(res.table)).c_str(),
             std::string(HookChainName(res.hook)).c_str(),
             std::string(PacketPathName(path)).c_str());
      if (res.verdict != Verdict::kAccept && !res.unknown_reason.empty())
        printf("  (%s)\n", res.unknown_reason.c_str());
      report(stdout);
    } else if (format == "nft") {
      if (nft.lines() == nft_lines)
        fprintf(stderr,
                "iptsim trace: note: no TRACE rule matched packet %zu, so xtables-monitor "
                "would show nothing (add a raw-table TRACE rule, or use --trace-all)\n",
                g + 1);
    } else if (format == "kernel" && kernel.lines() == 0) {
      fprintf(stderr,
              "iptsim trace: note: no TRACE rule matched packet %zu, so the kernel would log "
              "nothing (add a raw-table TRACE rule, or use --trace-all or --format explain)\n",
              g + 1);
    }
    if (format != "explain") report(stderr);
  }
  return status;
}

int TraceCommand(const Args& args) { return TraceRun(args, nullptr); }

}  // namespace iptsim::cli
