// Extension: TTL (target, IPv4)
// Synopsis: -j TTL --ttl-set VALUE | --ttl-dec VALUE | --ttl-inc VALUE
// Semantics: sets the IPv4 TTL to VALUE (0..255), or decrements /
//   increments it by VALUE (1..255, saturating at 0 / 255), then the rule
//   continues.  Exactly one of the three options.  The kernel accepts it
//   only in the mangle table (and refuses an increment or decrement of 0).
// Example: -t mangle -A PREROUTING -j TTL --ttl-set 64
// Evaluation: yes
#include "base/checksum.h"
#include "matchers/hop_limit_target.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"ttl-set", 1, false},
    {"ttl-dec", 1, false},
    {"ttl-inc", 1, false},
};

constexpr HopLimitTargetField kField = {"TTL value", "TTL"};

class TtlTarget : public HopLimitTarget {
 public:
  explicit TtlTarget(const ExtensionInfo* info) : HopLimitTarget(info, kField) {}

  // xt_HL.c ttl_tg: the checksum follows with csum_replace2.
  TargetVerdict Apply(Packet& pkt, const PacketView&, EvalContext&) const override {
    uint8_t* h = pkt.bytes.data();
    const uint8_t ttl = h[8];
    const uint8_t nt = NewValue(ttl);
    if (nt != ttl) {
      CsumReplace2(h + 10, static_cast<uint16_t>(ttl << 8), static_cast<uint16_t>(nt << 8));
      h[8] = nt;
    }
    return TargetVerdict::kContinue;
  }
};

}  // namespace

extern const ExtensionInfo kTtlTarget = {
    .name = "TTL",
    .kind = ExtKind::kTarget,
    .families = kFamV4,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kMangle),
    .create = Create<TtlTarget>,
};

}  // namespace iptsim
