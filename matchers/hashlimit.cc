// Extension: hashlimit (match, IPv4 IPv6)
// Synopsis: -m hashlimit --hashlimit-name NAME
//   (--hashlimit-upto | --hashlimit-above) RATE[/second|/minute|/hour|/day] | BYTES[k|m]b/s
//   [--hashlimit-burst N[k|m][b]] [--hashlimit-mode srcip,srcport,dstip,dstport]
//   [--hashlimit-srcmask LEN] [--hashlimit-dstmask LEN] [--hashlimit-htable-size N]
//   [--hashlimit-htable-max N] [--hashlimit-htable-gcinterval MS]
//   [--hashlimit-htable-expire MS] [--hashlimit-rate-match [--hashlimit-rate-interval S]]
// Semantics: one token bucket per flow, the flow being the fields of
//   --hashlimit-mode (none: one bucket for all) with addresses cut to the
//   masks; --hashlimit-upto matches while the flow is within RATE (burst N,
//   default 5), --hashlimit-above matches when it exceeds it; "!" swaps the
//   two.  A rate ending in b/s counts bytes instead of packets.  With
//   --hashlimit-rate-match the rule matches on the measured rate and does
//   not consume tokens.  Buckets live in the table NAME (shared by rules of
//   the same name).  The kernel (revision 3) refuses a gcinterval or expire
//   of 0, masks longer than the address, a rate-match rate of 0 and a byte
//   rate beyond its credit range.  Saved with the rate re-expressed in the
//   largest exact unit, the burst always (packets) or when given (bytes),
//   and the expiry only when it differs from the rate's unit.
// Example: -m hashlimit --hashlimit-upto 50/sec --hashlimit-burst 100 --hashlimit-mode srcip --hashlimit-name perip
// Evaluation: yes (per-flow buckets shared by name across the packets of a run, against their --time: the kernel's revision-3 arithmetic at HZ 250, packets and bytes, --hashlimit-rate-match; the table's settings come from the first rule using it in the run; unknown when an expired entry's garbage collection, or the kernel's default table size, would decide)
#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <vector>

#include "engine/run_state.h"
#include "matchers/misc_util.h"
#include "matchers/run_clock.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"hashlimit-upto", 1, true},
    {"hashlimit-above", 1, true},
    {"hashlimit", 1, true},  // old name of --hashlimit-upto
    {"hashlimit-srcmask", 1, false},
    {"hashlimit-dstmask", 1, false},
    {"hashlimit-burst", 1, false},
    {"hashlimit-htable-size", 1, false},
    {"hashlimit-htable-max", 1, false},
    {"hashlimit-htable-gcinterval", 1, false},
    {"hashlimit-htable-expire", 1, false},
    {"hashlimit-mode", 1, false},
    {"hashlimit-name", 1, false},
    {"hashlimit-rate-match", 0, false},
    {"hashlimit-rate-interval", 1, false},
};
enum {
  kUpto,
  kAbove,
  kOldUpto,
  kSrcMask,
  kDstMask,
  kBurst,
  kSize,
  kMax,
  kGcInterval,
  kExpire,
  kMode,
  kName,
  kRateMatch,
  kRateInterval,
};

constexpr uint64_t kScale = 1000000;  // XT_HASHLIMIT_SCALE_v2
constexpr uint64_t kDefaultBurst = 5;
constexpr uint64_t kBurstMax = 1000000;  // XT_HASHLIMIT_BURST_MAX
constexpr uint32_t kDefaultGcInterval = 1000;
constexpr uint32_t kByteExpire = 15;        // seconds, XT_HASHLIMIT_BYTE_EXPIRE
constexpr uint32_t kByteExpireBurst = 60;   // seconds, XT_HASHLIMIT_BYTE_EXPIRE_BURST
constexpr size_t kMaxNameLen = 254;         // char name[NAME_MAX]

// Mode bits as in xt_hashlimit.h.
constexpr uint32_t kHashDip = 1, kHashDpt = 2, kHashSip = 4, kHashSpt = 8;
constexpr uint32_t kInvert = 0x10, kBytes = 0x20, kRateMatchBit = 0x40;

