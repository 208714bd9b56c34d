// Extension: cpu (match, IPv4 IPv6)
// Synopsis: -m cpu [!] --cpu N
// Semantics: matches packets processed on CPU N (smp_processor_id()),
//   0..2^32-1; a simulation cannot know the CPU, so evaluation depends on
//   what the user assumes.
// Example: -m cpu --cpu 0
// Evaluation: partial: always unknown (the CPU that processes the packet is not an input)
#include "matchers/misc_util.h"
#include "matchers/parse_util.h"
#include "matchers/eval_result.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"cpu", 1, true}};

class CpuMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    if (Status s = given_.Once(option, kOptions); !s.ok()) return s;
    invert_ = invert;
    return UIntArgT(args, 0, 0, 0xffffffff, "CPU number", &cpu_);
  }
  Status Finish(const ParseContext&) override {
    if (!given_.Has(0)) return Status::Error("'--cpu N' is required");
    return {};
  }
  // xt_cpu.c cpu_mt: (smp_processor_id() == cpu) ^ invert.
  Tri Evaluate(const PacketView&, EvalContext& ctx) const override {
    return UndecidedTest(ctx, *this, "whether CPU " + std::to_string(cpu_) + " processes the packet",
                         invert_);
  }
  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, "cpu", std::to_string(cpu_), invert_);
  }

  uint32_t cpu() const { return cpu_; }
  bool invert() const { return invert_; }

 private:
  GivenOptions given_;
  uint32_t cpu_ = 0;
  bool invert_ = false;
};

}  // namespace

extern const ExtensionInfo kCpuMatch = {
    .name = "cpu",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<CpuMatch>,
    .may_be_undecided = true,
};

}  // namespace iptsim
