// Extension: TRACE (target, IPv4 IPv6)
// Synopsis: -j TRACE
// Semantics: marks the packet for tracing (skb->nf_trace), then the rule
//   continues; every rule the packet then traverses in any table is logged
//   ("TRACE: table:chain:type:rulenum").  No options.  The kernel accepts it
//   only in the raw table.
// Evaluation: yes
// Example: -t raw -A PREROUTING -p tcp --dport 80 -j TRACE
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

class TraceTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int, bool, std::span<const Arg>, const ParseContext&) override { return {}; }
  void Save(std::string&, const SaveContext&) const override {}
  // nf_trace is no field: no verdict, no field changed.
  TargetEffect DescribeEffect(Family) const override { return describe::Continue(); }
  // xt_TRACE: skb->nf_trace = 1, XT_CONTINUE.  The walker traces a rule
  // before its target runs, so the rule that sets the flag is not logged.
  TargetVerdict Apply(Packet& pkt, const PacketView&, EvalContext&) const override {
    pkt.nf_trace = true;
    return TargetVerdict::kContinue;
  }
};

}  // namespace

extern const ExtensionInfo kTraceTarget = {
    .name = "TRACE",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = {},
    .table = static_cast<int8_t>(TableId::kRaw),
    .create = Create<TraceTarget>,
};

}  // namespace iptsim
