// Extension: NOTRACK (target, IPv4 IPv6)
// Synopsis: -j NOTRACK
// Semantics: marks packets that have no conntrack entry yet as untracked,
//   then continues with the next rule (the same as -j CT --notrack).  Only in
//   the raw table (the kernel's NOTRACK target has .table = "raw").  No
//   options; saved as -j NOTRACK.
// Example: -p udp --dport 53 -j NOTRACK
// Evaluation: yes
#include "engine/conntrack.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

class NotrackTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int, bool, std::span<const Arg>, const ParseContext&) override { return {}; }
  void Save(std::string&, const SaveContext&) const override {}
  // As CT --notrack.
  TargetEffect DescribeEffect(Family) const override {
    return describe::SetBits(Field::kCtState, 0x7, kCtUntracked);
  }
  TargetVerdict Apply(Packet&, const PacketView&, EvalContext& ctx) const override {
    CtRef* ct = ctx.ct;
    if (!ct || ct->entry || ct->untracked) return TargetVerdict::kContinue;
    ct->tmpl_notrack = true;
    ct->untracked = true;
    ct->info = CtInfo::kUntracked;
    return TargetVerdict::kContinue;
  }
};

}  // namespace

extern const ExtensionInfo kNotrackTarget = {
    .name = "NOTRACK",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = {},
    .table = static_cast<int8_t>(TableId::kRaw),
    .create = Create<NotrackTarget>,
};

}  // namespace iptsim
