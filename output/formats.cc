#include "output/formats.h"

#include <string>

#include "engine/conntrack.h"
#include "engine/netfilter.h"
#include "output/kernel_format.h"
#include "output/trace_output.h"

namespace iptsim {
namespace {

class KernelTrace : public TraceFormat {
 public:
  explicit KernelTrace(FILE* out) : out_(out), kernel_(out) {}
  void BeginPacket(uint32_t) override { kernel_ = KernelFormat(out_); }
  void OnRule(const RuleEvent& e) override { kernel_.OnRule(e); }
  void OnLog(int level, std::string_view line) override { kernel_.OnLog(level, line); }
  void EndPacket(const RunResult&, uint32_t number, FILE* notes) override {
    if (kernel_.lines() != 0) return;
    fprintf(notes,
            "iptsim trace: note: no TRACE rule matched packet %u, so the kernel would log "
            "nothing (add a raw-table TRACE rule, or use --trace-all or --format explain)\n",
            number);
  }

 private:
  FILE* out_;
  KernelFormat kernel_;
};

// --format explain: every entry the packet matched, with the rule as written
// and where it is, whether or not the kernel would trace it; then the verdict.
class ExplainTrace : public TraceFormat {
 public:
  ExplainTrace(const Ruleset& rs, FILE* out) : rs_(rs), out_(out) {}
  void BeginPacket(uint32_t) override { last_nat_.clear(); }
  void OnRule(const RuleEvent& e) override {
    std::string where = std::string(TableName(e.table)) + ":" + e.chain->name + ":" +
                        std::string(TraceLabelName(e.label)) + ":" + std::to_string(e.number);
    if (e.rule) {
      fprintf(out_, "%-32s %s:%u: %.*s\n", where.c_str(), rs_.file.c_str(), e.rule->line,
              static_cast<int>(e.rule->text.size()), e.rule->text.data());
    } else if (e.chain->builtin) {
      fprintf(out_, "%-32s policy %s\n", where.c_str(),
              e.chain->policy == Policy::kAccept ? "ACCEPT" : "DROP");
    } else {
      fprintf(out_, "%-32s end of chain %s (implicit RETURN)\n", where.c_str(),
              e.chain->name.c_str());
    }
  }
  void OnLog(int, std::string_view line) override {
    fprintf(out_, "%-32s %.*s\n", "  (LOG)", static_cast<int>(line.size()), line.data());
  }
  void OnConntrack(Hook, const CtRef& ct, bool after_nat) override {
    std::string s = DescribeConntrack(ct, after_nat);
    if (after_nat) {
      if (s.empty() || s == last_nat_) return;  // no binding, or shown already
      last_nat_ = s;
    }
    fprintf(out_, "%-32s %s\n", after_nat ? "  (nat)" : "  (conntrack)", s.c_str());
  }
  void EndPacket(const RunResult& run, uint32_t, FILE*) override {
    const SimResult& res = run.sim;
    fprintf(out_, "verdict: %s in %s:%s (%s path)\n", std::string(VerdictName(res.verdict)).c_str(),
            std::string(TableName(res.table)).c_str(),
            std::string(HookChainName(res.hook)).c_str(),
            std::string(PacketPathName(run.path)).c_str());
    if (res.verdict != Verdict::kAccept && !res.unknown_reason.empty())
      fprintf(out_, "  (%s)\n", res.unknown_reason.c_str());
  }
  bool reports_inline() const override { return true; }

 private:
  const Ruleset& rs_;
  FILE* out_;
  std::string last_nat_;
};

class NftTrace : public TraceFormat {
 public:
  NftTrace(const Ruleset& rs, FILE* out) : monitor_(rs, out) {}
  void BeginPacket(uint32_t number) override {
    monitor_.BeginPacket(NftTraceId(number));
    lines_before_ = monitor_.lines();
  }
  void OnRule(const RuleEvent& e) override { monitor_.OnRule(e); }
  void OnRuleDone(const RuleEvent& e, RuleOutcome o, const Chain* to) override {
    monitor_.OnRuleDone(e, o, to);
  }
  void OnTableVerdict(TableId t, Hook h, Verdict v) override { monitor_.OnTableVerdict(t, h, v); }
  void EndPacket(const RunResult&, uint32_t number, FILE* notes) override {
    if (monitor_.lines() != lines_before_) return;
    fprintf(notes,
            "iptsim trace: note: no TRACE rule matched packet %u, so xtables-monitor "
            "would show nothing (add a raw-table TRACE rule, or use --trace-all)\n",
            number);
  }

 private:
  XtablesMonitorFormat monitor_;
  size_t lines_before_ = 0;
};

class JsonTrace : public TraceFormat {
 public:
  JsonTrace(const Ruleset& rs, FILE* out) : out_(out), json_(rs, &text_) {}
  void BeginPacket(uint32_t number) override { json_.BeginPacket(number); }
  void OnRule(const RuleEvent& e) override { json_.OnRule(e); }
  void OnRuleDone(const RuleEvent& e, RuleOutcome o, const Chain* to) override {
    json_.OnRuleDone(e, o, to);
  }
  void OnLog(int level, std::string_view line) override { json_.OnLog(level, line); }
  void OnUnknown(const RuleEvent& e, std::string_view reason) override {
    json_.OnUnknown(e, reason);
  }
  void AfterRun(const RunResult& run) override {
    json_.EndPacket(run.sim.verdict, run.sim.table, run.sim.hook, PacketPathName(run.path));
    fwrite(text_.data(), 1, text_.size(), out_);
    text_.clear();
  }

 private:
  FILE* out_;
  std::string text_;
  JsonTraceFormat json_;
};

template <class F>
std::unique_ptr<TraceFormat> Make(const Ruleset& rs, FILE* out) {
  if constexpr (std::is_constructible_v<F, const Ruleset&, FILE*>)
    return std::make_unique<F>(rs, out);
  else
    return std::make_unique<F>(out);
}

constexpr OutputFormat kFormats[] = {
    {"kernel", Make<KernelTrace>, false},
    {"nft", Make<NftTrace>, false},
    {"explain", Make<ExplainTrace>, false},
    {"json", Make<JsonTrace>, true},
};

}  // namespace

std::span<const OutputFormat> OutputFormats() { return kFormats; }

const OutputFormat* FindOutputFormat(std::string_view name) {
  for (const OutputFormat& f : kFormats)
    if (name == f.name) return &f;
  return nullptr;
}

}  // namespace iptsim
