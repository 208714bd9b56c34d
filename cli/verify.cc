// iptsim verify [OPTIONS] RULES [PACKET OPTIONS] [-- PACKET OPTIONS ...]
// Runs the packets through the simulation and through the real kernel in a
// throw-away network namespace (verifier/), and prints the difference.
//
// The ruleset both sides get is the same text: RULES, plus the TRACE rules of
// verifier::AddTraceRules when RULES has none.  The simulation is one run of
// all packets in order (engine/simulator.h), with the observers of `iptsim
// trace`; the kernel gets the very bytes the simulation built, one packet
// after the other in one lab (verifier::CaptureTraces).  The only
// normalisation is the nf_tables trace ids (random in the kernel).
#include <array>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/mac.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/packet_input.h"
#include "loader/host_file.h"
#include "loader/iptables_xml.h"
#include "engine/netfilter.h"
#include "engine/packet_builder.h"
#include "engine/simulator.h"
#include "loader/packet_spec.h"
#include "output/explain_why.h"  // TeeObserver
#include "output/kernel_format.h"
#include "output/trace_output.h"
#include "verifier/capture.h"
#include "verifier/verify.h"

namespace iptsim::cli {
namespace {

using verifier::Flavour;

// Testing verify itself: the kernel gets this file instead of the simulated
// ruleset (tests/verify.sh checks that the difference is found).
constexpr const char* kKernelRulesEnv = "IPTSIM_VERIFY_KERNEL_RULES";

int Error(const std::string& message) {
  fprintf(stderr, "iptsim verify: error: %s\n", message.c_str());
  return kExitError;
}

bool ReadFile(const std::string& path, const char* what, std::string* out) {
  std::string_view text;
  std::shared_ptr<const void> owner = ReadInput(path, &text, what);
  if (!owner) return false;
  out->assign(text);
  return true;
}

// An open_memstream FILE whose text is split into lines per packet.
class MemStream {
 public:
  MemStream() { f_ = open_memstream(&buf_, &size_); }
  ~MemStream() {
    if (f_) fclose(f_);
    free(buf_);
  }
  FILE* file() const { return f_; }
  // The lines written since the last call.
  std::vector<std::string> TakeLines() {
    fflush(f_);
    std::vector<std::string> lines;
    std::string_view s(buf_ ? buf_ : "", size_);
    size_t pos = taken_;
    while (pos < s.size()) {
      size_t nl = s.find('\n', pos);
      if (nl == std::string_view::npos) nl = s.size();
      lines.emplace_back(s.substr(pos, nl - pos));
      pos = nl + 1;
    }
    taken_ = s.size();
    return lines;
  }

 private:
  FILE* f_ = nullptr;
  char* buf_ = nullptr;
  size_t size_ = 0;
  size_t taken_ = 0;
};

// --backend nft: the LOG lines, which go to the kernel log, not to the
// monitor (beside XtablesMonitorFormat, through a TeeObserver).
class LogLines : public TraceObserver {
 public:
  void OnLog(int, std::string_view line) override { lines_.emplace_back(line); }
  std::vector<std::string> Take() { return std::move(lines_); }