// Byte rates are stored as a "cost": UINT32_MAX / ((bytes >> 4) + 1).
uint64_t CostToBytes(uint64_t cost) {
  uint64_t r = cost ? 0xffffffffULL / cost : 0xffffffffULL;
  return (r - 1) << 4;
}
uint64_t BytesToCost(uint64_t bytes) {
  uint32_t r = static_cast<uint32_t>(bytes >> 4);  // truncated to 32 bits, as in libxt_hashlimit
  uint32_t d = r + 1;
  return d ? 0xffffffffULL / d : 0;
}
uint64_t UnitFactor(char c) {
  if (c == 'm') return 1024 * 1024;
  if (c == 'k') return 1024;
  return 1;
}

// The kernel's constants at HZ 250 (run_clock.h), revision 3:
// CREDITS_PER_JIFFY is the power of two below 2^64 / (HZ * 86400),
// CREDITS_PER_JIFFY_BYTES the one below 2^32 / HZ.
constexpr uint64_t kCreditsPerJiffy = 1ull << 39;
constexpr uint64_t kCreditsPerJiffyBytes = 1ull << 24;
constexpr uint64_t kBytesCap = kCreditsPerJiffyBytes * run_clock::kHz;
static_assert(kCreditsPerJiffy <= ~0ull / (run_clock::kHz * 86400) &&
              kCreditsPerJiffy * 2 > ~0ull / (run_clock::kHz * 86400));
static_assert(kCreditsPerJiffyBytes <= 0xffffffffull / run_clock::kHz &&
              kCreditsPerJiffyBytes * 2 > 0xffffffffull / run_clock::kHz);

// user2credits (revision >= 2): HZ * CREDITS_PER_JIFFY exceeds the scale,
// so the kernel multiplies by the integer quotient.
uint64_t UserToCredits(uint64_t user) {
  return user * ((run_clock::kHz * kCreditsPerJiffy) / kScale);
}
uint32_t UserToCreditsByte(uint32_t user) {
  return static_cast<uint32_t>((uint64_t{user} * run_clock::kHz * kCreditsPerJiffyBytes) >> 32);
}

// One flow's bucket (dsthash_ent.rateinfo, with its expiry).
struct HlBucket {
  int64_t prev = 0, expires = 0;
  uint64_t credit = 0, credit_cap = 0, cost = 0;                  // token bucket
  uint32_t interval = 0;                                          // rate-match
  bool prev_window = false;
  uint64_t current_rate = 0, rate = 0;
  int64_t burst = 0;
  bool operator==(const HlBucket&) const = default;
};
// The flow: destination address, source address, source and destination
// port, as dsthash_dst (fields outside the mode are zero).
using HlKey = std::array<uint8_t, 36>;

class HashlimitMatch;
// A table (--hashlimit-name), shared by the rules naming it for the run.
// Each entry lists the ways it may be: an entry whose expiry passed may or
// may not have been freed by the kernel's garbage collector (deferrable
// work, run every gcinterval ms at an unknown phase) - nullopt is "freed".
struct HlTable : ExtState {
  const HashlimitMatch* cfg = nullptr;
  int64_t last = 0;
  std::map<HlKey, std::vector<std::optional<HlBucket>>> entries;
};

