// The TTL (IPv4) and HL (IPv6) targets: the same xt_HL logic (set, or
// decrement / increment saturating at 0 / 255) on the TTL byte of the IPv4
// header or the hop-limit byte of the IPv6 header, with options
// "--PREFIX-set", "--PREFIX-dec", "--PREFIX-inc" (options 0, 1, 2 of the
// extension), exactly one of them.
#pragma once

#include <algorithm>
#include <string>

#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {

struct HopLimitTargetField {
  const char* set_what;     // the --PREFIX-set value in messages: "TTL value" / "hop limit"
  const char* change_what;  // before " decrement" / " increment": "TTL" / "hop limit"
};

class HopLimitTarget : public Target {
 public:
  enum Mode : uint8_t { kSet = 0, kInc = 1, kDec = 2 };  // IPT_TTL_* / IP6T_HL_*
  HopLimitTarget(const ExtensionInfo* info, const HopLimitTargetField& field)
      : Target(info), field_(field) {}

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) final {
    if (given_ >= 0) {
      if (given_ == option) return Status::Error("only one '--" + OptionName(option) + "' allowed");
      return Status::Error("only one of --" + OptionName(0) + ", --" + OptionName(1) + " and --" +
                           OptionName(2) + " allowed");
    }
    given_ = option;
    mode_ = option == 0 ? kSet : option == 1 ? kDec : kInc;
    if (option == 0) return ParseUIntArgT(args, 0, 0, 255, field_.set_what, &value_);
    const std::string what =
        std::string(field_.change_what) + (option == 1 ? " decrement" : " increment");
    return ParseUIntArgT(args, 0, 1, 255, what, &value_);
  }
  Status Finish(const ParseContext&) final {
    if (given_ < 0)
      return Status::Error("one of --" + OptionName(0) + ", --" + OptionName(1) + " or --" +
                           OptionName(2) + " is required");
    return {};
  }
  void Save(std::string& out, const SaveContext&) const final {
    const int option = mode_ == kSet ? 0 : mode_ == kDec ? 1 : 2;
    SaveOpt(out, info().options[option].name, std::to_string(value_));
  }

  // --PREFIX-set: every bit given; an increment or decrement saturates, so
  // the new value is no bit formula: unknown.
  TargetEffect DescribeEffect(Family) const final {
    if (mode_ == kSet) return describe::SetBits(Field::kTtl, 0xff, value_);
    return describe::SetUnknown(Field::kTtl);
  }
  Mode mode() const { return mode_; }
  uint8_t value() const { return value_; }

 protected:
  // The field's new value (xt_HL's ttl_tg / hl_tg6).
  uint8_t NewValue(uint8_t old) const {
    int v = mode_ == kSet ? value_ : mode_ == kInc ? std::min(old + value_, 255)
                                                   : std::max(old - value_, 0);
    return static_cast<uint8_t>(v);
  }

 private:
  std::string OptionName(int option) const { return std::string(info().options[option].name); }

  const HopLimitTargetField& field_;
  Mode mode_ = kSet;
  uint8_t value_ = 0;
  int given_ = -1;
};

}  // namespace iptsim