 private:
  std::vector<std::string> lines_;
};


// What the command reads and builds, step by step.
struct Verification {
  std::optional<Family> family;
  HostModel host;
  RunSettings sim_options;
  verifier::CaptureOptions cap;
  std::string rules_name;
  std::string text;  // RULES as the user wrote it
  bool add_trace = true;
  std::vector<InputPacket> inputs;
  verifier::LabSpec lab_spec;
  std::string run_text;            // the ruleset both sides run
  uint32_t added_at = 0, added = 0;  // lines of run_text that are not the user's
  const Ruleset* rs = nullptr;     // run_text loaded
  std::vector<std::vector<std::string>> sim_lines;  // per packet
  // A line of run_text as a line of the user's file.
  uint32_t UserLine(uint32_t line) const {
    return added && line >= added_at ? line - added : line;
  }
};

// The settings, and the host (engine/host.h: the simulation's routing and
// the lab's devices).
bool ReadSettings(const CommandLine& cl, Verification* v) {
  v->family = cl.family;
  v->sim_options.seed = cl.seed;
  v->sim_options.assumptions = cl.assumptions;
  verifier::CaptureOptions& cap = v->cap;
  cap.flavour = cl.nft_backend ? Flavour::kNft : Flavour::kLegacy;
  cap.lab.keep = cl.keep_lab;
  if (cl.timeout_s) cap.lab.timeout_ms = static_cast<int>(*cl.timeout_s * 1000);
  auto settle = [&](uint64_t ms) {
    cap.settle.quiet = std::chrono::milliseconds(ms);
    cap.settle.deadline = std::max(cap.settle.deadline, cap.settle.quiet * 4);
  };
  if (cl.settle_ms) settle(*cl.settle_ms);
  if (!cl.host_file.empty()) {
    DiagnosticSink diags;
    if (!LoadHostFile(cl.host_file, &v->host, &diags)) {
      fputs(diags.Format().c_str(), stderr);
      return false;
    }
    v->sim_options.host = &v->host;
    if (!v->family && v->host.lab_family)
      v->family = v->host.lab_family == 6 ? Family::kIPv6 : Family::kIPv4;
    if (!cl.settle_ms && v->host.settle_ms > 0) settle(static_cast<uint64_t>(v->host.settle_ms));
  }
  v->rules_name = cl.rules == "-" ? "<stdin>" : cl.rules;
  return true;
}

// The ruleset as the user wrote it (diagnostics with the user's lines), and
// the packets as `iptsim trace` reads them (cli/packet_input.h).
bool ReadRulesAndPackets(const CommandLine& cl, Verification* v) {
  if (!ReadFile(cl.rules, "a ruleset", &v->text)) return false;
  LoadOptions load_options = cl.load;
  load_options.family = v->family;
  auto owner = std::make_shared<const std::string>(v->text);
  LoadResult r = LoadRuleset(owner, *owner, v->rules_name, load_options);
  if (!r.diagnostics.diagnostics().empty()) fputs(r.diagnostics.Format().c_str(), stderr);
  if (!r.ok()) return false;
  // The kernel gets what was loaded: the lines that loaded (--skip-bad-rules),
  // `iptables -S` text or iptables-xml output, in iptables-save form (its
  // line numbers then differ from RULES').
  if (r.partial() || r.form == RulesForm::kRuleSpecs || LooksLikeIptablesXml(v->text)) {
    if (r.partial()) fprintf(stderr, "iptsim: note: %s\n", PartialRulesetNote(r).c_str());
    SaveOptions saved;
    saved.header = false;
    v->text = SaveRuleset(r.ruleset, saved);
  }
  v->family = r.ruleset.family;
  v->add_trace = cl.add_trace_rules && !verifier::HasTraceRule(r.ruleset);
  if (!CollectPackets(cl.input, cl.packet_groups, *v->family, cl.rules == "-", &v->inputs))
    return false;
  if (v->inputs.empty()) {
    Error("no packet to verify");
    return false;
  }
  // A packet the kernel gets from a local socket always has one: the
  // simulation gets the same uid/gid the injector uses.
  for (size_t k = 0; k < v->inputs.size(); ++k) {
    Packet& p = v->inputs[k].packet;
    if (p.in.empty() && (!p.uid || !p.gid)) {
      fprintf(stderr,
              "iptsim verify: note: packet %zu is locally generated: the kernel's always has a "
              "socket; simulated and sent as uid %u gid %u (give --uid/--gid to choose)\n",
              k + 1, p.uid.value_or(0), p.gid.value_or(0));
      p.uid = p.uid.value_or(0);
      p.gid = p.gid.value_or(0);
    }
  }
  return true;
}

std::vector<Packet> PacketsOf(const std::vector<InputPacket>& inputs) {
  std::vector<Packet> packets;
  for (const InputPacket& in : inputs) packets.push_back(in.packet);
  return packets;
}

// The lab: from the host file, or the devices the packets' paths need.
void PlanLab(const CommandLine& cl, Verification* v) {
  if (cl.host_file.empty()) {
    std::vector<std::string> notes;
    v->lab_spec = verifier::PathLabSpec(PacketsOf(v->inputs), &notes);
    for (const std::string& n : notes) fprintf(stderr, "iptsim verify: note: %s\n", n.c_str());
    return;
  }
  v->lab_spec =
      verifier::CompleteLabSpec(verifier::LabSpecFromHost(v->host), PacketsOf(v->inputs));
  // A device needs a MAC: where the host file leaves it open, the lab's
  // (the first frame's destination) is the simulation's too, so that both
  // drop a frame to another MAC (PACKET_OTHERHOST) alike.
  for (const verifier::LabInterface& itf : v->lab_spec.interfaces) {
    for (HostIface& h : v->host.ifaces) {
      std::array<uint8_t, 6> mac;
      if (h.name != itf.name || h.mac || h.tun || itf.mac.empty() ||
          !ParseMacStrict(itf.mac, &mac)) {
        continue;
      }
      h.mac = mac;
      if (cl.verbose) {
        fprintf(stderr, "iptsim verify: note: %s has no MAC in %s: the lab and the simulation "
                "give it %s\n", h.name.c_str(), cl.host_file.c_str(), itf.mac.c_str());
      }
    }
  }
}

// The ruleset both sides run: RULES, with TRACE rules added when it has none.
bool BuildRunRuleset(const CommandLine& cl, Verification* v) {
  bool need_pre = false, need_out = false;
  for (const InputPacket& in : v->inputs) (in.packet.in.empty() ? need_out : need_pre) = true;
  v->run_text = v->add_trace ? verifier::AddTraceRules(v->text, need_pre, need_out,
                                                       &v->added_at, &v->added)
                             : v->text;
  if (v->add_trace && cl.verbose) {
    fprintf(stderr, "iptsim verify: RULES has no TRACE rule; both sides get%s%s\n",
            need_pre ? " raw PREROUTING rule 1: -j TRACE;" : "",
            need_out ? " raw OUTPUT rule 1: -m owner --socket-exists -j TRACE" : "");
  }
  LoadOptions load_options;
  load_options.family = v->family;
  // Lives until the process ends (main ends with _Exit), as LoadRulesFile's results.
  auto run_owner = std::make_shared<const std::string>(v->run_text);
  static std::unique_ptr<LoadResult> loaded;
  loaded = std::make_unique<LoadResult>(
      LoadRuleset(run_owner, *run_owner, v->rules_name, load_options));
  if (!loaded->ok()) {
    fputs(loaded->diagnostics.Format().c_str(), stderr);
    Error("the ruleset with the added TRACE rules does not load (a bug of iptsim verify)");
    return false;
  }
  v->rs = &loaded->ruleset;
  return true;
}

// The simulation: one run, packets in order; each packet's lines.
bool Simulate(bool nft, Verification* v) {
  Simulator sim(*v->rs, v->sim_options);
  MemStream stream;
  if (!stream.file()) {
    Error(std::string("open_memstream: ") + strerror(errno));
    return false;
  }
  KernelFormat kernel(stream.file());
  XtablesMonitorFormat monitor(*v->rs, stream.file());
  LogLines logs;
  TeeObserver nft_obs({&monitor, &logs});
  for (size_t k = 0; k < v->inputs.size(); ++k) {
    Packet pkt = v->inputs[k].packet;  // the run may rewrite it; the kernel gets the original
    monitor.BeginPacket(NftTraceId(static_cast<uint32_t>(k + 1)));
    RunResult run = sim.Run(pkt, nft ? static_cast<TraceObserver*>(&nft_obs) : &kernel);
    if (!run.error.empty()) {
      fprintf(stderr, "iptsim verify: error: packet %zu: %s\n", k + 1, run.error.c_str());
      return false;
    }
    if (run.sim.verdict == Verdict::kUnknown) {
      fprintf(stderr,
              "iptsim verify: error: packet %zu: the simulation stops in %s:%s: %s\n"
              "  (decide it with --assume NAME=true|false)\n",
              k + 1, std::string(TableName(run.sim.table)).c_str(),
              std::string(HookChainName(run.sim.hook)).c_str(), run.sim.unknown_reason.c_str());
      return false;
    }
    for (const std::string& note : run.notes)
      fprintf(stderr, "iptsim verify: note: packet %zu: %s\n", k + 1, note.c_str());
    std::vector<std::string> lines = stream.TakeLines();
    for (std::string& l : logs.Take()) lines.push_back(std::move(l));
    v->sim_lines.push_back(std::move(lines));
  }
  return true;
}

// The kernel: the same packets through the ruleset in a lab.
bool RunKernel(Verification* v, verifier::CaptureResult* kres) {
  std::string kernel_text = v->run_text;
  if (const char* alt = getenv(kKernelRulesEnv); alt && *alt) {
    if (!ReadFile(alt, "a ruleset", &kernel_text)) return false;
    fprintf(stderr,
            "iptsim verify: warning: %s is set: the kernel gets %s, not the simulated ruleset "
            "(for testing iptsim verify itself)\n",
            kKernelRulesEnv, alt);
  }
  verifier::CaptureOptions& cap = v->cap;
  cap.family = *v->family;
  cap.settle.deadline = std::min(cap.settle.deadline,
                                 std::chrono::milliseconds(cap.lab.timeout_ms));
  *kres = verifier::CaptureTraces(v->lab_spec, kernel_text, PacketsOf(v->inputs), cap);
  if (!kres->status.ok()) {
    if (kres->status.kind == verifier::LabStatus::kUnsupported) {
      Error("cannot run the kernel side here: " + kres->status.message);
      return false;
    }
    Error("lab: " + kres->status.message);
    return false;
  }
  if (kres->lines.size() != v->inputs.size()) {
    Error("lab: the capture ended early");
    return false;
  }
  for (const std::string& e : kres->monitor_errors)
    fprintf(stderr, "iptsim verify: note: xtables-monitor: %s\n", e.c_str());
  return true;
}

// Compares packet k's lines of both sides and prints the difference; true
// when they differ.
bool ComparePacket(bool verbose, bool nft, const verifier::CaptureResult& kres, size_t k,
                   Verification* v) {
  std::vector<std::string> klines = kres.lines[k];
  std::vector<std::string>& slines = v->sim_lines[k];
  for (const std::string& l : kres.log_lines[k]) klines.push_back(l);
  if (nft) verifier::MatchNftTraceIds(&klines, slines);
  verifier::MatchGeneratedIpv4Id(v->inputs[k].packet, &klines);
  if (!nft) {
    verifier::MaskIcmpErrorFields(&klines);
    verifier::MaskIcmpErrorFields(&slines);
  }
  const std::string name = "packet " + std::to_string(k + 1);
  // Where it came from, unless that is just its number.
  const std::string from = v->inputs[k].origin == name ? "" : " (" + v->inputs[k].origin + ")";
  std::string diff =
      verifier::UnifiedDiff(klines, slines, "kernel  " + name, "iptsim  " + name);
  if (!diff.empty()) {
    printf("%s%s: DIFFERS\n%s", name.c_str(), from.c_str(), diff.c_str());
  } else if (verbose) {
    printf("%s%s: same (%zu lines)\n", name.c_str(), from.c_str(), klines.size());
    for (const std::string& l : klines) printf("  %s\n", l.c_str());
  }
  if (klines.empty() && slines.empty()) {
    fprintf(stderr,
            "iptsim verify: note: %s: no line on either side (no TRACE or LOG rule "
            "matched it): nothing was compared\n",
            name.c_str());
  }
  if (verbose || !diff.empty()) {
    for (const std::string& c : kres.caveats[k])
      fprintf(stderr, "iptsim verify: note: %s: %s\n", name.c_str(), c.c_str());
    if (!kres.send_errors[k].ok()) {
      fprintf(stderr, "iptsim verify: note: %s: sending it: %s\n", name.c_str(),
              kres.send_errors[k].message().c_str());
    }
  }
  return !diff.empty();
}

// The comparison of every packet, and the summary; the exit status.
int Compare(bool verbose, bool nft, const verifier::CaptureResult& kres, Verification* v) {
  size_t differ = 0;
  for (size_t k = 0; k < v->inputs.size(); ++k) differ += ComparePacket(verbose, nft, kres, k, v);
  if (!differ) {
    printf("iptsim verify: %zu packet%s: the kernel and iptsim agree\n", v->inputs.size(),
           v->inputs.size() == 1 ? "" : "s");
    return kExitOk;
  }
  // A random draw of the kernel cannot be reproduced: say where one is.
  auto random_rule = [&]() -> const Rule* {
    for (const Table& t : v->rs->tables)
      for (const Chain& c : t.chains)
        for (const Rule& r : c.rules)
          if (r.text.find("--mode random") != std::string_view::npos) return &r;
    return nullptr;
  };
  if (const Rule* r = random_rule()) {
    fprintf(stderr,
            "iptsim verify: note: %s:%u draws at random (-m statistic --mode random): the "
            "kernel draws anew on each run, iptsim from its seed (--seed), so a difference "
            "after it can be the draw\n",
            v->rules_name.c_str(), v->UserLine(r->line));
  }
  printf("iptsim verify: %zu of %zu packets differ (- kernel, + iptsim)\n", differ,
         v->inputs.size());
  return kExitDifferent;
}

}  // namespace

int VerifyCommand(const CommandLine& cl) {
  Verification v;
  if (!ReadSettings(cl, &v) || !ReadRulesAndPackets(cl, &v)) return kExitError;
  PlanLab(cl, &v);
  if (!BuildRunRuleset(cl, &v) || !Simulate(cl.nft_backend, &v)) return kExitError;
  verifier::CaptureResult kres;
  if (!RunKernel(&v, &kres)) return kExitError;
  return Compare(cl.verbose, cl.nft_backend, kres, &v);
}

}  // namespace iptsim::cli
