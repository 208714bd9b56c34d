// Extension: statistic (match, IPv4 IPv6)
// Synopsis: -m statistic --mode random [!] --probability P
//   | -m statistic --mode nth [!] --every N --packet P
// Semantics: random: matches each packet with probability P (0..1, stored
//   as round(P * 2^31)); nth: a counter shared by the rule matches every
//   N-th packet, the first match being packet P (0 <= P < N).  "!" inverts
//   the result.  --mode is required, and the options of the other mode are
//   refused.  Saved as --mode random [!] --probability %.11f, or --mode nth
//   [!] --every N --packet P.
// Example: -m statistic --mode nth --every 3 --packet 0
// Evaluation: yes (--mode nth: the rule's counter runs across the packets of a run; --mode random: probability 0 and 1 decided, otherwise drawn from the run's generator with --seed N (the top 31 bits of the next std::mt19937_64 output below P*2^31), every branch followed with --explore, else unknown: --assume statistic=true|false)
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "engine/run_state.h"
#include "matchers/misc_util.h"
#include "matchers/parse_util.h"
#include "matchers/eval_result.h"

namespace iptsim {
namespace {

// The rule's nth counter (the kernel's info->master->count).
struct NthState : ExtState {
  uint32_t count = 0;
  bool started = false;
};

constexpr OptionSpec kOptions[] = {
    {"mode", 1, false}, {"probability", 1, true}, {"every", 1, true}, {"packet", 1, false}};
enum { kMode, kProbability, kEvery, kPacket };

class StatisticMatch : public Match {
 public:
  using Match::Match;
  enum class Mode : uint8_t { kNone, kRandom, kNth };

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    if (invert) invert_ = true;
    if (Status s = given_.Once(option, kOptions); !s.ok()) return s;
    std::string a(args[0].text);
    switch (option) {
      case kMode:
        if (a == "random") mode_ = Mode::kRandom;
        else if (a == "nth") mode_ = Mode::kNth;
        else return Status::Error("invalid mode '" + a + "' (expected random or nth)", 0);
        return {};
      case kProbability: {
        char* end = nullptr;
        double p = strtod(a.c_str(), &end);
        // NaN passes iptables' range check and becomes 0 (lround gives
        // LONG_MIN); anything else must be in 0..1.
        if (a.empty() || *end != '\0' || p < 0.0 || p > 1.0)
          return Status::Error("invalid probability '" + a + "' (must be 0..1)", 0);
        probability_ = std::isnan(p) ? 0 : static_cast<uint32_t>(lround(2147483648.0 * p));
        return {};
      }
      case kEvery: {
        uint32_t every;
        if (Status s = UIntArgT(args, 0, 1, 0xffffffff, "--every value", &every); !s.ok())
          return s;
        every_ = every - 1;  // stored minus one, as the kernel wants it
        return {};
      }
      case kPacket:
        return UIntArgT(args, 0, 0, 0xffffffff, "--packet value", &packet_);
    }
    return {};
  }

  Status Finish(const ParseContext&) override {
    // xtables' exclusions, in option order.
    if (given_.Has(kProbability)) {
      if (given_.Has(kEvery)) return Conflict(kOptions, kProbability, kEvery);
      if (given_.Has(kPacket)) return Conflict(kOptions, kProbability, kPacket);
    }
    if (given_.Has(kEvery) && !given_.Has(kPacket))
      return Status::Error("'--every' needs '--packet'");
    if (given_.Has(kPacket) && !given_.Has(kEvery))
      return Status::Error("'--packet' needs '--every'");
    if (mode_ == Mode::kNone) return Status::Error("'--mode random|nth' is required");
    if (mode_ == Mode::kRandom && !given_.Has(kProbability))
      return Status::Error("'--probability' is required with --mode random");
    if (mode_ == Mode::kNth && !given_.Has(kEvery))
      return Status::Error("'--every' and '--packet' are required with --mode nth");
    if (packet_ > every_)
      return Status::Error("'--packet " + std::to_string(packet_) + "' must be less than '--every " +
                           std::to_string(uint64_t{every_} + 1) + "'");
    return {};
  }

  // xt_statistic.c statistic_mt.  nth: iptables stores --every N as N-1 and
  // starts the rule's counter at (N-1) - P (libxt_statistic final_check);
  // each packet moves it to 0 when it equals N-1, else adds one, and the
  // packet matches when it became 0.  The counter belongs to the rule and
  // lives for the run (a lone evaluation starts it fresh).  random: matches
  // when (prandom_u32() & 0x7fffffff) < probability: never for 0, always for
  // 2^31 (--probability 1), otherwise a decision of the run (RunState::
  // Decide: --explore, --seed), or unknown.
  Tri Evaluate(const PacketView&, EvalContext& ctx) const override {
    if (mode_ == Mode::kNth) {
      NthState fresh;
      NthState& st = ctx.run ? ctx.run->For<NthState>(this) : fresh;
      if (!st.started) {
        st.count = every_ - packet_;
        st.started = true;
      }
      st.count = st.count == every_ ? 0 : st.count + 1;
      return ToTri((st.count == 0) != invert_);
    }
    if (probability_ == 0) return ToTri(invert_);
    if (probability_ >= 0x80000000u) return ToTri(!invert_);
    if (ctx.run) {
      if (std::optional<bool> yes = ctx.run->Decide(probability_)) return ToTri(*yes != invert_);
    }
    return UndecidedTest(ctx, *this,
                         "the outcome of the random draw (or draw it with --seed N or --explore)",
                         invert_);
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (mode_ == Mode::kRandom) {
      SaveOpt(out, "mode", std::string_view("random"));
      char buf[64];
      snprintf(buf, sizeof buf, "%.11f", 1.0 * probability_ / 2147483648.0);
      SaveOpt(out, "probability", buf, invert_);
    } else {
      SaveOpt(out, "mode", std::string_view("nth"));
      SaveOpt(out, "every", std::to_string(uint64_t{every_} + 1), invert_);
      SaveOpt(out, "packet", std::to_string(packet_));
    }
  }

  Mode mode() const { return mode_; }
  bool invert() const { return invert_; }
  // Probability as a fraction of 2^31.
  uint32_t probability() const { return probability_; }
  uint32_t every() const { return every_ + 1; }
  uint32_t packet() const { return packet_; }

 private:
  GivenOptions given_;
  Mode mode_ = Mode::kNone;
  bool invert_ = false;
  uint32_t probability_ = 0, every_ = 0, packet_ = 0;
};

}  // namespace

extern const ExtensionInfo kStatisticMatch = {
    .name = "statistic",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<StatisticMatch>,
    .may_be_undecided = true,
};

}  // namespace iptsim
