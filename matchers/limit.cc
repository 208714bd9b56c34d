// Extension: limit (match, IPv4 IPv6)
// Synopsis: -m limit [--limit RATE[/second|/minute|/hour|/day]] [--limit-burst N]
// Semantics: a token bucket shared by all packets of the rule: matches while
//   tokens remain (bucket of N, default 5, refilled at RATE, default
//   3/hour).  RATE is stored as the period 10000*unit/RATE (xt_rateinfo.avg),
//   so 1..10000 per second, minute, hour or day; the kernel refuses a burst
//   of 0 and a period*burst that overflows its 32-bit credit arithmetic
//   (limit_mt_check, "Overflow, try lower"): e.g. 1/day or 3/day with the
//   default burst.  Saved as "--limit N/sec|min|hour|day", the burst only
//   when it is not 5.
// Example: -m limit --limit 10/minute --limit-burst 20
// Evaluation: yes (the first packet against a full bucket)
#include "matchers/misc_util.h"
#include "matchers/parse_util.h"
#include "matchers/eval_util_ev2.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"limit", 1, false}, {"limit-burst", 1, false}};
enum { kLimit, kBurst };

constexpr uint32_t kScale = 10000;        // XT_LIMIT_SCALE
constexpr uint32_t kDefaultBurst = 5;     // XT_LIMIT_BURST
constexpr uint32_t kHzCreditsPerJiffy = 32000;  // HZ * CREDITS_PER_JIFFY for HZ 250 and 1000

// The kernel's user2credits(), in its own 32-bit arithmetic.
uint32_t UserToCredits(uint32_t user) {
  if (user > 0xffffffffu / kHzCreditsPerJiffy) return (user / kScale) * kHzCreditsPerJiffy;
  return (user * kHzCreditsPerJiffy) / kScale;
}

class LimitMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    if (Status s = given_.Once(option, kOptions); !s.ok()) return s;
    if (option == kBurst) return UIntArgT(args, 0, 0, 10000, "burst", &burst_);
    int64_t count;
    uint64_t unit;
    if (!ParseRateText(args[0].text, &count, &unit) || count == 0)
      return Status::Error("invalid rate '" + std::string(args[0].text) +
                               "' (expected N[/second|/minute|/hour|/day])",
                           0);
    // The C code divides in 32-bit unsigned arithmetic.
    uint32_t r = static_cast<uint32_t>(count);
    uint32_t avg = r ? static_cast<uint32_t>(kScale * unit) / r : 0;
    if (avg == 0)
      return Status::Error("rate '" + std::string(args[0].text) +
                               "' is too fast (at most 10000/second)",
                           0);
    avg_ = avg;
    return {};
  }

  Status Check(const CheckContext&) const override {
    if (burst_ == 0) return Status::Error("the kernel refuses a burst of 0");
    uint32_t product = avg_ * burst_;
    if (UserToCredits(product) < UserToCredits(avg_))
      return Status::Error("the kernel refuses rate " + FormatRate(avg_, kScale) + " with burst " +
                           std::to_string(burst_) +
                           " (its credit arithmetic overflows: use a higher rate or a smaller "
                           "burst)");
    return {};
  }

  // xt_limit.c limit_mt: the bucket starts full (limit_mt_check: credit =
  // credit_cap = user2credits(avg * burst)); time since the rule was loaded
  // only adds credit up to that cap.  A packet matches when credit >= cost =
  // user2credits(avg).  One run is one packet: the first the rule sees.
  Tri Evaluate(const PacketView&, EvalContext&) const override {
    uint32_t credit = UserToCredits(avg_ * burst_);  // no overflow: limit_mt_check
    return ToTri(credit >= UserToCredits(avg_));
  }
  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, "limit", FormatRate(avg_, kScale));
    if (burst_ != kDefaultBurst) SaveOpt(out, "limit-burst", std::to_string(burst_));
  }

  // Period between packets in 1/10000 s, and the bucket size.
  uint32_t avg() const { return avg_; }
  uint32_t burst() const { return burst_; }

 private:
  GivenOptions given_;
  uint32_t avg_ = kScale * 3600 / 3;  // 3/hour
  uint32_t burst_ = kDefaultBurst;
};

}  // namespace

extern const ExtensionInfo kLimitMatch = {
    .name = "limit",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<LimitMatch>,
};

}  // namespace iptsim
