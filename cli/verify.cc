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
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/explain_why.h"  // TeeObserver
#include "cli/kernel_format.h"
#include "cli/packet_input.h"
#include "loader/host_file.h"
#include "engine/netfilter.h"
#include "engine/packet_builder.h"
#include "engine/simulator.h"
#include "loader/packet_spec.h"
#include "loader/trace_output.h"
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

bool ParseNumber(const std::string& v, unsigned long long max, unsigned long long* out) {
  if (v.empty() || v[0] < '0' || v[0] > '9') return false;
  char* end = nullptr;
  errno = 0;
  unsigned long long n = strtoull(v.c_str(), &end, 10);
  if (*end || errno || n > max) return false;
  *out = n;
  return true;
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

}  // namespace

int VerifyCommand(const Args& args) {
  std::optional<Family> family;
  Flavour flavour = Flavour::kLegacy;
  std::string host_path;
  bool verbose = false;
  bool add_trace = true;
  bool settle_given = false;
  SimulatorOptions sim_options;
  verifier::CaptureOptions cap;
  PacketInputOptions input;
  input.command = "verify";
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (int r = ParsePacketInputOption(args, &i, &input); r != 0) {
      if (r < 0) return kExitError;
      continue;
    }
    auto value = [&](std::string* v) {
      if (size_t eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
        *v = a.substr(eq + 1);
        return true;
      }
      if (i + 1 >= args.size()) return false;
      *v = args[++i];
      return true;
    };
    auto is = [&](const char* name) {
      return a == name || (a.rfind(std::string(name) + "=", 0) == 0 && name[1] == '-');
    };
    std::string v;
    unsigned long long n;
    if (a == "-4") {
      family = Family::kIPv4;
    } else if (a == "-6") {
      family = Family::kIPv6;
    } else if (a == "-v" || a == "--verbose") {
      verbose = true;
    } else if (a == "--keep") {
      cap.lab.keep = true;
    } else if (a == "--no-trace-rule") {
      add_trace = false;
    } else if (is("--host")) {
      if (!value(&host_path)) {
        UsageError("verify", "--host needs a FILE");
        return kExitError;
      }
    } else if (is("--backend")) {
      if (!value(&v) || (v != "legacy" && v != "nft")) {
        UsageError("verify", "--backend takes legacy or nft");
        return kExitError;
      }
      flavour = v == "nft" ? Flavour::kNft : Flavour::kLegacy;
    } else if (is("--timeout")) {
      if (!value(&v) || !ParseNumber(v, 3600, &n) || n == 0) {
        UsageError("verify", "--timeout takes seconds (1 to 3600)");
        return kExitError;
      }
      cap.lab.timeout_ms = static_cast<int>(n * 1000);
    } else if (is("--settle")) {
      if (!value(&v) || !ParseNumber(v, 60000, &n) || n == 0) {
        UsageError("verify", "--settle takes milliseconds (1 to 60000)");
        return kExitError;
      }
      cap.settle.quiet = std::chrono::milliseconds(n);
      cap.settle.deadline = std::max(cap.settle.deadline, cap.settle.quiet * 4);
      settle_given = true;
    } else if (is("--seed")) {
      if (!value(&v) || !ParseNumber(v, ~0ull, &n)) {
        UsageError("verify", "--seed takes a non-negative integer, not '" + v + "'");
        return kExitError;
      }
      sim_options.seed = n;
    } else if (is("--assume")) {
      if (!value(&v)) v.clear();
      if (!ParseAssumeArg("verify", v, &sim_options.assumptions)) return kExitError;
    } else if (a.size() > 1 && a[0] == '-') {
      UsageError("verify", "unknown option '" + a + "' (verify options come before RULES)");
      return kExitError;
    } else {
      break;
    }
  }
  if (i >= args.size()) {
    UsageError("verify", "missing RULES (a file, or - for stdin)");
    return kExitError;
  }
  const std::string rules_path = args[i++];

  // The host (engine/host.h): the simulation's routing and the lab's devices.
  HostModel host;
  if (!host_path.empty()) {
    DiagnosticSink diags;
    if (!LoadHostFile(host_path, &host, &diags)) {
      fputs(diags.Format().c_str(), stderr);
      return kExitError;
    }
    sim_options.host = &host;
    if (!family && host.lab_family) family = host.lab_family == 6 ? Family::kIPv6 : Family::kIPv4;
    if (!settle_given && host.settle_ms > 0) {
      cap.settle.quiet = std::chrono::milliseconds(host.settle_ms);
      cap.settle.deadline = std::max(cap.settle.deadline, cap.settle.quiet * 4);
    }
  }
  const std::string rules_name = rules_path == "-" ? "<stdin>" : rules_path;

  // The ruleset as the user wrote it: diagnostics with the user's lines.
  std::string text;
  if (!ReadFile(rules_path, "a ruleset", &text)) return kExitError;
  LoadOptions load_options;
  load_options.family = family;
  {
    auto owner = std::make_shared<const std::string>(text);
    LoadResult r = LoadRuleset(owner, *owner, rules_name, load_options);
    if (!r.diagnostics.diagnostics().empty()) fputs(r.diagnostics.Format().c_str(), stderr);
    if (!r.ok()) return kExitError;
    family = r.ruleset.family;
    add_trace = add_trace && !verifier::HasTraceRule(r.ruleset);
  }

  // The packets, as `iptsim trace` reads them (cli/packet_input.h): the
  // sources, then the words after RULES (groups separated by "--").
  std::vector<InputPacket> inputs;
  {
    std::vector<std::vector<std::string>> groups(1);
    for (; i < args.size(); ++i) {
      if (args[i] == "--") groups.emplace_back();
      else groups.back().push_back(args[i]);
    }
    if (!CollectPackets(input, groups, *family, rules_path == "-", &inputs)) return kExitError;
  }
  if (inputs.empty()) return Error("no packet to verify");
  // A packet the kernel gets from a local socket always has one: the
  // simulation gets the same uid/gid the injector uses.
  for (size_t k = 0; k < inputs.size(); ++k) {
    Packet& p = inputs[k].packet;
    if (p.in.empty() && (!p.uid || !p.gid)) {
      fprintf(stderr,
              "iptsim verify: note: packet %zu is locally generated: the kernel's always has a "
              "socket; simulated and sent as uid %u gid %u (give --uid/--gid to choose)\n",
              k + 1, p.uid.value_or(0), p.gid.value_or(0));
      p.uid = p.uid.value_or(0);
      p.gid = p.gid.value_or(0);
    }
  }

  // The lab.
  verifier::LabSpec lab_spec;
  if (!host_path.empty()) {
    std::vector<Packet> packets;
    for (const InputPacket& in : inputs) packets.push_back(in.packet);
    lab_spec = verifier::CompleteLabSpec(verifier::LabSpecFromHost(host), packets);
    // A device needs a MAC: where the host file leaves it open, the lab's
    // (the first frame's destination) is the simulation's too, so that both
    // drop a frame to another MAC (PACKET_OTHERHOST) alike.
    for (const verifier::LabInterface& itf : lab_spec.interfaces) {
      for (HostIface& h : host.ifaces) {
        std::array<uint8_t, 6> mac;
        if (h.name != itf.name || h.mac || h.tun || itf.mac.empty() ||
            !verifier::ParseMac(itf.mac, mac.data())) {
          continue;
        }
        h.mac = mac;
        if (verbose) {
          fprintf(stderr, "iptsim verify: note: %s has no MAC in %s: the lab and the simulation "
                  "give it %s\n", h.name.c_str(), host_path.c_str(), itf.mac.c_str());
        }
      }
    }
  } else {
    std::vector<Packet> packets;
    for (const InputPacket& in : inputs) packets.push_back(in.packet);
    std::vector<std::string> notes;
    lab_spec = verifier::PathLabSpec(packets, &notes);
    for (const std::string& n : notes) fprintf(stderr, "iptsim verify: note: %s\n", n.c_str());
  }

  // The ruleset both sides run.
  bool need_pre = false, need_out = false;
  for (const InputPacket& in : inputs) (in.packet.in.empty() ? need_out : need_pre) = true;
  uint32_t added_at = 0, added = 0;  // lines of run_text that are not the user's
  const std::string run_text =
      add_trace ? verifier::AddTraceRules(text, need_pre, need_out, &added_at, &added) : text;
  // A line of run_text as a line of the user's file.
  auto user_line = [&](uint32_t line) { return added && line >= added_at ? line - added : line; };
  if (add_trace && verbose) {
    fprintf(stderr, "iptsim verify: RULES has no TRACE rule; both sides get%s%s\n",
            need_pre ? " raw PREROUTING rule 1: -j TRACE;" : "",
            need_out ? " raw OUTPUT rule 1: -m owner --socket-exists -j TRACE" : "");
  }
  // Lives until the process ends (main ends with _Exit), as LoadRulesFile's results.
  auto run_owner = std::make_shared<const std::string>(run_text);
  const LoadResult& loaded =
      *new LoadResult(LoadRuleset(run_owner, *run_owner, rules_name, load_options));
  if (!loaded.ok()) {
    fputs(loaded.diagnostics.Format().c_str(), stderr);
    return Error("the ruleset with the added TRACE rules does not load (a bug of iptsim verify)");
  }
  const Ruleset& rs = loaded.ruleset;

  // The simulation: one run, packets in order.
  const bool nft = flavour == Flavour::kNft;
  std::vector<std::vector<std::string>> sim_lines;
  {
    Simulator sim(rs, sim_options);
    MemStream stream;
    if (!stream.file()) return Error(std::string("open_memstream: ") + strerror(errno));
    KernelFormat kernel(stream.file());
    XtablesMonitorFormat monitor(rs, stream.file());
    LogLines logs;
    TeeObserver nft_obs({&monitor, &logs});
    for (size_t k = 0; k < inputs.size(); ++k) {
      Packet pkt = inputs[k].packet;  // the run may rewrite it; the kernel gets the original
      monitor.BeginPacket(NftTraceId(static_cast<uint32_t>(k + 1)));
      RunResult run = sim.Run(pkt, nft ? static_cast<TraceObserver*>(&nft_obs) : &kernel);
      if (!run.error.empty()) {
        fprintf(stderr, "iptsim verify: error: packet %zu: %s\n", k + 1, run.error.c_str());
        return kExitError;
      }
      if (run.sim.verdict == Verdict::kUnknown) {
        fprintf(stderr,
                "iptsim verify: error: packet %zu: the simulation stops in %s:%s: %s\n"
                "  (decide it with --assume NAME=true|false)\n",
                k + 1, std::string(TableName(run.sim.table)).c_str(),
                std::string(HookChainName(run.sim.hook)).c_str(), run.sim.unknown_reason.c_str());
        return kExitError;
      }
      for (const std::string& note : run.notes) {
        fprintf(stderr, "iptsim verify: note: packet %zu: %s\n", k + 1, note.c_str());
      }
      std::vector<std::string> lines = stream.TakeLines();
      for (std::string& l : logs.Take()) lines.push_back(std::move(l));
      sim_lines.push_back(std::move(lines));
    }
  }

  // The kernel.
  std::string kernel_text = run_text;
  if (const char* alt = getenv(kKernelRulesEnv); alt && *alt) {
    if (!ReadFile(alt, "a ruleset", &kernel_text)) return kExitError;
    fprintf(stderr,
            "iptsim verify: warning: %s is set: the kernel gets %s, not the simulated ruleset "
            "(for testing iptsim verify itself)\n",
            kKernelRulesEnv, alt);
  }
  cap.flavour = flavour;
  cap.family = *family;
  cap.settle.deadline = std::min(cap.settle.deadline,
                                 std::chrono::milliseconds(cap.lab.timeout_ms));
  std::vector<Packet> packets;
  for (const InputPacket& in : inputs) packets.push_back(in.packet);
  verifier::CaptureResult kres = verifier::CaptureTraces(lab_spec, kernel_text, packets, cap);
  if (!kres.status.ok()) {
    if (kres.status.kind == verifier::LabStatus::kUnsupported) {
      return Error("cannot run the kernel side here: " + kres.status.message);
    }
    return Error("lab: " + kres.status.message);
  }
  if (kres.lines.size() != inputs.size()) return Error("lab: the capture ended early");
  for (const std::string& e : kres.monitor_errors) {
    fprintf(stderr, "iptsim verify: note: xtables-monitor: %s\n", e.c_str());
  }

  // The comparison.
  size_t differ = 0;
  for (size_t k = 0; k < inputs.size(); ++k) {
    std::vector<std::string> klines = kres.lines[k];
    for (const std::string& l : kres.log_lines[k]) klines.push_back(l);
    if (nft) verifier::MatchNftTraceIds(&klines, sim_lines[k]);
    verifier::MatchGeneratedIpv4Id(inputs[k].packet, &klines);
    if (!nft) {
      verifier::MaskIcmpErrorFields(&klines);
      verifier::MaskIcmpErrorFields(&sim_lines[k]);
    }
    const std::string name = "packet " + std::to_string(k + 1);
    // Where it came from, unless that is just its number.
    const std::string from = inputs[k].origin == name ? "" : " (" + inputs[k].origin + ")";
    std::string diff = verifier::UnifiedDiff(klines, sim_lines[k], "kernel  " + name,
                                             "iptsim  " + name);
    bool notes = verbose || !diff.empty();
    if (!diff.empty()) {
      ++differ;
      printf("%s%s: DIFFERS\n%s", name.c_str(), from.c_str(), diff.c_str());
    } else if (verbose) {
      printf("%s%s: same (%zu lines)\n", name.c_str(), from.c_str(), klines.size());
      for (const std::string& l : klines) printf("  %s\n", l.c_str());
    }
    if (klines.empty() && sim_lines[k].empty()) {
      fprintf(stderr,
              "iptsim verify: note: %s: no line on either side (no TRACE or LOG rule "
              "matched it): nothing was compared\n",
              name.c_str());
    }
    if (notes) {
      for (const std::string& c : kres.caveats[k]) {
        fprintf(stderr, "iptsim verify: note: %s: %s\n", name.c_str(), c.c_str());
      }
      if (!kres.send_errors[k].empty()) {
        fprintf(stderr, "iptsim verify: note: %s: sending it: %s\n", name.c_str(),
                kres.send_errors[k].c_str());
      }
    }
  }
  if (differ) {
    // A random draw of the kernel cannot be reproduced: say where one is.
    auto random_rule = [&]() -> const Rule* {
      for (const Table& t : rs.tables)
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
              rules_name.c_str(), user_line(r->line));
    }
    printf("iptsim verify: %zu of %zu packets differ (- kernel, + iptsim)\n", differ,
           inputs.size());
    return kExitDifferent;
  }
  printf("iptsim verify: %zu packet%s: the kernel and iptsim agree\n", inputs.size(),
         inputs.size() == 1 ? "" : "s");
  return kExitOk;
}

}  // namespace iptsim::cli
