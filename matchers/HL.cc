// Extension: HL (target, IPv6)
// Synopsis: -j HL --hl-set VALUE | --hl-dec VALUE | --hl-inc VALUE
// Semantics: sets the IPv6 hop limit to VALUE (0..255), or decrements /
//   increments it by VALUE (1..255, saturating at 0 / 255), then the rule
//   continues.  Exactly one of the three options.  The kernel accepts it
//   only in the mangle table (and refuses an increment or decrement of 0).
// Example: -t mangle -A PREROUTING -j HL --hl-set 64
// Evaluation: yes
#include "matchers/hop_limit_target.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"hl-set", 1, false},
    {"hl-dec", 1, false},
    {"hl-inc", 1, false},
};

constexpr HopLimitTargetField kField = {"hop limit", "hop limit"};

class HlTarget : public HopLimitTarget {
 public:
  explicit HlTarget(const ExtensionInfo* info) : HopLimitTarget(info, kField) {}

  // xt_HL.c hl_tg6 (IPv6 has no header checksum).
  TargetVerdict Apply(Packet& pkt, const PacketView&, EvalContext&) const override {
    uint8_t* h = pkt.bytes.data();
    h[7] = NewValue(h[7]);
    return TargetVerdict::kContinue;
  }
};

}  // namespace

extern const ExtensionInfo kHlTarget = {
    .name = "HL",
    .kind = ExtKind::kTarget,
    .families = kFamV6,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kMangle),
    .create = Create<HlTarget>,
};

}  // namespace iptsim
