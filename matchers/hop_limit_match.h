// The ttl (IPv4) and hl (IPv6) matches: the same xt_hl logic over the TTL
// byte of the IPv4 header or the hop-limit byte of the IPv6 header, with
// options "--PREFIX-eq" ([!]), "--PREFIX-lt", "--PREFIX-gt", exclusive.
#pragma once

#include <string>

#include "matchers/describe_util.h"
#include "matchers/header_eval.h"
#include "matchers/header_util.h"
#include "matchers/parse_util.h"

namespace iptsim {

struct HopLimitField {
  const char* eq;      // "ttl-eq" / "hl-eq" (options 0, 1, 2 of the extension: eq, lt, gt)
  const char* lt;
  const char* gt;
  const char* what;    // for messages: "TTL value" / "hop limit"
  size_t offset;       // byte of the field in the IP header: 8 / 7
};

class HopLimitMatch : public Match {
 public:
  enum class Mode : uint8_t { kEq, kNe, kLt, kGt };
  HopLimitMatch(const ExtensionInfo* info, const HopLimitField& field)
      : Match(info), field_(field) {}

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    Status s = given_.Add(option, info().options);
    if (!s.ok()) return s;
    s = given_.Exclude(option, {0, 1, 2}, info().options);
    if (!s.ok()) return s;
    s = ParseUIntArgT(args, 0, 0, 255, field_.what, &value_);
    if (!s.ok()) return s;
    mode_ = option == 0 ? (invert ? Mode::kNe : Mode::kEq) : option == 1 ? Mode::kLt : Mode::kGt;
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_.Any())
      return Status::Error(std::string("one of '--") + field_.eq + "', '--" + field_.lt +
                           "' or '--" + field_.gt + "' is required");
    return {};
  }
  // xt_hl's ttl_mt / hl_mt6.
  Tri Evaluate(const PacketView& v, EvalContext&) const override {
    if (!header_eval::HaveIpHeader(v)) return Tri::kFalse;
    const uint8_t x = v.data()[field_.offset];
    switch (mode_) {
      case Mode::kEq: return ToTri(x == value_);
      case Mode::kNe: return ToTri(x != value_);
      case Mode::kLt: return ToTri(x < value_);
      case Mode::kGt: return ToTri(x > value_);
    }
    return Tri::kFalse;
  }
  Pred Describe(Family) const override {
    switch (mode_) {
      case Mode::kEq: return Pred::NumEq(Field::kTtl, value_);
      case Mode::kNe: return Pred::Not(Pred::NumEq(Field::kTtl, value_));
      case Mode::kLt: return value_ == 0 ? Pred::False() : Pred::NumIn(Field::kTtl, 0, value_ - 1u);
      case Mode::kGt:
        return value_ == 255 ? Pred::False() : Pred::NumIn(Field::kTtl, value_ + 1u, 255);
    }
    return Pred::Opaque();
  }
  void Save(std::string& out, const SaveContext&) const override {
    const std::string v = std::to_string(value_);
    switch (mode_) {
      case Mode::kEq: SaveOpt(out, field_.eq, v); break;
      case Mode::kNe: SaveOpt(out, field_.eq, v, true); break;
      case Mode::kLt: SaveOpt(out, field_.lt, v); break;
      case Mode::kGt: SaveOpt(out, field_.gt, v); break;
    }
  }
  Mode mode() const { return mode_; }
  uint8_t value() const { return value_; }

 private:
  const HopLimitField& field_;
  hdr::OptionSet given_;
  Mode mode_ = Mode::kEq;
  uint8_t value_ = 0;
};

}  // namespace iptsim
