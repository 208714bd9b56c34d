// Extension: TRACE (target, IPv4 IPv6)
// Synopsis: -j TRACE
// Semantics: marks the packet for tracing (skb->nf_trace), then the rule
//   continues; every rule the packet then traverses in any table is logged
//   ("TRACE: table:chain:type:rulenum").  No options.  The kernel accepts it
//   only in the raw table.
// Example: -t raw -A PREROUTING -p tcp --dport 80 -j TRACE
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

class TraceTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int, bool, std::span<const Arg>, const ParseContext&) override { return {}; }
  void Save(std::string&, const SaveContext&) const override {}
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
