// Extension: RATEEST (target, IPv4 IPv6)
// Synopsis: -j RATEEST --rateest-name NAME --rateest-interval TIME --rateest-ewmalog TIME
// Semantics: feeds every packet into the rate estimator NAME (at most 15
//   characters; shared by all rules naming it and read by -m rateest) and
//   continues with the next rule.  TIME is a number with s, ms or us
//   (microseconds without a unit).  The interval is rounded up to 250ms,
//   500ms, 1s, 2s, 4s or 8s (more is refused); the averaging time constant
//   becomes interval * 2^n for the largest n (1..30) it still covers.  The
//   kernel refuses a second RATEEST of the same name with other
//   parameters (not checked here: it needs the whole table).  Saved with
//   both times recomputed ("250.0ms", "1.0s", "500us").
// Example: -j RATEEST --rateest-name ext --rateest-interval 1s --rateest-ewmalog 8s
// Evaluation: yes (the rule continues; the estimator's counters and rates are not modelled)
#include <strings.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "matchers/misc_util.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"rateest-name", 1, false}, {"rateest-interval", 1, false}, {"rateest-ewmalog", 1, false}};
enum { kName, kInterval, kEwmalog };
constexpr size_t kMaxName = 15;
constexpr double kUsPerSec = 1000000;

// RATEEST_get_time(): microseconds.
bool ParseTime(const std::string& s, uint32_t* us) {
  char* end = nullptr;
  double t = strtod(s.c_str(), &end);
  if (end == s.c_str()) return false;
  if (*end) {
    auto is = [&](const char* a, const char* b, const char* c) {
      return strcasecmp(end, a) == 0 || strcasecmp(end, b) == 0 || strcasecmp(end, c) == 0;
    };
    if (is("s", "sec", "secs")) t *= kUsPerSec;
    else if (is("ms", "msec", "msecs")) t *= kUsPerSec / 1000;
    else if (is("us", "usec", "usecs")) t *= 1;
    else return false;
  }
  // The C code assigns the double to an unsigned int: on x86-64 that
  // truncates the 64-bit integer conversion.
  if (!(t > -9.2e18 && t < 9.2e18)) return false;
  *us = static_cast<uint32_t>(static_cast<int64_t>(t));
  return true;
}

std::string FormatTime(uint32_t us) {
  char buf[64];
  double t = us;
  if (t >= kUsPerSec) snprintf(buf, sizeof buf, "%.1fs", t / kUsPerSec);
  else if (t >= kUsPerSec / 1000) snprintf(buf, sizeof buf, "%.1fms", t / (kUsPerSec / 1000));
  else snprintf(buf, sizeof buf, "%uus", us);
  return buf;
}

class RateestTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    if (Status s = given_.Once(option, kOptions); !s.ok()) return s;
    std::string a(args[0].text);
    if (option == kName) {
      name_ = a.substr(0, kMaxName);
      return {};
    }
    if (!ParseTime(a, option == kInterval ? &interval_us_ : &ewma_us_))
      return Status::Error("invalid time '" + a + "' (expected a number with s, ms or us)", 0);
    return {};
  }

  Status Finish(const ParseContext&) override {
    for (int o : {kName, kInterval, kEwmalog})
      if (!given_.Has(o)) return Status::Error(OptName(kOptions, o) + " is required");
    int i = 0;
    for (; i <= 5; ++i)
      if (interval_us_ <= (1u << i) * (1000000u / 4)) break;
    if (i > 5) return Status::Error("the interval is too long (at most 8s)");
    interval_ = static_cast<int8_t>(i - 2);
    int e = 1;
    for (; e < 32; ++e) {
      double w = 1.0 - 1.0 / static_cast<double>(1u << e);
      if (interval_us_ / (-log(w)) > ewma_us_) break;
    }
    --e;
    if (e == 0 || e >= 31)
      return Status::Error("the averaging time (--rateest-ewmalog) is out of range for this "
                           "interval");
    ewma_log_ = static_cast<uint8_t>(e);
    return {};
  }

  // A rate estimator counts (-m rateest is opaque): no verdict, no field changed.
  TargetEffect DescribeEffect(Family) const override { return describe::Continue(); }
  // xt_RATEEST.c xt_rateest_tg: adds the packet to the estimator's byte
  // and packet counters; the rule continues.  The estimator's rates (a
  // timer-driven moving average) are not modelled, so -m rateest stays
  // unknown.
  TargetVerdict Apply(Packet&, const PacketView&, EvalContext&) const override {
    return TargetVerdict::kContinue;
  }

  void Save(std::string& out, const SaveContext&) const override {
    uint32_t interval = (1000000u << (interval_ + 2)) / 4;
    uint32_t ewma = interval * (1u << ewma_log_);  // 32-bit, as in libxt_RATEEST
    SaveOpt(out, "rateest-name", name_);
    SaveOpt(out, "rateest-interval", FormatTime(interval));
    SaveOpt(out, "rateest-ewmalog", FormatTime(ewma));
  }

  const std::string& name() const { return name_; }
  // The kernel's gen_estimator parameters: interval 2^interval seconds
  // (-2..3), averaging weight 2^-ewma_log.
  int8_t interval() const { return interval_; }
  uint8_t ewma_log() const { return ewma_log_; }

 private:
  GivenOptions given_;
  std::string name_;
  uint32_t interval_us_ = 0, ewma_us_ = 0;
  int8_t interval_ = 0;
  uint8_t ewma_log_ = 0;
};

}  // namespace

extern const ExtensionInfo kRateestTarget = {
    .name = "RATEEST",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<RateestTarget>,
};

}  // namespace iptsim
