// Benchmark (not a test): packets per second through Simulator::Run, on one
// thread, for a ruleset and a file of packets (iptsim trace packet options,
// one packet per line; '#' comments and blank lines are skipped).
//
//   iptsim_trace_bench [--assume NAME=true|false]... [--seconds S]
//                      [--mode off|trace|both] [--fresh] RULES PACKETS
//
// Modes:
//   off    no observer (what a caller that only wants the verdict pays)
//   trace  the kernel TRACE format: every packet has nf_trace set (as with
//          `iptsim trace --trace-all`), every TRACE line and LOG line is
//          formatted into a buffer that is never printed
// Packets whose simulation ends in UNKNOWN (an input iptsim does not have,
// e.g. a DNAT target) are reported and left out of the timed set.  Each run
// restores the packet from a pristine copy first (targets and the forward
// path rewrite it); that copy reuses its storage and is part of the figure.
// Also reports heap allocations per packet (global operator new counted).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <vector>

#include "engine/log_format.h"
#include "engine/netfilter.h"
#include "engine/simulator.h"
#include "engine/packet_builder.h"
#include "loader/loader.h"
#include "loader/packet_spec.h"

namespace {
size_t g_allocs = 0;  // single-threaded benchmark: a plain counter
volatile uint8_t g_sink;  // keeps the verdicts alive
}  // namespace

