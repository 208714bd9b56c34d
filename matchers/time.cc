// Extension: time (match, IPv4 IPv6)
// Synopsis: -m time [--datestart YYYY[-MM[-DD[Thh[:mm[:ss]]]]]] [--datestop ...]
//   [--timestart hh:mm[:ss]] [--timestop hh:mm[:ss]] [--contiguous]
//   [[!] --monthdays D[,D...]] [[!] --weekdays Mon|1[,...]] [--kerneltz|--utc]
// Semantics: matches when the packet's arrival time (UTC, or the kernel's
//   timezone with --kerneltz) lies between the dates, within the daily
//   window (which wraps past midnight when stop < start; --contiguous
//   makes such a window one span), on one of the month days (1..31) and
//   weekdays (Mon=1 .. Sun=7).  "!" selects the complementary days.
//   Dates are 1970..2038.  Saved as --timestart/--timestop (both, when
//   either differs from 00:00:00-23:59:59), --monthdays, --weekdays,
//   --datestart and --datestop (each unless 1970-01-01T00:00:00), --kerneltz,
//   --contiguous.  Like iptables 1.8.9, the default --datestop
//   (2038-01-19T03:14:07, INT_MAX) is always printed.
// Example: -m time --timestart 08:00 --timestop 18:00 --weekdays Mon,Tue,Wed,Thu,Fri
// Evaluation: partial: --kerneltz is unknown (the kernel's timezone, sys_tz, is not an input); UTC is evaluated against the packet's time
#include <ctime>

#include "matchers/misc_util.h"
#include "matchers/parse_util.h"
#include "matchers/eval_result.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"datestart", 1, false}, {"datestop", 1, false}, {"timestart", 1, false},
    {"timestop", 1, false},  {"contiguous", 0, false}, {"monthdays", 1, true},
    {"weekdays", 1, true},   {"localtz", 0, false},  {"utc", 0, false},
    {"kerneltz", 0, false},
};
enum { kDateStart, kDateStop, kTimeStart, kTimeStop, kContiguous, kMonthdays, kWeekdays,
       kLocalTz, kUtc, kKernelTz };

