// Extension: mark (match, IPv4 IPv6)
// Synopsis: -m mark [!] --mark VALUE[/MASK]
// Semantics: (skb->mark & MASK) == VALUE; MASK defaults to 0xffffffff.
// Example: -m mark --mark 0x1/0xff
// Evaluation: yes
#include "matchers/describe_util.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"mark", 1, true}};

class MarkMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int, bool invert, std::span<const Arg> args, const ParseContext&) override {
    if (given_) return Status::Error("only one '--mark' allowed");
    if (!ParseValueMask(args[0].text, &mark_, &mask_))
      return Status::Error("invalid mark '" + std::string(args[0].text) +
                               "' (expected VALUE[/MASK], 32-bit numbers)",
                           0);
    invert_ = invert;
    given_ = true;
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_) return Status::Error("'--mark VALUE[/MASK]' is required");
    return {};
  }
  Tri Evaluate(const PacketView& v, EvalContext&) const override {
    return ToTri(((v.pkt->mark & mask_) == mark_) != invert_);
  }
  Pred Describe(Family) const override {
    return describe::MaskedEquals(Field::kMark, mark_, mask_, invert_);
  }
  void Save(std::string& out, const SaveContext&) const override {
    std::string v = Hex(mark_);
    if (mask_ != 0xffffffff) v += "/" + Hex(mask_);
    SaveOpt(out, "mark", v, invert_);
  }

 private:
  uint32_t mark_ = 0, mask_ = 0xffffffff;
  bool invert_ = false, given_ = false;
};

}  // namespace

extern const ExtensionInfo kMarkMatch = {
    .name = "mark",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<MarkMatch>,
};

}  // namespace iptsim