void* operator new(size_t n) {
  ++g_allocs;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace iptsim {
namespace {

// The kernel TRACE format, into a buffer.
class BufferFormat : public TraceObserver {
 public:
  void OnRule(const RuleEvent& e) override {
    if (!e.traced) return;
    ++lines;
    Append(FormatTraceLine(TableName(e.table), e.chain->name, TraceLabelName(e.label), e.number,
                           *e.packet));
  }
  void OnLog(int, std::string_view line) override {
    ++lines;
    Append(line);
  }
  size_t lines = 0;
  size_t bytes = 0;

 private:
  void Append(std::string_view s) {
    if (buf_.size() + s.size() + 1 > (1u << 20)) buf_.clear();  // capacity is kept
    buf_.append(s);
    buf_.push_back('\n');
    bytes += s.size() + 1;
  }
  std::string buf_ = std::string(1u << 20, '\0');
};

struct Item {
  Packet pristine;
  Packet work;
  PacketPath path;
};

int Usage() {
  fprintf(stderr,
          "usage: iptsim_trace_bench [--assume NAME=true|false]... [--seconds S] "
          "[--mode off|trace|both] [--fresh] RULES PACKETS\n");
  return 2;
}

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int Main(int argc, char** argv) {
  std::map<std::string, bool> assume;
  double seconds = 2.0;
  std::string mode = "both";
  // --fresh: a new Simulator (empty connection table) for every pass over
  // the packets, so that each packet is the first of its connection (the
  // nat table runs); without it the passes after the first find their
  // connections established, as a replayed stream would in the kernel.
  bool fresh = false;
  std::vector<std::string> pos;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--assume" && i + 1 < argc) {
      std::string v = argv[++i];
      size_t eq = v.find('=');
      if (eq == std::string::npos) return Usage();
      assume[v.substr(0, eq)] = v.substr(eq + 1) == "true";
    } else if (a == "--seconds" && i + 1 < argc) {
      seconds = atof(argv[++i]);
    } else if (a == "--fresh") {
      fresh = true;
    } else if (a == "--mode" && i + 1 < argc) {
      mode = argv[++i];
    } else if (!a.empty() && a[0] == '-') {
      return Usage();
    } else {
      pos.push_back(a);
    }
  }
  if (pos.size() != 2 || (mode != "off" && mode != "trace" && mode != "both")) return Usage();

  std::ifstream rf(pos[0]);
  if (!rf) {
    fprintf(stderr, "cannot read %s\n", pos[0].c_str());
    return 1;
  }
  std::stringstream ss;
  ss << rf.rdbuf();
  auto text = std::make_shared<std::string>(ss.str());
  double t0 = Now();
  LoadResult lr = LoadRuleset(text, *text, pos[0]);
  double t_load = Now() - t0;
  if (!lr.ok()) {
    fprintf(stderr, "%s", lr.diagnostics.Format().c_str());
    return 1;
  }
  const Ruleset& rs = lr.ruleset;
  printf("ruleset: %s: %zu rules, %zu chains (loaded in %.2f s)\n", pos[0].c_str(), rs.RuleCount(),
         rs.ChainCount(), t_load);

  std::ifstream pf(pos[1]);
  if (!pf) {
    fprintf(stderr, "cannot read %s\n", pos[1].c_str());
    return 1;
  }
  // The user's path: one Simulator run over the whole stream (its
  // connection table and extension state persist from packet to packet).
  SimulatorOptions sim_options;
  sim_options.assumptions = assume;
  auto sim_ptr = std::make_unique<Simulator>(rs, sim_options);
  std::vector<Item> items;
  std::map<std::string, size_t> excluded;  // reason -> count
  std::map<std::string, size_t> verdicts;
  std::string line;
  size_t lineno = 0;
  while (std::getline(pf, line)) {
    ++lineno;
    size_t p = line.find_first_not_of(" \t");
    if (p == std::string::npos || line[p] == '#') continue;
    PacketSpec spec;
    Diagnostic d;
    if (!ParsePacketLine(line, rs.family, &spec, &d)) {
      fprintf(stderr, "%s:%zu: %s\n", pos[1].c_str(), lineno, d.message.c_str());
      return 1;
    }
    Item it{BuildPacket(spec), {}, {}};
    it.path = PathFromDevices(it.pristine);
    it.work = it.pristine;
    SimResult r = sim_ptr->Run(it.work, nullptr).sim;
    if (r.verdict == Verdict::kUnknown) {
      ++excluded[std::string(TableName(r.table)) + ":" + std::string(HookChainName(r.hook)) +
                 ": " + r.unknown_reason];
      continue;
    }
    ++verdicts[std::string(PacketPathName(it.path)) + " " + std::string(VerdictName(r.verdict))];
    items.push_back(std::move(it));
  }
  printf("packets: %zu simulated", items.size());
  for (auto& [k, n] : verdicts) printf(", %zu %s", n, k.c_str());
  printf("\n");
  for (auto& [k, n] : excluded) printf("  left out (UNKNOWN): %zu packets: %s\n", n, k.c_str());
  if (items.empty()) return 1;

  auto run = [&](bool trace) {
    BufferFormat fmt;
    TraceObserver* obs = trace ? &fmt : nullptr;
    size_t n = 0;
    // Warm-up: one pass over the set.
    for (Item& it : items) {
      it.work = it.pristine;
      it.work.nf_trace = trace;
      g_sink = static_cast<uint8_t>(sim_ptr->Run(it.work, obs).sim.verdict);
    }
    size_t a0 = g_allocs;
    size_t lines0 = fmt.lines;
    double start = Now(), end = start;
    while (end - start < seconds) {
      if (fresh) sim_ptr = std::make_unique<Simulator>(rs, sim_options);
      for (Item& it : items) {
        it.work = it.pristine;
        it.work.nf_trace = trace;
        g_sink = static_cast<uint8_t>(sim_ptr->Run(it.work, obs).sim.verdict);
      }
      n += items.size();
      end = Now();
    }
    double pps = n / (end - start);
    printf("%-22s %12.0f packets/s  (%zu packets in %.2f s, %.2f allocations/packet",
           trace ? "kernel TRACE format:" : "no output:", pps, n, end - start,
           1.0 * (g_allocs - a0) / n);
    if (trace) printf(", %.1f lines/packet", 1.0 * (fmt.lines - lines0) / n);
    printf(")\n");
  };
  if (mode != "trace") run(false);
  if (mode != "off") run(true);
  return 0;
}

}  // namespace
}  // namespace iptsim

int main(int argc, char** argv) { return iptsim::Main(argc, argv); }