constexpr uint32_t kAllMonthdays = 0xfffffffe;
constexpr uint8_t kAllWeekdays = 0xfe;
constexpr uint32_t kMaxDaytime = 24 * 60 * 60 - 1;
constexpr uint32_t kDefaultDateStop = 0x7fffffff;  // INT_MAX
constexpr const char* kWeekDays[] = {nullptr, "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

// strtoul(s, &e, 10) restricted to plain digits: the value of the digit
// prefix (0 when there is none) and the rest.
uint64_t Digits(std::string_view* s) {
  uint64_t v = 0;
  size_t i = 0;
  while (i < s->size() && (*s)[i] >= '0' && (*s)[i] <= '9') {
    if (v < (uint64_t{1} << 40)) v = v * 10 + static_cast<uint64_t>((*s)[i] - '0');
    ++i;
  }
  s->remove_prefix(i);
  return v;
}

bool ParseDate(std::string_view s, uint32_t* out) {
  // Fields year, month, day, hour, minute, second, each followed by its
  // separator or the end; a field left out keeps its default.
  uint64_t f[6] = {0, 1, 1, 0, 0, 0};
  static constexpr char kSep[] = {'-', '-', 'T', ':', ':', '\0'};
  static constexpr uint64_t kMaxField[] = {2038, 12, 31, 23, 59, 59};
  for (int i = 0; i < 6; ++i) {
    f[i] = Digits(&s);
    if (!s.empty() && s[0] != kSep[i]) return false;
    if (f[i] > kMaxField[i] || (i == 0 && f[i] < 1970)) return false;
    if (s.empty()) break;
    s.remove_prefix(1);  // the separator; an empty next field reads as 0
  }
  struct tm tm = {};
  tm.tm_year = static_cast<int>(f[0]) - 1900;
  tm.tm_mon = static_cast<int>(f[1]) - 1;
  tm.tm_mday = static_cast<int>(f[2]);
  tm.tm_hour = static_cast<int>(f[3]);
  tm.tm_min = static_cast<int>(f[4]);
  tm.tm_sec = static_cast<int>(f[5]);
  time_t t = timegm(&tm);
  if (t < 0) return false;
  *out = static_cast<uint32_t>(t);
  return true;
}

bool ParseDaytime(std::string_view s, uint32_t* out) {
  uint64_t h = Digits(&s);
  if (s.empty() || s[0] != ':' || h > 23) return false;
  s.remove_prefix(1);
  uint64_t m = Digits(&s), sec = 0;
  if ((!s.empty() && s[0] != ':') || m > 59) return false;
  if (!s.empty()) {
    s.remove_prefix(1);
    sec = Digits(&s);
    if (!s.empty() || sec > 59) return false;
  }
  *out = static_cast<uint32_t>(h * 3600 + m * 60 + sec);
  return true;
}

// The comma-separated words of a day list, each cut to `keep` characters
// (iptables reads them into a small buffer).
template <typename F>
bool ForEachWord(std::string_view s, size_t keep, F&& f) {
  while (!s.empty()) {
    size_t comma = s.find(',');
    std::string_view w = s.substr(0, comma);
    if (!f(w.substr(0, keep))) return false;
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return true;
}

std::string FormatDate(uint32_t t) {
  time_t tt = t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  char buf[96];
  snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string FormatDaytime(uint32_t t) {
  char buf[48];
  snprintf(buf, sizeof buf, "%02u:%02u:%02u", t / 3600, t / 60 % 60, t % 60);
  return buf;
}

class TimeMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    if (Status s = given_.Once(option, kOptions); !s.ok()) return s;
    std::string_view a = args.empty() ? std::string_view() : args[0].text;
    switch (option) {
      case kDateStart:
      case kDateStop:
        if (!ParseDate(a, option == kDateStart ? &date_start_ : &date_stop_))
          return Status::Error("invalid date '" + std::string(a) +
                                   "' (expected YYYY[-MM[-DD[Thh[:mm[:ss]]]]], 1970..2038)",
                               0);
        return {};
      case kTimeStart:
      case kTimeStop:
        if (!ParseDaytime(a, option == kTimeStart ? &daytime_start_ : &daytime_stop_))
          return Status::Error("invalid time '" + std::string(a) +
                                   "' (expected hh:mm[:ss], 00:00:00..23:59:59)",
                               0);
        return {};
      case kContiguous:
        contiguous_ = true;
        return {};
      case kMonthdays: {
        uint32_t mask = 0;
        std::string bad;
        bool ok = ForEachWord(a, 2, [&](std::string_view w) {
          uint64_t d;
          size_t used;
          if (w.empty()) d = 0, used = 0;
          else if (!ParseUIntPrefix(w, 0, &d, &used)) used = 0, d = 99;
          if (used != w.size() || d > 31) {
            bad = std::string(w);
            return false;
          }
          mask |= uint32_t{1} << d;
          return true;
        });
        if (!ok) return Status::Error("'" + bad + "' is not a valid day of the month (1..31)", 0);
        monthdays_ = invert ? mask ^ kAllMonthdays : mask;
        return {};
      }
      case kWeekdays: {
        uint32_t mask = 0;
        std::string bad;
        bool sunday0 = false;
        bool ok = ForEachWord(a, 3, [&](std::string_view w) {
          uint64_t d;
          size_t used;
          if (w.empty() || (ParseUIntPrefix(w, 0, &d, &used) && used == w.size())) {
            if (w.empty()) d = 0;  // strtoul("") is 0
            if (d == 0) {
              sunday0 = true;
              return false;
            }
            if (d > 31) {
              bad = std::string(w);
              return false;
            }
            mask |= uint32_t{1} << d;
            return true;
          }
          bool found = false;
          for (int i = 1; i <= 7; ++i)
            if (w.size() >= 2 && w.substr(0, 2) == std::string_view(kWeekDays[i]).substr(0, 2)) {
              mask |= 1u << i;
              found = true;
            }
          if (!found) bad = std::string(w);
          return found;
        });
        if (sunday0)
          return Status::Error("weekday 0 does not exist: the week runs from 1 (Mon) to 7 (Sun)", 0);
        if (!ok)
          return Status::Error("'" + bad + "' is not a valid weekday (Mon..Sun or 1..7)", 0);
        weekdays_ = invert ? mask ^ kAllWeekdays : mask;
        return {};
      }
      case kLocalTz:
      case kKernelTz:
        kernel_tz_ = true;
        return {};
      case kUtc:
        return {};
    }
    return {};
  }

  Status Finish(const ParseContext&) override {
    if (given_.Has(kUtc)) {
      if (given_.Has(kLocalTz)) return Conflict(kOptions, kLocalTz, kUtc);
      if (given_.Has(kKernelTz)) return Conflict(kOptions, kUtc, kKernelTz);
    }
    if (contiguous_ && daytime_start_ < daytime_stop_)
      return Status::Error("'--contiguous' only makes sense when --timestop is before --timestart");
    return {};
  }

  // xt_time.c time_mt, with "now" (ktime_get_real_seconds) = the packet's
  // time (PacketSpec --time, UTC seconds since the epoch).
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    if (kernel_tz_)
      return UndecidedTest(ctx, *this,
                           "the kernel's timezone (sys_tz) for --kerneltz, which is not an "
                           "input (the whole test: true, the time is in the window)",
                           false);
    double t = v.pkt->time;
    uint64_t stamp = t <= 0 ? 0 : static_cast<uint64_t>(t);
    if (stamp < date_start_ || stamp > date_stop_) return Tri::kFalse;
    uint32_t packet_time = static_cast<uint32_t>(stamp % 86400);  // localtime_1
    if (daytime_start_ < daytime_stop_) {
      if (packet_time < daytime_start_ || packet_time > daytime_stop_) return Tri::kFalse;
    } else {
      if (packet_time < daytime_start_ && packet_time > daytime_stop_) return Tri::kFalse;
      // --contiguous: the part after midnight belongs to the day before.
      if (contiguous_ && packet_time <= daytime_stop_) stamp -= 86400;
    }
    uint64_t dse = stamp / 86400;
    uint32_t weekday = static_cast<uint32_t>((4 + dse - 1) % 7 + 1);  // localtime_2: Mon=1
    if (!(weekdays_ & (1u << weekday))) return Tri::kFalse;
    if (monthdays_ != kAllMonthdays) {
      // localtime_3: the day of the month (proleptic Gregorian, UTC).
      int64_t z = static_cast<int64_t>(dse) + 719468;
      int64_t era = z / 146097;
      int64_t doe = z - era * 146097;
      int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
      int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
      int64_t mp = (5 * doy + 2) / 153;
      uint32_t mday = static_cast<uint32_t>(doy - (153 * mp + 2) / 5 + 1);
      if (!(monthdays_ & (1u << mday))) return Tri::kFalse;
    }
    return Tri::kTrue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (daytime_start_ != 0 || daytime_stop_ != kMaxDaytime) {
      SaveOpt(out, "timestart", FormatDaytime(daytime_start_));
      SaveOpt(out, "timestop", FormatDaytime(daytime_stop_));
    }
    if (monthdays_ != kAllMonthdays) {
      std::string s;
      for (int i = 1; i <= 31; ++i)
        if (monthdays_ & (1u << i)) s += (s.empty() ? "" : ",") + std::to_string(i);
      SaveOpt(out, "monthdays", s);
    }
    if (weekdays_ != kAllWeekdays) {
      std::string s;
      for (int i = 1; i <= 7; ++i)
        if (weekdays_ & (1u << i)) s += (s.empty() ? "" : ",") + std::string(kWeekDays[i]);
      SaveOpt(out, "weekdays", s);
    }
    if (date_start_ != 0) SaveOpt(out, "datestart", FormatDate(date_start_));
    if (date_stop_ != 0) SaveOpt(out, "datestop", FormatDate(date_stop_));
    if (kernel_tz_) SaveOpt(out, "kerneltz");
    if (contiguous_) SaveOpt(out, "contiguous");
  }

  uint32_t date_start() const { return date_start_; }  // seconds since the epoch
  uint32_t date_stop() const { return date_stop_; }
  uint32_t daytime_start() const { return daytime_start_; }  // seconds since midnight
  uint32_t daytime_stop() const { return daytime_stop_; }
  uint32_t monthdays() const { return monthdays_; }  // bit d for day d
  uint32_t weekdays() const { return weekdays_; }    // bit 1 Mon .. bit 7 Sun
  bool kernel_tz() const { return kernel_tz_; }
  bool contiguous() const { return contiguous_; }

 private:
  GivenOptions given_;
  uint32_t date_start_ = 0, date_stop_ = kDefaultDateStop;
  uint32_t daytime_start_ = 0, daytime_stop_ = kMaxDaytime;
  uint32_t monthdays_ = kAllMonthdays, weekdays_ = kAllWeekdays;
  bool kernel_tz_ = false, contiguous_ = false;
};

}  // namespace

extern const ExtensionInfo kTimeMatch = {
    .name = "time",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<TimeMatch>,
    .may_be_undecided = true,
};

}  // namespace iptsim
