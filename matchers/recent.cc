// Extension: recent (match, IPv4 IPv6)
// Synopsis: -m recent [!] --set|--rcheck|--update|--remove [--name NAME]
//   [--rsource|--rdest] [--mask ADDR] [--seconds N [--reap]] [--hitcount N]
//   [--rttl]
// Semantics: keeps a list NAME (default DEFAULT) of source (or destination)
//   addresses, cut to --mask, with the times they were seen.  --set adds the
//   address and always matches; --rcheck matches when it is listed;
//   --update is --rcheck that also refreshes it; --remove matches and
//   deletes it.  --seconds, --hitcount and --rttl narrow the check
//   (last seen within N seconds, seen at least N times, same TTL as when
//   set); --reap purges entries older than --seconds.  Exactly one command
//   is required; the kernel refuses --seconds/--hitcount/--rttl/--reap with
//   --set or --remove, --reap without --seconds, a hitcount of 65536 or more
//   and names that cannot be a /proc/net/xt_recent file.
//   Saved as [!] CMD [--seconds N] [--reap] [--hitcount N] [--rttl]
//   --name NAME --mask ADDR --rsource|--rdest.
// Example: -m recent --rcheck --seconds 60 --hitcount 4 --name badguys --rsource
#include "matchers/misc_util.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"set", 0, true},      {"rcheck", 0, true},   {"update", 0, true},
    {"remove", 0, true},   {"seconds", 1, false}, {"reap", 0, false},
    {"hitcount", 1, false}, {"rttl", 0, false},   {"name", 1, false},
    {"rsource", 0, false}, {"rdest", 0, false},   {"mask", 1, false},
};
enum { kSet, kRcheck, kUpdate, kRemove, kSeconds, kReap, kHitcount, kRttl, kName, kRsource,
       kRdest, kMask };

constexpr size_t kMaxNameLen = 199;            // XT_RECENT_NAME_LEN - 1
constexpr uint32_t kMaxHitcount = 65535;       // XT_RECENT_MAX_NSTAMPS - 1

class RecentMatch : public Match {
 public:
  using Match::Match;

  enum class Command : uint8_t { kNone, kSet, kCheck, kUpdate, kRemove };

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext& ctx) override {
    if (!mask_set_) {
      mask_ = PrefixMask(ctx.family, ctx.family == Family::kIPv4 ? 32 : 128);
      mask_set_ = true;
    }
    if (Status s = given_.Once(option, kOptions); !s.ok()) return s;
    switch (option) {
      case kSet:
      case kRcheck:
      case kUpdate:
      case kRemove:
        command_ = option == kSet      ? Command::kSet
                   : option == kRcheck ? Command::kCheck
                   : option == kUpdate ? Command::kUpdate
                                       : Command::kRemove;
        if (invert) invert_ = true;
        return {};
      case kSeconds:
        return UIntArgT(args, 0, 1, 0xffffffff, "number of seconds", &seconds_);
      case kHitcount:
        return UIntArgT(args, 0, 0, 0xffffffff, "hit count", &hitcount_);
      case kReap:
        reap_ = true;
        return {};
      case kRttl:
        rttl_ = true;
        return {};
      case kName:
        // libxtables copies at most 199 characters into name[200].
        name_ = std::string(args[0].text.substr(0, kMaxNameLen));
        return {};
      case kRsource:
        dest_ = false;
        return {};
      case kRdest:
        dest_ = true;
        return {};
      case kMask:
        if (!ParseNumericHost(ctx.family, args[0].text, &mask_))
          return Status::Error("invalid mask '" + std::string(args[0].text) + "' (expected " +
                                   (ctx.family == Family::kIPv4 ? "an IPv4" : "an IPv6") +
                                   " address)",
                               0);
        return {};
    }
    return {};
  }

  Status Finish(const ParseContext& ctx) override {
    if (!mask_set_) {
      mask_ = PrefixMask(ctx.family, ctx.family == Family::kIPv4 ? 32 : 128);
      mask_set_ = true;
    }
    // xtables' exclusion table, checked in option order: one command only,
    // --rttl not with --set or --remove.
    static constexpr int kCommands[] = {kSet, kRcheck, kUpdate, kRemove};
    for (int a : kCommands)
      for (int b : kCommands)
        if (a != b && given_.Has(a) && given_.Has(b)) return Conflict(kOptions, a, b);
    if (given_.Has(kRttl)) {
      if (given_.Has(kSet)) return Conflict(kOptions, kRttl, kSet);
      if (given_.Has(kRemove)) return Conflict(kOptions, kRttl, kRemove);
    }
    if (given_.Has(kReap) && !given_.Has(kSeconds))
      return Status::Error("'--reap' needs '--seconds'");
    if (command_ == Command::kNone)
      return Status::Error("one of '--set', '--rcheck', '--update' or '--remove' is required");
    return {};
  }

  Status Check(const CheckContext&) const override {
    if ((command_ == Command::kSet || command_ == Command::kRemove) &&
        (seconds_ || hitcount_ || rttl_ || reap_))
      return Status::Error(std::string("the kernel refuses --seconds, --hitcount, --rttl and "
                                       "--reap with ") +
                           (command_ == Command::kSet ? "--set" : "--remove"));
    if (hitcount_ > kMaxHitcount)
      return Status::Error("the kernel refuses a hit count above " + std::to_string(kMaxHitcount));
    if (!ProcEntryNameValid(name_))
      return Status::Error("the kernel refuses the list name '" + name_ +
                           "' (it names a /proc file: not empty, no '/', not '.' or '..')");
    return {};
  }

  void Save(std::string& out, const SaveContext& ctx) const override {
    static constexpr const char* kNames[] = {"", "set", "rcheck", "update", "remove"};
    SaveOpt(out, kNames[static_cast<int>(command_)], invert_);
    // iptables 1.8.9 prints the seconds as a signed int.
    if (seconds_) SaveOpt(out, "seconds", std::to_string(static_cast<int32_t>(seconds_)));
    if (reap_) SaveOpt(out, "reap");
    if (hitcount_) SaveOpt(out, "hitcount", std::to_string(hitcount_));
    if (rttl_) SaveOpt(out, "rttl");
    // The name is printed as is, without quoting.
    SaveOpt(out, "name", name_);
    SaveOpt(out, "mask", FormatIpAddr(ctx.family, mask_));
    SaveOpt(out, dest_ ? "rdest" : "rsource");
  }

  Command command() const { return command_; }
  bool invert() const { return invert_; }
  const std::string& list_name() const { return name_; }
  uint32_t seconds() const { return seconds_; }
  uint32_t hitcount() const { return hitcount_; }
  bool reap() const { return reap_; }
  bool rttl() const { return rttl_; }
  bool dest() const { return dest_; }
  const IpAddr& mask() const { return mask_; }

 private:
  GivenOptions given_;
  Command command_ = Command::kNone;
  bool invert_ = false, reap_ = false, rttl_ = false, dest_ = false, mask_set_ = false;
  uint32_t seconds_ = 0, hitcount_ = 0;
  std::string name_ = "DEFAULT";
  IpAddr mask_;
};

}  // namespace

extern const ExtensionInfo kRecentMatch = {
    .name = "recent",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<RecentMatch>,
};

}  // namespace iptsim
