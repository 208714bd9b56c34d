// Extension: HL (target, IPv6)
// Synopsis: -j HL --hl-set VALUE | --hl-dec VALUE | --hl-inc VALUE
// Semantics: sets the IPv6 hop limit to VALUE (0..255), or decrements /
//   increments it by VALUE (1..255, saturating at 0 / 255), then the rule
//   continues.  Exactly one of the three options.  The kernel accepts it
//   only in the mangle table (and refuses an increment or decrement of 0).
// Example: -t mangle -A PREROUTING -j HL --hl-set 64
// Evaluation: yes
#include <algorithm>

#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"hl-set", 1, false},
    {"hl-dec", 1, false},
    {"hl-inc", 1, false},
};

class HlTarget : public Target {
 public:
  using Target::Target;
  enum Mode : uint8_t { kSet = 0, kInc = 1, kDec = 2 };  // IP6T_HL_SET/INC/DEC

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    if (given_ >= 0) {
      if (given_ == option)
        return Status::Error("only one '--" + std::string(kOptions[option].name) + "' allowed");
      return Status::Error("only one of --hl-set, --hl-dec and --hl-inc allowed");
    }
    given_ = option;
    mode_ = option == 0 ? kSet : option == 1 ? kDec : kInc;
    if (option == 0) return ParseUIntArgT(args, 0, 0, 255, "hop limit", &value_);
    return ParseUIntArgT(args, 0, 1, 255,
                         option == 1 ? "hop limit decrement" : "hop limit increment", &value_);
  }
  Status Finish(const ParseContext&) override {
    if (given_ < 0) return Status::Error("one of --hl-set, --hl-dec or --hl-inc is required");
    return {};
  }
  // xt_HL.c hl_tg6 (IPv6 has no header checksum).
  TargetVerdict Apply(Packet& pkt, const PacketView&, EvalContext&) const override {
    uint8_t* h = pkt.bytes.data();
    int hl = h[7];
    int nh = mode_ == kSet ? value_ : mode_ == kInc ? std::min(hl + value_, 255)
                                                    : std::max(hl - value_, 0);
    h[7] = static_cast<uint8_t>(nh);
    return TargetVerdict::kContinue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, mode_ == kSet ? "hl-set" : mode_ == kDec ? "hl-dec" : "hl-inc",
            std::to_string(value_));
  }

  Mode mode() const { return mode_; }
  uint8_t value() const { return value_; }

 private:
  Mode mode_ = kSet;
  uint8_t value_ = 0;
  int given_ = -1;
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
