// Extension: TTL (target, IPv4)
// Synopsis: -j TTL --ttl-set VALUE | --ttl-dec VALUE | --ttl-inc VALUE
// Semantics: sets the IPv4 TTL to VALUE (0..255), or decrements /
//   increments it by VALUE (1..255, saturating at 0 / 255), then the rule
//   continues.  Exactly one of the three options.  The kernel accepts it
//   only in the mangle table (and refuses an increment or decrement of 0).
// Example: -t mangle -A PREROUTING -j TTL --ttl-set 64
// Evaluation: yes
#include <algorithm>

#include "base/checksum.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"ttl-set", 1, false},
    {"ttl-dec", 1, false},
    {"ttl-inc", 1, false},
};

class TtlTarget : public Target {
 public:
  using Target::Target;
  enum Mode : uint8_t { kSet = 0, kInc = 1, kDec = 2 };  // IPT_TTL_SET/INC/DEC

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    if (given_ >= 0) {
      if (given_ == option)
        return Status::Error("only one '--" + std::string(kOptions[option].name) + "' allowed");
      return Status::Error("only one of --ttl-set, --ttl-dec and --ttl-inc allowed");
    }
    given_ = option;
    mode_ = option == 0 ? kSet : option == 1 ? kDec : kInc;
    if (option == 0) return ParseUIntArgT(args, 0, 0, 255, "TTL value", &value_);
    return ParseUIntArgT(args, 0, 1, 255,
                         option == 1 ? "TTL decrement" : "TTL increment", &value_);
  }
  Status Finish(const ParseContext&) override {
    if (given_ < 0) return Status::Error("one of --ttl-set, --ttl-dec or --ttl-inc is required");
    return {};
  }
  // xt_HL.c ttl_tg: the checksum follows with csum_replace2.
  TargetVerdict Apply(Packet& pkt, const PacketView&, EvalContext&) const override {
    uint8_t* h = pkt.bytes.data();
    int ttl = h[8];
    int nt = mode_ == kSet ? value_ : mode_ == kInc ? std::min(ttl + value_, 255)
                                                    : std::max(ttl - value_, 0);
    if (nt != ttl) {
      CsumReplace2(h + 10, static_cast<uint16_t>(ttl << 8), static_cast<uint16_t>(nt << 8));
      h[8] = static_cast<uint8_t>(nt);
    }
    return TargetVerdict::kContinue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, mode_ == kSet ? "ttl-set" : mode_ == kDec ? "ttl-dec" : "ttl-inc",
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

extern const ExtensionInfo kTtlTarget = {
    .name = "TTL",
    .kind = ExtKind::kTarget,
    .families = kFamV4,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kMangle),
    .create = Create<TtlTarget>,
};

}  // namespace iptsim
