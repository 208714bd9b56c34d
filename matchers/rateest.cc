// Extension: rateest (match, IPv4 IPv6)
// Synopsis: -m rateest [--rateest-delta] --rateest NAME
//   [!] --rateest-lt|--rateest-gt|--rateest-eq
//   (--rateest-bps [RATE] | --rateest-pps [N] | --rateest-bps1 [RATE] --rateest-bps2 [RATE] | ...)
//   | -m rateest [--rateest-delta] --rateest1 NAME ... --rateest2 NAME
// Semantics: compares the rate measured by the estimator NAME (created by
//   -j RATEEST) in bits or packets per second with a given rate (absolute
//   mode) or with a second estimator (--rateest2, relative mode); with
//   --rateest-delta the rates are first subtracted from the given ones.
//   RATE is bits per second with an optional unit (bit, kbit, mbit, Kibit,
//   Bps, KBps, ...).  The kernel needs one of bps/pps and one of
//   lt/gt/eq, and the estimators must exist when the rule is loaded
//   (created by a RATEEST rule before it, or in an earlier table: not
//   checked here).  Names are cut to 15 characters.
// Example: -m rateest --rateest ext --rateest-gt --rateest-bps 10mbit
// Evaluation: partial: always unknown (needs the rate estimators' measured rates)
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <strings.h>

#include "matchers/misc_util.h"
#include "matchers/parse_util.h"
#include "matchers/eval_result.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"rateest1", 1, false},          {"rateest", 1, false},
    {"rateest2", 1, false},          {"rateest-bps1", kOptionalArg, false},
    {"rateest-pps1", kOptionalArg, false}, {"rateest-bps2", kOptionalArg, false},
    {"rateest-pps2", kOptionalArg, false}, {"rateest-bps", kOptionalArg, false},
    {"rateest-pps", kOptionalArg, false},  {"rateest-delta", 0, false},
    {"rateest-lt", 0, true},         {"rateest-gt", 0, true},
    {"rateest-eq", 0, true},
};
enum { kName1, kNameAlias, kName2, kBps1, kPps1, kBps2, kPps2, kBpsAlias, kPpsAlias, kDelta, kLt,
       kGt, kEq };
constexpr size_t kMaxName = 15;  // IFNAMSIZ - 1

// Units of rateest_get_rate (iproute2's), compared without case; the first
// that matches wins.
constexpr struct {
  const char* name;
  double scale;
} kUnits[] = {
    {"bit", 1.},          {"Kibit", 1024.},        {"kbit", 1000.},
    {"Mibit", 1048576.},  {"mbit", 1000000.},      {"Gibit", 1073741824.},
    {"gbit", 1e9},        {"Tibit", 1099511627776.}, {"tbit", 1e12},
    {"Bps", 8.},          {"KiBps", 8. * 1024},    {"KBps", 8000.},
    {"MiBps", 8. * 1048576}, {"MBps", 8e6},        {"GiBps", 8. * 1073741824},
    {"GBps", 8e9},        {"TiBps", 8. * 1099511627776.}, {"TBps", 8e12},
};

bool ParseRate(const std::string& s, uint32_t* bytes_per_sec) {
  char* end = nullptr;
  double v = strtod(s.c_str(), &end);
  if (end == s.c_str()) return false;
  double scale = 1;
  if (*end) {
    bool found = false;
    for (const auto& u : kUnits)
      if (strcasecmp(u.name, end) == 0) {
        scale = u.scale;
        found = true;
        break;
      }
    if (!found) return false;
  }
  double r = v * scale / 8.;
  // Assigned to a uint32_t in C: on x86-64 the 64-bit conversion, truncated.
  if (!(r > -9.2e18 && r < 9.2e18)) return false;
  *bytes_per_sec = static_cast<uint32_t>(static_cast<int64_t>(r));
  return true;
}

std::string FormatRate(uint32_t bytes_per_sec) {
  double bits = static_cast<double>(bytes_per_sec) * 8;
  char buf[64];
  if (bits >= 1e9) snprintf(buf, sizeof buf, "%.0fMbit", bits / 1e6);
  else if (bits >= 1e6) snprintf(buf, sizeof buf, "%.0fKbit", bits / 1e3);
  else snprintf(buf, sizeof buf, "%.0fbit", bits);
  return buf;
}

