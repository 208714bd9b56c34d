// Extension: MARK (target, IPv4 IPv6)
// Synopsis: -j MARK --set-xmark VALUE[/MASK] | --set-mark VALUE[/MASK]
//   | --and-mark BITS | --or-mark BITS | --xor-mark BITS
// Semantics: skb->mark = (skb->mark & ~MASK) ^ VALUE, then the rule
//   continues (XT_CONTINUE).  Every form is saved as --set-xmark:
//   --set-mark V/M is V/(M|V), --and-mark B is 0/~B, --or-mark B is B/B,
//   --xor-mark B is B/0.
// Example: -j MARK --set-xmark 0x1/0xffffffff
// Evaluation: yes
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"set-xmark", 1, false}, {"set-mark", 1, false}, {"and-mark", 1, false},
    {"or-mark", 1, false},   {"xor-mark", 1, false},
};

class MarkTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    if (given_)
      return Status::Error("only one of --set-xmark, --set-mark, --and-mark, --or-mark and "
                           "--xor-mark allowed");
    given_ = true;
    uint32_t v, m;
    if (option <= 1) {
      if (!ParseValueMask(args[0].text, &v, &m))
        return Status::Error("invalid mark '" + std::string(args[0].text) +
                                 "' (expected VALUE[/MASK], 32-bit numbers)",
                             0);
      mark_ = v;
      mask_ = option == 0 ? m : (m | v);
      return {};
    }
    uint64_t bits;
    Status s = ParseUIntArg(args, 0, 0, 0xffffffff, "mark", &bits);
    if (!s.ok()) return s;
    v = static_cast<uint32_t>(bits);
    if (option == 2) {
      mark_ = 0;
      mask_ = ~v;
    } else if (option == 3) {
      mark_ = mask_ = v;
    } else {
      mark_ = v;
      mask_ = 0;
    }
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_)
      return Status::Error("one of --set-xmark, --set-mark, --and-mark, --or-mark or "
                           "--xor-mark is required");
    return {};
  }
  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, "set-xmark", Hex(mark_) + "/" + Hex(mask_));
  }
  TargetEffect DescribeEffect(Family) const override {
    return describe::SetBits(Field::kMark, mask_, mark_);
  }
  TargetVerdict Apply(Packet& pkt, const PacketView&, EvalContext&) const override {
    pkt.mark = (pkt.mark & ~mask_) ^ mark_;
    return TargetVerdict::kContinue;
  }

 private:
  uint32_t mark_ = 0, mask_ = 0;
  bool given_ = false;
};

}  // namespace

extern const ExtensionInfo kMarkTarget = {
    .name = "MARK",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<MarkTarget>,
};

}  // namespace iptsim