class HashlimitMatch : public Match {
 public:
  explicit HashlimitMatch(const ExtensionInfo* info) : Match(info) {}

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext& ctx) override {
    InitMasks(ctx.family);
    int id = option == kOldUpto ? kUpto : option;
    if (Status s = given_.Once(id, kOptions); !s.ok()) return s;
    std::string_view a = args.empty() ? std::string_view() : args[0].text;
    switch (id) {
      case kUpto:
      case kAbove: {
        int other = id == kUpto ? kAbove : kUpto;
        if (given_.Has(other)) return Conflict(kOptions, id, other);
        // --hashlimit-above is the inverted --hashlimit-upto.
        if ((id == kAbove) != invert) mode_ |= kInvert;
        return ParseRate(a);
      }
      case kSrcMask:
      case kDstMask: {
        // xtables' XTTYPE_PLEN: a prefix length, or a network mask whose
        // length is taken (255 when it is not a prefix: the kernel refuses
        // that).
        uint32_t full = ctx.family == Family::kIPv4 ? 32 : 128;
        uint64_t v;
        IpAddr mask;
        if (ParseUInt(a, 0, full, &v) && v <= full) {
        } else if (ParseNumericHost(ctx.family, a, &mask)) {
          int len = MaskPrefixLen(ctx.family, mask);
          v = len >= 0 ? static_cast<uint64_t>(len) : 255;
        } else {
          return Status::Error("invalid prefix length '" + std::string(a) + "' (must be 0.." +
                                   std::to_string(full) + " or a network mask)",
                               0);
        }
        (id == kSrcMask ? srcmask_ : dstmask_) = static_cast<uint32_t>(v);
        return {};
      }
      case kBurst:
        return ParseBurst(a);
      case kSize:
        return UIntArgT(args, 0, 0, 0xffffffff, "hash table size", &size_);
      case kMax:
        return UIntArgT(args, 0, 0, 0xffffffff, "hash table maximum", &max_);
      case kGcInterval:
        return UIntArgT(args, 0, 0, 0xffffffff, "garbage collection interval", &gc_interval_);
      case kExpire:
        return UIntArgT(args, 0, 0, 0xffffffff, "expiry time", &expire_);
      case kMode:
        return ParseMode(a);
      case kName:
        if (a.empty()) return Status::Error("the name may not be empty", 0);
        // libxtables copies at most 254 characters into name[255].
        name_ = std::string(a.substr(0, kMaxNameLen));
        return {};
      case kRateMatch:
        mode_ |= kRateMatchBit;
        return {};
      case kRateInterval: {
        int64_t v = CAtoll(a);
        if (v <= 0 || v > 0x7fffffff)
          return Status::Error("invalid rate interval '" + std::string(a) +
                                   "' (expected a positive number of seconds)",
                               0);
        interval_ = static_cast<uint32_t>(v);
        return {};
      }
    }
    return {};
  }

  Status Finish(const ParseContext& ctx) override {
    InitMasks(ctx.family);
    if (!given_.Has(kUpto) && !given_.Has(kAbove))
      return Status::Error("one of '--hashlimit-upto' or '--hashlimit-above' is required");
    if (!given_.Has(kName)) return Status::Error("'--hashlimit-name NAME' is required");
    if (!given_.Has(kExpire)) expire_ = unit_secs_ * 1000;
    if (mode_ & kBytes) {
      uint64_t burst = 0;
      if (given_.Has(kBurst)) {
        uint64_t per = CostToBytes(avg_);
        // A rate below 16 bytes/s leaves no bytes per token: libxt_hashlimit
        // divides by zero here (iptables-restore 1.8.9 dies of SIGFPE).
        if (per == 0)
          return Status::Error("a byte burst cannot be used with a rate below 16b/s");
        if (burst_ < per)
          return Status::Error("burst cannot be smaller than " + std::to_string(per) + "b");
        burst = static_cast<uint32_t>(burst_ / per + (burst_ % per ? 1 : 0));
        if (!given_.Has(kExpire)) expire_ = kByteExpireBurst * 1000;
      }
      burst_ = burst;
    } else if (burst_ > kBurstMax) {
      return Status::Error("invalid burst " + std::to_string(burst_) + " (must be 1.." +
                           std::to_string(kBurstMax) + ")");
    }
    if (mode_ & kRateMatchBit) {
      if (!(mode_ & kBytes)) avg_ /= unit_secs_;
      if (interval_ == 0) interval_ = (mode_ & kBytes) ? 1 : static_cast<uint32_t>(unit_secs_);
    }
    return {};
  }

  Status Check(const CheckContext& ctx) const override {
    // The table appears as /proc/net/ipt_hashlimit/NAME.
    if (!ProcEntryNameValid(name_))
      return Status::Error("the kernel refuses the name '" + name_ +
                           "' (it names a /proc file: no '/', not '.' or '..')");
    if (gc_interval_ == 0)
      return Status::Error("the kernel refuses a garbage collection interval of 0");
    if (expire_ == 0) return Status::Error("the kernel refuses an expiry time of 0");
    uint32_t maxlen = ctx.family == Family::kIPv4 ? 32 : 128;
    if (srcmask_ > maxlen || dstmask_ > maxlen)
      return Status::Error("the kernel refuses a mask longer than " + std::to_string(maxlen) +
                           " bits");
    if (mode_ & kRateMatchBit) {
      if (avg_ == 0 || avg_ > 0xffffffffULL)
        return Status::Error("the kernel refuses this rate with --hashlimit-rate-match (it "
                             "rounds to 0 per second)");
    } else if (mode_ & kBytes) {
      // user2credits_byte(avg) is 0 for a cost of 1: the rate is beyond
      // what the kernel's byte credits can express.
      if (avg_ <= 1) return Status::Error("the kernel refuses this byte rate: it is too high");
    }
    return {};
  }

  void Save(std::string& out, const SaveContext& ctx) const override {
    SaveOpt(out, (mode_ & kInvert) ? "hashlimit-above" : "hashlimit-upto");
    uint64_t unit_ms;
    if (mode_ & kBytes) {
      out += ' ';
      unit_ms = SaveBytes(out);
    } else {
      out += ' ';
      out += FormatRate(avg_, kScale, &unit_ms);
      SaveOpt(out, "hashlimit-burst", std::to_string(burst_));
    }
    if (mode_ & (kHashSip | kHashSpt | kHashDip | kHashDpt)) {
      std::string m;
      auto add = [&](uint32_t bit, const char* name) {
        if (!(mode_ & bit)) return;
        if (!m.empty()) m += ',';
        m += name;
      };
      add(kHashSip, "srcip");
      add(kHashSpt, "srcport");
      add(kHashDip, "dstip");
      add(kHashDpt, "dstport");
      SaveOpt(out, "hashlimit-mode", m);
    }
    SaveOpt(out, "hashlimit-name", name_);
    if (size_) SaveOpt(out, "hashlimit-htable-size", std::to_string(size_));
    if (max_) SaveOpt(out, "hashlimit-htable-max", std::to_string(max_));
    if (gc_interval_ != kDefaultGcInterval)
      SaveOpt(out, "hashlimit-htable-gcinterval", std::to_string(gc_interval_));
    if (expire_ != unit_ms) SaveOpt(out, "hashlimit-htable-expire", std::to_string(expire_));
    uint32_t full = ctx.family == Family::kIPv4 ? 32 : 128;
    if (srcmask_ != full) SaveOpt(out, "hashlimit-srcmask", std::to_string(srcmask_));
    if (dstmask_ != full) SaveOpt(out, "hashlimit-dstmask", std::to_string(dstmask_));
    if (mode_ & kRateMatchBit) {
      SaveOpt(out, "hashlimit-rate-match");
      if (interval_ != 1) SaveOpt(out, "hashlimit-rate-interval", std::to_string(interval_));
    }
  }

  // xt_hashlimit.c hashlimit_mt_common, revision 3, HZ 250 (run_clock.h).
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    HlTable fresh_table;
    HlTable& t = ctx.run ? ctx.run->Named<HlTable>("hashlimit", name_) : fresh_table;
    if (!t.cfg) t.cfg = this;  // the table's settings: the first rule using it
    const HashlimitMatch& cfg = *t.cfg;
    int64_t now = run_clock::Jiffies(v.pkt->time);
    if (now < t.last) return run_clock::TimeBackwards(ctx);
    t.last = now;

    HlKey key;
    if (!cfg.FlowKey(v, &key)) {
      ctx.hotdrop = true;  // the ports cannot be read: the kernel drops the packet
      return Tri::kFalse;
    }
    auto found = t.entries.find(key);
    if (found == t.entries.end()) {
      if (Tri full = cfg.TableFull(t, ctx); full != Tri::kFalse) {
        if (full == Tri::kTrue) ctx.hotdrop = true;  // dsthash_alloc_init fails: hotdrop
        return full == Tri::kTrue ? Tri::kFalse : Tri::kUnknown;
      }
      found = t.entries.emplace(key, std::vector<std::optional<HlBucket>>{std::nullopt}).first;
    }
    // Each way the entry may be (see HlTable), and for an expired one both
    // "still there" and "collected": every way must give the same answer.
    std::vector<std::optional<HlBucket>> next;
    std::optional<bool> result;
    bool differs = false;
    for (const std::optional<HlBucket>& alt : found->second) {
      for (int way = 0; way < 2; ++way) {
        HlBucket b;
        if (way == 0) {
          if (!alt) continue;
          b = *alt;  // found: refill since the last packet
          b.expires = now + run_clock::MsecsToJiffies(cfg.expire_);
          cfg.Recalc(b, now);
        } else {
          if (alt && now < alt->expires) continue;  // not expired: not collected
          b = cfg.Init(now);
        }
        bool r = Decide(b, v);
        if (result && *result != r) differs = true;
        result = r;
        if (std::find(next.begin(), next.end(), std::optional<HlBucket>(b)) == next.end())
          next.push_back(b);
      }
    }
    if (differs)
      return UnknownResult(ctx, "-m hashlimit --hashlimit-name " + name_ +
                                   ": the flow's entry has expired, and whether the kernel's "
                                   "garbage collector (deferrable work) removed it yet decides "
                                   "the match");
    found->second = std::move(next);
    return ToTri(*result);
  }

  const std::string& name() const { return name_; }
  uint32_t mode() const { return mode_; }
  uint64_t avg() const { return avg_; }      // period (packets) or cost (bytes)
  uint64_t burst() const { return burst_; }
  uint32_t srcmask() const { return srcmask_; }
  uint32_t dstmask() const { return dstmask_; }
  uint32_t expire_ms() const { return expire_; }
  uint32_t interval() const { return interval_; }

 private:
  Status ParseRate(std::string_view a) {
    std::string bad = "invalid rate '" + std::string(a) +
                      "' (expected N[/second|/minute|/hour|/day] or BYTES[k|m]b/s)";
    size_t bps = a.find("b/s");
    if (bps != std::string_view::npos && bps != 0) {
      int64_t r = CAtoll(a);
      if (r != 0) {
        uint64_t bytes = static_cast<uint64_t>(r) * UnitFactor(a[bps - 1]);
        uint64_t cost = BytesToCost(bytes);
        if (cost == 0) return Status::Error("rate '" + std::string(a) + "' is too high", 0);
        avg_ = cost;
        mode_ |= kBytes;
        unit_secs_ = kByteExpire;
        return {};
      }
    }
    int64_t count;
    uint64_t unit;
    if (!ParseRateText(a, &count, &unit) || count == 0) return Status::Error(bad, 0);
    uint64_t avg = kScale * unit / static_cast<uint64_t>(count);
    if (avg == 0)
      return Status::Error("rate '" + std::string(a) + "' is too fast (at most 1000000/second)",
                           0);
    avg_ = avg;
    unit_secs_ = unit;
    return {};
  }

  Status ParseBurst(std::string_view a) {
    uint64_t v;
    size_t used;
    std::string bad = "invalid burst '" + std::string(a) + "' (must be 1..1000000, or a size " +
                      "such as 64kb or 1mb for byte rates)";
    if (!ParseUIntPrefix(a, 0, &v, &used) || v < 1) return Status::Error(bad, 0);
    if (used == a.size() && v > kBurstMax) return Status::Error(bad, 0);
    uint64_t f = used < a.size() ? UnitFactor(a[used]) : 1;
    if (v > UINT64_MAX / f) return Status::Error(bad, 0);
    burst_ = v * f;
    return {};
  }

  Status ParseMode(std::string_view a) {
    // strtok on ",|": empty words are skipped.
    size_t i = 0;
    while (i <= a.size()) {
      size_t j = a.find_first_of(",|", i);
      if (j == std::string_view::npos) j = a.size();
      std::string_view w = a.substr(i, j - i);
      if (!w.empty()) {
        if (w == "dstip") mode_ |= kHashDip;
        else if (w == "srcip") mode_ |= kHashSip;
        else if (w == "srcport") mode_ |= kHashSpt;
        else if (w == "dstport") mode_ |= kHashDpt;
        else
          return Status::Error("invalid mode '" + std::string(w) +
                                   "' (expected a list of srcip, srcport, dstip, dstport)",
                               0);
      }
      i = j + 1;
    }
    return {};
  }

  uint64_t SaveBytes(std::string& out) const {
    static constexpr struct {
      const char* name;
      uint32_t thresh;
    } kUnits[] = {{"m", 1024 * 1024}, {"k", 1024}, {"", 1}};
    uint64_t r = CostToBytes(avg_);
    size_t i = 0;
    for (; i < 2; ++i) {
      // The mask is computed in 32 bits in libxt_hashlimit: the upper half
      // of r is cleared, which matters for rates of 4 GiB/s and more.
      uint64_t masked = r & static_cast<uint64_t>(static_cast<uint32_t>(~(kUnits[i].thresh - 1)));
      if (r >= kUnits[i].thresh && BytesToCost(masked) == avg_) break;
    }
    out += std::to_string(r / kUnits[i].thresh) + kUnits[i].name + "b/s";
    if (burst_ == 0) return kByteExpire * 1000;
    r *= burst_;
    for (i = 0; i < 2; ++i)
      if (r >= kUnits[i].thresh) break;
    SaveOpt(out, "hashlimit-burst", std::to_string(r / kUnits[i].thresh) + kUnits[i].name + "b");
    return kByteExpireBurst * 1000;
  }

  GivenOptions given_;
  std::string name_;
  uint32_t mode_ = 0;
  uint64_t avg_ = 0;
  uint64_t burst_ = kDefaultBurst;
  uint32_t size_ = 0, max_ = 0, gc_interval_ = kDefaultGcInterval, expire_ = 0;
  uint32_t srcmask_ = 0, dstmask_ = 0, interval_ = 0;
  uint64_t unit_secs_ = 1;  // the rate's unit (udata->mult): default expiry and rate-match
  bool masks_set_ = false;

  // The flow (hashlimit_init_dst): the fields of the table's mode, masked.
  // False when the ports cannot be read (the kernel's hotdrop).
  bool FlowKey(const PacketView& v, HlKey* key) const {
    key->fill(0);
    const bool v4 = v.pkt->family == Family::kIPv4;
    auto put = [&](size_t at, IpAddr a, uint32_t len) {
      IpAddr m = PrefixMask(v.pkt->family, static_cast<int>(len));
      for (size_t i = 0; i < 16; ++i) (*key)[at + i] = a.b[i] & m.b[i];
    };
    if (mode_ & kHashDip) put(0, v.dst(), dstmask_);
    if (mode_ & kHashSip) put(16, v.src(), srcmask_);
    if (!(mode_ & (kHashDpt | kHashSpt))) return true;
    if (!v4 && !v.l4proto_found && !(v.is_fragment && v.fragoff)) return false;
    // IPv6: ipv6_skip_exthdr stops at the fragment header of a later
    // fragment, so the "protocol" is 44 and there are no ports.
    const uint8_t proto = !v4 && v.is_fragment && v.fragoff ? 44 : v.l4proto;
    int poff;
    switch (proto) {
      case 6: case 17: case 33: case 50: case 132: case 136: poff = 0; break;
      case 51: poff = 4; break;
      default: poff = -1;
    }
    uint8_t ports[4] = {0, 0, 0, 0};
    if (poff >= 0) {
      size_t at = static_cast<size_t>(v.thoff) + static_cast<size_t>(poff);
      if (at + 4 > v.size()) return false;
      std::copy(v.data() + at, v.data() + at + 4, ports);
    }
    if (mode_ & kHashSpt) std::copy(ports, ports + 2, key->begin() + 32);
    if (mode_ & kHashDpt) std::copy(ports + 2, ports + 4, key->begin() + 34);
    return true;
  }

  // A new entry: kTrue when the table is full (htable-max), kUnknown when
  // that depends on what the inputs do not give (the kernel's default table
  // size follows its memory; expired entries the collector may have freed).
  Tri TableFull(const HlTable& t, EvalContext& ctx) const {
    size_t certain = 0, possible = t.entries.size();
    for (const auto& [k, alts] : t.entries)
      if (std::all_of(alts.begin(), alts.end(), [](const auto& a) { return a.has_value(); }))
        ++certain;
    // htable_create: size 0 means one from the memory size (16..8192 for
    // more than 1 GiB... in any case at least 16); max 0 means 8 * size, and
    // a max below size is raised to size.
    std::optional<uint64_t> max;
    uint64_t least;
    if (size_) {
      max = max_ ? std::max<uint64_t>(max_, size_) : 8ull * size_;
      least = *max;
    } else {
      if (max_ >= 8192) max = max_;
      least = max_ ? std::max<uint64_t>(max_, 16) : 128;
    }
    if (possible < least) return Tri::kFalse;
    if (max && certain >= *max) return Tri::kTrue;
    if (max && possible < *max) return Tri::kFalse;
    return UnknownResult(ctx, "-m hashlimit --hashlimit-name " + name_ +
                                 ": a new entry may exceed the table's maximum size (give "
                                 "--hashlimit-htable-size and --hashlimit-htable-max)");
  }

  // rateinfo_init.
  HlBucket Init(int64_t now) const {
    HlBucket b;
    b.prev = now;
    b.expires = now + run_clock::MsecsToJiffies(expire_);
    if (mode_ & kRateMatchBit) {
      if (mode_ & kBytes) {
        uint32_t user = static_cast<uint32_t>(avg_);
        uint64_t r = user ? 0xffffffffULL / user : 0xffffffffULL;
        b.rate = (r - 1) << 4;  // user2rate_bytes
        b.burst = static_cast<int64_t>(burst_ ? burst_ * b.rate : b.rate);
      } else {
        b.rate = avg_ ? kScale / avg_ : 0;  // user2rate
        b.burst = static_cast<int64_t>(burst_ + b.rate);
      }
      b.interval = interval_;
    } else if (mode_ & kBytes) {
      b.credit = kBytesCap;
      b.cost = UserToCreditsByte(static_cast<uint32_t>(avg_));
      b.credit_cap = burst_;
    } else {
      b.credit = UserToCredits(avg_ * burst_);
      b.cost = UserToCredits(avg_);
      b.credit_cap = b.credit;
    }
    return b;
  }

  // rateinfo_recalc.
  void Recalc(HlBucket& b, int64_t now) const {
    uint64_t delta = static_cast<uint64_t>(now - b.prev);
    if (delta == 0) return;
    if (mode_ & kRateMatchBit) {
      uint64_t interval = uint64_t{b.interval} * run_clock::kHz;
      if (delta < interval) return;
      b.prev = now;
      b.prev_window = b.current_rate * interval > delta * b.rate;
      b.current_rate = 0;
      return;
    }
    b.prev = now;
    uint64_t cap;
    if (mode_ & kBytes) {
      uint64_t before = b.credit;
      b.credit += kCreditsPerJiffyBytes * delta;
      cap = kBytesCap;
      if (before >= b.credit) {  // overflow
        b.credit = cap;
        return;
      }
    } else {
      b.credit += delta * kCreditsPerJiffy;
      cap = b.credit_cap;
    }
    if (b.credit > cap) b.credit = cap;
  }

  // The verdict of this rule (its own mode: invert, rate-match, bytes) on
  // the refreshed bucket, paying the cost.
  bool Decide(HlBucket& b, const PacketView& v) const {
    const bool invert = mode_ & kInvert;
    const uint64_t len = v.size();
    if (mode_ & kRateMatchBit) {
      b.current_rate += (mode_ & kBytes) ? len : 1;
      return (!b.prev_window && b.current_rate <= static_cast<uint64_t>(b.burst)) != invert;
    }
    uint64_t cost;
    if (mode_ & kBytes) {
      // hashlimit_byte_cost
      uint64_t tmp = ((len >> 4) + 1) * b.cost;
      if (tmp > kBytesCap) tmp = kBytesCap;
      if (b.credit < tmp && b.credit_cap) {
        --b.credit_cap;
        b.credit = kBytesCap;
      }
      cost = static_cast<uint32_t>(tmp);
    } else {
      cost = b.cost;
    }
    if (b.credit >= cost) {
      b.credit -= cost;
      return !invert;
    }
    return invert;
  }

  // The default masks depend on the family, known only when parsing.
  void InitMasks(Family f) {
    if (masks_set_) return;
    masks_set_ = true;
    srcmask_ = dstmask_ = f == Family::kIPv4 ? 32 : 128;
  }
};

}  // namespace

extern const ExtensionInfo kHashlimitMatch = {
    .name = "hashlimit",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<HashlimitMatch>,
    .may_be_undecided = true,
};

}  // namespace iptsim
