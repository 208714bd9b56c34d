// Extension: ttl (match, IPv4)
// Synopsis: -m ttl [!] --ttl-eq N | --ttl-lt N | --ttl-gt N
// Semantics: compares the IPv4 header's TTL with N (0..255): equal (not
//   equal with '!'), less than, greater than.  Exactly one of the three;
//   only --ttl-eq can be inverted.  No kernel restrictions (xt_hl).
// Example: -m ttl --ttl-lt 5
// Evaluation: yes
#include "matchers/header_util.h"
#include "matchers/parse_util.h"
#include "matchers/eval_util_ev1.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"ttl-eq", 1, true},
    {"ttl-lt", 1, false},
    {"ttl-gt", 1, false},
};

class TtlMatch : public Match {
 public:
  enum class Mode : uint8_t { kEq, kNe, kLt, kGt };
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    Status s = given_.Add(option, kOptions);
    if (!s.ok()) return s;
    s = given_.Exclude(option, {0, 1, 2}, kOptions);
    if (!s.ok()) return s;
    s = ParseUIntArgT(args, 0, 0, 255, "TTL value", &value_);
    if (!s.ok()) return s;
    mode_ = option == 0 ? (invert ? Mode::kNe : Mode::kEq) : option == 1 ? Mode::kLt : Mode::kGt;
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_.Any()) return Status::Error("one of '--ttl-eq', '--ttl-lt' or '--ttl-gt' is required");
    return {};
  }
  // xt_hl's ttl_mt.
  Tri Evaluate(const PacketView& v, EvalContext&) const override {
    if (!ev1::HaveIpHeader(v)) return Tri::kFalse;
    const uint8_t ttl = v.data()[8];
    switch (mode_) {
      case Mode::kEq: return ToTri(ttl == value_);
      case Mode::kNe: return ToTri(ttl != value_);
      case Mode::kLt: return ToTri(ttl < value_);
      case Mode::kGt: return ToTri(ttl > value_);
    }
    return Tri::kFalse;
  }
  void Save(std::string& out, const SaveContext&) const override {
    const std::string v = std::to_string(value_);
    switch (mode_) {
      case Mode::kEq: SaveOpt(out, "ttl-eq", v); break;
      case Mode::kNe: SaveOpt(out, "ttl-eq", v, true); break;
      case Mode::kLt: SaveOpt(out, "ttl-lt", v); break;
      case Mode::kGt: SaveOpt(out, "ttl-gt", v); break;
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

extern const ExtensionInfo kTtlMatch = {
    .name = "ttl",
    .kind = ExtKind::kMatch,
    .families = kFamV4,
    .options = kOptions,
    .create = Create<TtlMatch>,
};

}  // namespace iptsim
