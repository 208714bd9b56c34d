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
// Evaluation: yes (lists shared by name across the packets of a run, against their --time; module defaults: 100 entries per list, 32 stamps kept per entry (ip_pkt_list_tot 20 rounded up to a power of two, more for a larger --hitcount); a list's mask comes from the first rule using it in the run)
#include <list>
#include <vector>

#include "engine/run_state.h"
#include "matchers/misc_util.h"
#include "matchers/run_clock.h"
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

constexpr size_t kListMax = 100;              // ip_list_tot, the module's default
constexpr uint32_t kPktListTot = 20;           // ip_pkt_list_tot, the module's default

struct RecentEntry {
  IpAddr addr;
  uint8_t ttl = 0;
  std::vector<int64_t> stamps;  // jiffies, a ring of nstamps_mask + 1
  uint32_t index = 0, nstamps = 0;
};
// One list (recent_table), in least-recently-used order.
struct RecentList : ExtState {
  bool started = false;
  IpAddr mask;
  uint32_t nstamps_mask = 0;
  int64_t last = 0;  // jiffies of the latest packet seen
  std::list<RecentEntry> entries;
};

uint32_t RoundupPow2(uint32_t x) {
  uint32_t p = 1;
  while (p < x) p <<= 1;
  return p;
}

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

  // xt_recent.c recent_mt (revision 1).  The list NAME is shared by every
  // rule naming it, for the whole run; its mask and stamp ring are those of
  // the first rule that uses it in the run (the kernel: of the rule loaded
  // first; the ring grows to the largest --hitcount of the rules loaded,
  // here of the rules seen so far; both differ only when rules of one name
  // disagree).  The address (source, or destination with --rdest) is cut
  // to the list's mask; an entry is looked up, with --rttl also by TTL.
  // Not found: --set adds it (and matches), every other command does not
  // match.  Found: --set matches and stamps it; --remove deletes it and
  // matches; --rcheck/--update match when the entry has at least
  // --hitcount stamps (any stamp without it) within the last --seconds
  // (stamp >= now - seconds*HZ, in jiffies), --reap then drops the least
  // recently used entry if its newest stamp is older; --update stamps a
  // matching entry.  The list keeps 100 entries (ip_list_tot), dropping the
  // least recently used.  The TTL is the packet's, plus one when it has an
  // output device and no socket (a forwarded packet: its TTL as received).
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    RecentList fresh;
    RecentList& t = ctx.run ? ctx.run->Named<RecentList>("recent", name_) : fresh;
    const bool v4 = v.pkt->family == Family::kIPv4;
    if (!t.started) {
      t.started = true;
      t.mask = mask_;
    }
    uint32_t want_mask = NstampMask();
    if (want_mask > t.nstamps_mask) {
      // A rule needing a larger stamp ring: the kernel flushes the list
      // when such a rule is loaded, before any packet; here it can only be
      // grown before the list holds an entry.
      if (!t.entries.empty())
        return UnknownResult(ctx, "-m recent --name " + name_ + ": a later rule needs a larger "
                                 "stamp ring than the list was made with");
      t.nstamps_mask = want_mask;
    }
    int64_t now = run_clock::Jiffies(v.pkt->time);
    if (now < t.last) return run_clock::TimeBackwards(ctx);
    t.last = now;

    IpAddr addr = dest_ ? v.dst() : v.src();
    for (size_t i = 0; i < 16; ++i) addr.b[i] &= t.mask.b[i];
    uint8_t ttl = v.size() > 8 ? (v4 ? v.data()[8] : v.data()[7]) : 0;
    if (!v.pkt->out.empty() && !v.pkt->in.empty()) ++ttl;  // forwarded: no socket
    const uint8_t want_ttl = rttl_ ? ttl : 0;

    bool ret = invert_;
    auto it = t.entries.begin();
    for (; it != t.entries.end(); ++it)
      if (it->addr == addr && (want_ttl == it->ttl || want_ttl == 0 || it->ttl == 0)) break;
    if (it == t.entries.end()) {
      if (command_ != Command::kSet) return ToTri(ret);
      if (t.entries.size() >= kListMax) t.entries.pop_front();
      RecentEntry e;
      e.addr = addr;
      e.ttl = ttl;
      e.stamps.assign(t.nstamps_mask + 1, 0);
      e.stamps[0] = now;
      e.nstamps = e.index = 1;
      t.entries.push_back(std::move(e));
      return ToTri(!ret);
    }
    if (command_ == Command::kSet) {
      ret = !ret;
    } else if (command_ == Command::kRemove) {
      t.entries.erase(it);
      return ToTri(!ret);
    } else {
      int64_t time = now - static_cast<int64_t>(seconds_) * run_clock::kHz;
      uint32_t hits = 0;
      for (uint32_t i = 0; i < it->nstamps; ++i) {
        if (seconds_ && time > it->stamps[i]) continue;
        if (!hitcount_ || ++hits >= hitcount_) {
          ret = !ret;
          break;
        }
      }
      if (reap_) {
        // g++ 12 -O2 warns (-Wuse-after-free) that `it` may point at the
        // entry pop_front frees; it cannot: when it does, we return at once.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuse-after-free"
        const RecentEntry& oldest = t.entries.front();
        if (time > oldest.stamps[oldest.index - 1]) {
          bool same = &oldest == &*it;
          t.entries.pop_front();
          if (same) return ToTri(ret);  // the entry itself is gone
        }
#pragma GCC diagnostic pop
      }
    }
    if (command_ == Command::kSet || (command_ == Command::kUpdate && ret)) {
      RecentEntry& e = *it;
      if (e.stamps.size() < t.nstamps_mask + 1) e.stamps.resize(t.nstamps_mask + 1, 0);
      e.index &= t.nstamps_mask;
      e.stamps[e.index++] = now;
      if (e.index > e.nstamps) e.nstamps = e.index;
      e.ttl = ttl;
      t.entries.splice(t.entries.end(), t.entries, it);  // most recently used
    }
    return ToTri(ret);
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

  // The stamp ring this rule asks for (recent_mt_check's nstamp_mask).
  uint32_t NstampMask() const {
    if (hitcount_ < kPktListTot) return RoundupPow2(kPktListTot) - 1;
    return RoundupPow2(hitcount_) - 1;
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
    .may_be_undecided = true,
};

}  // namespace iptsim
