#include "output/formats.h"

#include <string>

#include "engine/conntrack.h"
#include "engine/netfilter.h"
#include "output/answer.h"
#include "output/kernel_format.h"
#include "output/trace_output.h"

namespace iptsim {
namespace {

class KernelTrace : public TraceFormat {
 public:
  explicit KernelTrace(FILE* out) : out_(out), kernel_(out) {}
  void BeginPacket(const PacketInfo&) override { kernel_ = KernelFormat(out_); }
  void OnRule(const RuleEvent& e) override { kernel_.OnRule(e); }
  void OnLog(int level, std::string_view line) override { kernel_.OnLog(level, line); }
  bool logged() const override { return kernel_.lines() != 0; }

 private:
  FILE* out_;
  KernelFormat kernel_;
};

// --format explain: every entry the packet matched, with the rule as written
// and where it is, whether or not the kernel would trace it; then the
// verdict, the entry that decided it and the path.
class ExplainTrace : public TraceFormat {
 public:
  ExplainTrace(const Ruleset& rs, FILE* out) : rs_(rs), out_(out) {}
  void BeginPacket(const PacketInfo&) override {
    last_nat_.clear();
    indent_ = 0;
  }
  void OnRule(const RuleEvent& e) override {
    const DecidingEntry d{e.table, e.hook, e.chain, e.rule, e.number};
    std::string where = std::string(indent_, ' ') + std::string(TableName(e.table)) + ":" +
                        e.chain->name + ":" + std::string(TraceLabelName(e.label)) + ":" +
                        std::to_string(e.number);
    if (e.rule || e.chain->builtin) {
      std::string quirk = e.rule ? LabelQuirk(*e.chain, *e.rule, rs_.family) : "";
      fprintf(out_, "%-32s %s%s%s\n", where.c_str(), EntryText(rs_, d).c_str(),
              quirk.empty() ? "" : "  # ", quirk.c_str());
    } else {
      fprintf(out_, "%-32s end of chain %s (implicit RETURN)\n", where.c_str(),
              e.chain->name.c_str());
    }
  }
  void OnLog(int, std::string_view line) override {
    fprintf(out_, "%-32s %.*s\n", Indented("  (LOG)").c_str(), static_cast<int>(line.size()),
            line.data());
  }
  void OnConntrack(Hook, const CtRef& ct, bool after_nat) override {
    std::string s = DescribeConntrack(ct, after_nat);
    if (after_nat) {
      if (s.empty() || s == last_nat_) return;  // no binding, or shown already
      last_nat_ = s;
    }
    fprintf(out_, "%-32s %s\n", Indented(after_nat ? "  (nat)" : "  (conntrack)").c_str(),
            s.c_str());
  }
  // The packets the kernel sends from inside a target are shown indented,
  // between a line that says what they are and one that ends them.
  void OnGeneratedBegin(GeneratedKind kind, const Packet& pkt) override {
    fprintf(out_, "%s(%s, which the kernel sends now: %s)\n", Indented("  ").c_str(),
            std::string(GeneratedKindName(kind)).c_str(), DescribePacket(pkt).c_str());
    indent_ += 2;
  }
  void OnGeneratedEnd(GeneratedKind kind) override {
    indent_ -= 2;
    fprintf(out_, "%s(end of %s)\n", Indented("  ").c_str(),
            std::string(GeneratedKindName(kind)).c_str());
  }
  void EndPacket(const RunResult& run, const PacketInfo& info) override {
    fprintf(out_, "verdict: %s\n", DescribeVerdict(rs_, run).c_str());
    if (info.trail && run.sim.decided_by.chain)
      fputs(DescribeTrail(rs_, info.trail->To(run.sim.decided_by)).c_str(), out_);
    fprintf(out_, "path: %s\n", DescribePath(run, info.default_path).c_str());
  }
  bool answers_inline() const override { return true; }

 private:
  std::string Indented(const char* s) const { return std::string(indent_, ' ') + s; }

  const Ruleset& rs_;
  FILE* out_;
  std::string last_nat_;
  size_t indent_ = 0;
};

class NftTrace : public TraceFormat {
 public:
  NftTrace(const Ruleset& rs, FILE* out) : monitor_(rs, out) {}
  void BeginPacket(const PacketInfo& info) override {
    monitor_.BeginPacket(NftTraceId(info.number));
    lines_before_ = monitor_.lines();
  }
  void OnRule(const RuleEvent& e) override { monitor_.OnRule(e); }
  void OnRuleDone(const RuleEvent& e, RuleOutcome o, const Chain* to) override {
    monitor_.OnRuleDone(e, o, to);
  }
  void OnTableVerdict(TableId t, Hook h, Verdict v) override { monitor_.OnTableVerdict(t, h, v); }
  bool logged() const override { return monitor_.lines() != lines_before_; }

 private:
  XtablesMonitorFormat monitor_;
  size_t lines_before_ = 0;
};

class JsonTrace : public TraceFormat {
 public:
  JsonTrace(const Ruleset& rs, FILE* out) : out_(out), json_(rs, &text_) {}
  void BeginPacket(const PacketInfo& info) override { json_.BeginPacket(info.number); }
  void OnRule(const RuleEvent& e) override { json_.OnRule(e); }
  void OnRuleDone(const RuleEvent& e, RuleOutcome o, const Chain* to) override {
    json_.OnRuleDone(e, o, to);
  }
  void OnLog(int level, std::string_view line) override { json_.OnLog(level, line); }
  void OnUnknown(const RuleEvent& e, std::string_view reason) override {
    json_.OnUnknown(e, reason);
  }
  void OnGeneratedBegin(GeneratedKind kind, const Packet& pkt) override {
    json_.OnGeneratedBegin(kind, pkt);
  }
  void OnGeneratedEnd(GeneratedKind kind) override { json_.OnGeneratedEnd(kind); }
  void AfterRun(const RunResult& run, const PacketInfo& info) override {
    json_.EndPacket(run, info.default_path,
                    info.trail && run.sim.decided_by.chain ? info.trail->To(run.sim.decided_by)
                                                           : std::vector<DecidingEntry>());
    fwrite(text_.data(), 1, text_.size(), out_);
    text_.clear();
  }
  bool answers_inline() const override { return true; }

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
    {"kernel", Make<KernelTrace>, false, "the kernel would log no TRACE line"},
    {"nft", Make<NftTrace>, false, "xtables-monitor --trace would show nothing"},
    {"explain", Make<ExplainTrace>, false, nullptr},
    {"json", Make<JsonTrace>, true, nullptr},
};

}  // namespace

std::span<const OutputFormat> OutputFormats() { return kFormats; }

const OutputFormat* FindOutputFormat(std::string_view name) {
  for (const OutputFormat& f : kFormats)
    if (name == f.name) return &f;
  return nullptr;
}

}  // namespace iptsim
