// Extension: eui64 (match, IPv6)
// Synopsis: -m eui64
// Semantics: the low 64 bits of the IPv6 source address are the modified
//   EUI-64 interface identifier derived from the Ethernet source address of
//   the frame (packets without a MAC header do not match).  No options.  The
//   kernel allows it only in PREROUTING, INPUT and FORWARD.
// Example: -m eui64
// Evaluation: partial: unknown on a packet without an Ethernet header (not a later fragment), where kernels differ
#include "matchers/parse_util.h"
#include "base/bytes.h"
#include "matchers/eval_result.h"

namespace iptsim {
namespace {

class Eui64Match : public Match {
 public:
  using Match::Match;

  Status Parse(int, bool, std::span<const Arg>, const ParseContext&) override { return {}; }
  // ip6t_eui64's eui64_mt6: the source address's interface identifier
  // against the modified EUI-64 of the Ethernet source address.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    const Packet& p = *v.pkt;
    if (p.mac_len != 14) {
      if (v.fragoff != 0) {
        ctx.hotdrop = true;
        return Tri::kFalse;
      }
      return UndecidedTest(ctx, *this,
                           "what the kernel reads as the MAC header of a packet without one "
                           "(14 bytes before the IPv6 header, or, with the later fix, a drop); "
                           "give the packet a MAC header (-i on an Ethernet device)",
                           false);
    }
    if (v.size() < 40) return Tri::kFalse;
    if (GetBe16(p.mac.data() + 12) != 0x86dd || (v.data()[0] >> 4) != 6) return Tri::kFalse;
    uint8_t eui[8];
    std::copy(p.mac.begin() + 6, p.mac.begin() + 9, eui);
    eui[3] = 0xff;
    eui[4] = 0xfe;
    std::copy(p.mac.begin() + 9, p.mac.begin() + 12, eui + 5);
    eui[0] ^= 0x02;
    return ToTri(std::equal(eui, eui + 8, v.data() + 8 + 8));
  }
  void Save(std::string&, const SaveContext&) const override {}
};

}  // namespace

extern const ExtensionInfo kEui64Match = {
    .name = "eui64",
    .kind = ExtKind::kMatch,
    .families = kFamV6,
    .options = {},
    .hooks = HookBit(Hook::kPreRouting) | HookBit(Hook::kLocalIn) | HookBit(Hook::kForward),
    .create = Create<Eui64Match>,
    .may_be_undecided = true,
};

}  // namespace iptsim
