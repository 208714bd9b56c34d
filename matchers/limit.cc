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
// Evaluation: yes (the rule's bucket across the packets of a run, against their --time: kernel credit arithmetic at HZ 250, the ruleset loaded at time 0)
#include "engine/run_state.h"
#include "matchers/misc_util.h"
#include "matchers/run_clock.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"limit", 1, false}, {"limit-burst", 1, false}};
enum { kLimit, kBurst };

constexpr uint32_t kScale = 10000;        // XT_LIMIT_SCALE
constexpr uint32_t kDefaultBurst = 5;     // XT_LIMIT_BURST
constexpr uint32_t kHzCreditsPerJiffy = 32000;  // HZ * CREDITS_PER_JIFFY for HZ 250 and 1000
// CREDITS_PER_JIFFY at HZ 250: the power of two below 0xffffffff / (HZ * 86400).
constexpr uint32_t kCreditsPerJiffy = 128;
static_assert(kCreditsPerJiffy * run_clock::kHz == kHzCreditsPerJiffy);

// The rule's bucket (xt_limit_priv).
struct Bucket : ExtState {
  bool started = false;
  int64_t prev = 0;  // jiffies of the previous packet
  uint32_t credit = 0;
};

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

  // xt_limit.c limit_mt.  The bucket belongs to the rule and starts full
  // when the rule is loaded (time 0, matchers/run_clock.h): credit =
  // credit_cap = user2credits(avg * burst), cost = user2credits(avg).  A
  // packet first adds the jiffies since the previous packet times
  // CREDITS_PER_JIFFY, summed in 32 bits as the kernel does (so a gap of
  // 2^25 jiffies, about 37 hours, wraps), capped at credit_cap; it matches
  // and pays `cost` when credit >= cost.  A lone evaluation starts full at
  // the packet's time.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    Bucket fresh;
    Bucket& b = ctx.run ? ctx.run->For<Bucket>(this) : fresh;
    const uint32_t cap = UserToCredits(avg_ * burst_);  // no overflow: limit_mt_check
    const uint32_t cost = UserToCredits(avg_);
    int64_t now = run_clock::Jiffies(v.pkt->time);
    if (!b.started) {
      b.started = true;
      b.credit = cap;
      b.prev = ctx.run ? 0 : now;
    }
    if (now < b.prev) return run_clock::TimeBackwards(ctx);
    uint32_t increase = static_cast<uint32_t>(static_cast<uint64_t>(now - b.prev) * kCreditsPerJiffy);
    b.prev = now;
    uint32_t credit = b.credit + increase;
    if (credit > cap) credit = cap;
    bool ok = credit >= cost;
    if (ok) credit -= cost;
    b.credit = credit;
    return ToTri(ok);
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