class RateestMatch : public Match {
 public:
  using Match::Match;
  enum class Mode : uint8_t { kNone, kEq, kLt, kGt };

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    // Aliases share one flag, as in libxt_rateest.
    int id = option == kNameAlias ? kName1
             : option == kBpsAlias ? kBps2
             : option == kPpsAlias ? kPps2
                                   : option;
    if (given_.Has(id))
      return Status::Error("option " + OptName(kOptions, option) + " may be given only once");
    given_.Set(id);
    switch (id) {
      case kName1:
      case kName2:
        (id == kName1 ? name1_ : name2_) = std::string(args[0].text.substr(0, kMaxName));
        if (id == kName2) relative_ = true;
        return {};
      case kBps1:
      case kBps2:
        bps_ = true;
        if (!args.empty() && !ParseRate(std::string(args[0].text), id == kBps1 ? &bps1_ : &bps2_))
          return Status::Error("invalid rate '" + std::string(args[0].text) +
                                   "' (expected bits per second, e.g. 800, 10kbit, 2mbit, 1MBps)",
                               0);
        return {};
      case kPps1:
      case kPps2:
        pps_ = true;
        if (!args.empty())
          return UIntArgT(args, 0, 0, 0xffffffff, "packets per second", id == kPps1 ? &pps1_ : &pps2_);
        return {};
      case kDelta:
        delta_ = true;
        return {};
      case kLt:
      case kGt:
      case kEq:
        mode_ = id == kLt ? Mode::kLt : id == kGt ? Mode::kGt : Mode::kEq;
        if (invert) invert_ = true;
        return {};
    }
    return {};
  }

  Status Check(const CheckContext&) const override {
    if (!bps_ && !pps_)
      return Status::Error("the kernel needs '--rateest-bps' or '--rateest-pps'");
    if (mode_ == Mode::kNone)
      return Status::Error("the kernel needs '--rateest-lt', '--rateest-gt' or '--rateest-eq'");
    return {};
  }

  // xt_rateest.c xt_rateest_mt: compares rates measured by RATEEST targets.
  Tri Evaluate(const PacketView&, EvalContext& ctx) const override {
    return UndecidedTest(ctx, *this,
                         "whether the rates RATEEST measured over time pass the comparison (one "
                         "packet cannot give them)",
                         invert_);
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (delta_) SaveOpt(out, "rateest-delta");
    SaveOpt(out, relative_ ? "rateest1" : "rateest", name1_);
    if (bps_) SaveRates(out, "bps", FormatRate(bps1_), FormatRate(bps2_));
    if (pps_) SaveRates(out, "pps", std::to_string(pps1_), std::to_string(pps2_));
    if (relative_) SaveOpt(out, "rateest2", name2_);
  }

  const std::string& name1() const { return name1_; }
  const std::string& name2() const { return name2_; }
  bool relative() const { return relative_; }
  bool delta() const { return delta_; }
  bool bps() const { return bps_; }
  bool pps() const { return pps_; }
  uint32_t bps1() const { return bps1_; }  // bytes per second
  uint32_t bps2() const { return bps2_; }
  uint32_t pps1() const { return pps1_; }
  uint32_t pps2() const { return pps2_; }
  Mode mode() const { return mode_; }
  bool invert() const { return invert_; }

 private:
  void SaveMode(std::string& out) const {
    static constexpr const char* kNames[] = {nullptr, "rateest-eq", "rateest-lt", "rateest-gt"};
    if (mode_ != Mode::kNone) SaveOpt(out, kNames[static_cast<int>(mode_)], invert_);
  }
  void SaveRates(std::string& out, const std::string& what, const std::string& r1,
                 const std::string& r2) const {
    if (delta_) {
      SaveOpt(out, "rateest-" + what + "1", r1);
      SaveMode(out);
      SaveOpt(out, "rateest-" + what + "2");
    } else {
      SaveMode(out);
      SaveOpt(out, "rateest-" + what);
    }
    if (!relative_ || delta_) {
      out += ' ';
      out += r2;
    }
  }

  GivenOptions given_;
  std::string name1_, name2_;
  bool relative_ = false, delta_ = false, bps_ = false, pps_ = false, invert_ = false;
  uint32_t bps1_ = 0, bps2_ = 0, pps1_ = 0, pps2_ = 0;
  Mode mode_ = Mode::kNone;
};

}  // namespace

extern const ExtensionInfo kRateestMatch = {
    .name = "rateest",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<RateestMatch>,
    .may_be_undecided = true,
};

}  // namespace iptsim
