// Extension: hl (match, IPv6)
// Synopsis: -m hl [!] --hl-eq N | --hl-lt N | --hl-gt N
// Semantics: compares the IPv6 header's hop limit with N (0..255): equal (not
//   equal with '!'), less than, greater than.  Exactly one of the three;
//   only --hl-eq can be inverted.  No kernel restrictions (xt_hl).
// Example: -m hl --hl-eq 255
// Evaluation: yes
#include "matchers/header_util.h"
#include "matchers/parse_util.h"
#include "matchers/eval_util_ev1.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"hl-eq", 1, true},
    {"hl-lt", 1, false},
    {"hl-gt", 1, false},
};

class HlMatch : public Match {
 public:
  enum class Mode : uint8_t { kEq, kNe, kLt, kGt };
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    Status s = given_.Add(option, kOptions);
    if (!s.ok()) return s;
    s = given_.Exclude(option, {0, 1, 2}, kOptions);
    if (!s.ok()) return s;
    s = ParseUIntArgT(args, 0, 0, 255, "hop limit", &value_);
    if (!s.ok()) return s;
    mode_ = option == 0 ? (invert ? Mode::kNe : Mode::kEq) : option == 1 ? Mode::kLt : Mode::kGt;
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_.Any()) return Status::Error("one of '--hl-eq', '--hl-lt' or '--hl-gt' is required");
    return {};
  }
  // xt_hl's hl_mt6.
  Tri Evaluate(const PacketView& v, EvalContext&) const override {
    if (!ev1::HaveIpHeader(v)) return Tri::kFalse;
    const uint8_t hl = v.data()[7];
    switch (mode_) {
      case Mode::kEq: return ToTri(hl == value_);
      case Mode::kNe: return ToTri(hl != value_);
      case Mode::kLt: return ToTri(hl < value_);
      case Mode::kGt: return ToTri(hl > value_);
    }
    return Tri::kFalse;
  }
  void Save(std::string& out, const SaveContext&) const override {
    const std::string v = std::to_string(value_);
    switch (mode_) {
      case Mode::kEq: SaveOpt(out, "hl-eq", v); break;
      case Mode::kNe: SaveOpt(out, "hl-eq", v, true); break;
      case Mode::kLt: SaveOpt(out, "hl-lt", v); break;
      case Mode::kGt: SaveOpt(out, "hl-gt", v); break;
    }
  }
  Mode mode() const { return mode_; }
  uint8_t value() const { return value_; }

 private:
  hdr::OptionSet given_;
  Mode mode_ = Mode::kEq;
  uint8_t value_ = 0;
};

}  // namespace

extern const ExtensionInfo kHlMatch = {
    .name = "hl",
    .kind = ExtKind::kMatch,
    .families = kFamV6,
    .options = kOptions,
    .create = Create<HlMatch>,
};

}  // namespace iptsim
