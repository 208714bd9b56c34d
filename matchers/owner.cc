// Extension: owner (match, IPv4 IPv6)
// Synopsis: -m owner [[!] --uid-owner USER[-USER]] [[!] --gid-owner GROUP[-GROUP]
//   [--suppl-groups]] [[!] --socket-exists]
// Semantics: tests the socket of a locally generated packet: its file
//   owner's uid (or a uid range), gid (with --suppl-groups also the
//   supplementary groups), or just that a socket exists.  At least one
//   test is required; --suppl-groups must follow --gid-owner.  Only in
//   OUTPUT and POSTROUTING; the kernel refuses a range whose end is below
//   its start.  IDs are 0..4294967294 (-1 is reserved).
//   Names: a user or group name is resolved like iptables does, through
//   this machine's user database (getpwnam/getgrnam), and, when that does
//   not know it, through the fixed names of Debian's base-passwd (root 0,
//   daemon 1, ..., www-data 33, nobody/nogroup 65534), so that rulesets
//   written with the standard names load the same everywhere.  Saved
//   numerically, as iptables-save does.
// Example: -m owner --uid-owner 0 --gid-owner 100-199 --suppl-groups
// Evaluation: partial: unknown with --suppl-groups when the packet's gid is outside the range (the supplementary groups are not an input)
#include <grp.h>
#include <pwd.h>

#include <vector>

#include "matchers/misc_util.h"
#include "matchers/parse_util.h"
#include "matchers/eval_result.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"uid-owner", 1, true}, {"gid-owner", 1, true}, {"socket-exists", 0, true},
    {"suppl-groups", 0, false}};
enum { kUid, kGid, kSocket, kSuppl };

struct IdName {
  const char* name;
  uint32_t id;
};
// Debian base-passwd's static users and groups (passwd.master, group.master).
constexpr IdName kBaseUsers[] = {
    {"root", 0},   {"daemon", 1}, {"bin", 2},       {"sys", 3},     {"sync", 4},
    {"games", 5},  {"man", 6},    {"lp", 7},        {"mail", 8},    {"news", 9},
    {"uucp", 10},  {"proxy", 13}, {"www-data", 33}, {"backup", 34}, {"list", 38},
    {"irc", 39},   {"gnats", 41}, {"nobody", 65534},
};
constexpr IdName kBaseGroups[] = {
    {"root", 0},      {"daemon", 1},   {"bin", 2},     {"sys", 3},      {"adm", 4},
    {"tty", 5},       {"disk", 6},     {"lp", 7},      {"mail", 8},     {"news", 9},
    {"uucp", 10},     {"man", 12},     {"proxy", 13},  {"kmem", 15},    {"dialout", 20},
    {"fax", 21},      {"voice", 22},   {"cdrom", 24},  {"floppy", 25},  {"tape", 26},
    {"sudo", 27},     {"audio", 29},   {"dip", 30},    {"www-data", 33}, {"backup", 34},
    {"operator", 37}, {"list", 38},    {"irc", 39},    {"src", 40},     {"gnats", 41},
    {"shadow", 42},   {"utmp", 43},    {"video", 44},  {"sasl", 45},    {"plugdev", 46},
    {"staff", 50},    {"games", 60},   {"users", 100}, {"nogroup", 65534},
};

bool LookupName(bool user, const std::string& name, uint32_t* id) {
  std::vector<char> buf(16384);
  if (user) {
    struct passwd pw, *res = nullptr;
    if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &res) == 0 && res) {
      *id = res->pw_uid;
      return true;
    }
    for (const IdName& e : kBaseUsers)
      if (name == e.name) {
        *id = e.id;
        return true;
      }
  } else {
    struct group gr, *res = nullptr;
    if (getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &res) == 0 && res) {
      *id = res->gr_gid;
      return true;
    }
    for (const IdName& e : kBaseGroups)
      if (name == e.name) {
        *id = e.id;
        return true;
      }
  }
  return false;
}

// "N", "N-M" or "N:M", numbers as strtoul base 0, 0..4294967294.
bool ParseIdRange(std::string_view s, uint32_t* lo, uint32_t* hi) {
  constexpr uint64_t kMax = 0xfffffffe;
  uint64_t a, b;
  size_t used;
  if (!ParseUIntPrefix(s, 0, &a, &used) || a > kMax) return false;
  s.remove_prefix(used);
  b = a;
  if (!s.empty() && (s[0] == '-' || s[0] == ':')) {
    s.remove_prefix(1);
    if (!ParseUIntPrefix(s, 0, &b, &used) || b > kMax) return false;
    s.remove_prefix(used);
  }
  if (!s.empty()) return false;
  *lo = static_cast<uint32_t>(a);
  *hi = static_cast<uint32_t>(b);
  return true;
}

class OwnerMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    if (Status s = given_.Once(option, kOptions); !s.ok()) return s;
    if (invert) invert_.Set(option);
    switch (option) {
      case kUid:
      case kGid: {
        bool user = option == kUid;
        std::string a(args[0].text);
        uint32_t lo, hi;
        if (LookupName(user, a, &lo)) {
          hi = lo;
        } else if (!ParseIdRange(a, &lo, &hi)) {
          std::string what = user ? "user" : "group";
          if (!a.empty() && a[0] >= '0' && a[0] <= '9')
            return Status::Error("invalid " + what + " ID or range '" + a +
                                     "' (IDs are 0..4294967294; a range is ID-ID)",
                                 0);
          return Status::Error("unknown " + what + " '" + a + "'", 0);
        }
        (user ? uid_min_ : gid_min_) = lo;
        (user ? uid_max_ : gid_max_) = hi;
        return {};
      }
      case kSuppl:
        if (!given_.Has(kGid)) return Status::Error("'--suppl-groups' must follow '--gid-owner'");
        return {};
    }
    return {};
  }

  Status Finish(const ParseContext&) override {
    if (!given_.Any())
      return Status::Error("at least one of '--uid-owner', '--gid-owner' or '--socket-exists' "
                           "is required");
    return {};
  }

  Status Check(const CheckContext&) const override {
    if (given_.Has(kUid) && uid_max_ < uid_min_)
      return Status::Error("the kernel refuses the uid range " + std::to_string(uid_min_) + "-" +
                           std::to_string(uid_max_) + ": its end is below its start");
    if (given_.Has(kGid) && gid_max_ < gid_min_)
      return Status::Error("the kernel refuses the gid range " + std::to_string(gid_min_) + "-" +
                           std::to_string(gid_max_) + ": its end is below its start");
    return {};
  }

  // xt_owner.c owner_mt.  The packet has a socket when it carries a uid or
  // gid (PacketSpec --uid/--gid: locally generated or early-demuxed).
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    const Packet& p = *v.pkt;
    auto given = [&](int o) { return given_.Has(o); };
    auto inv = [&](int o) { return invert_.Has(o); };
    if (!p.uid && !p.gid) {
      // No socket: (info->match ^ info->invert) == 0, i.e. a match only when
      // every given test is inverted.
      for (int o : {kUid, kGid, kSocket})
        if (given(o) && !inv(o)) return Tri::kFalse;
      return Tri::kTrue;
    }
    if (given(kSocket) && inv(kSocket)) return Tri::kFalse;
    if (given(kUid)) {
      Tri in = p.uid ? ToTri(*p.uid >= uid_min_ && *p.uid <= uid_max_)
                     : UndecidedTest(ctx, *this,
                                     "whether the socket's uid is in " + std::to_string(uid_min_) +
                                         "-" + std::to_string(uid_max_) +
                                         " (the packet has a gid but no uid: give --uid)",
                                     false);
      if (in == Tri::kUnknown) return in;
      if ((in == Tri::kTrue) == inv(kUid)) return Tri::kFalse;
    }
    if (given(kGid)) {
      const std::string range = std::to_string(gid_min_) + "-" + std::to_string(gid_max_);
      Tri in = p.gid ? ToTri(*p.gid >= gid_min_ && *p.gid <= gid_max_)
                     : UndecidedTest(ctx, *this,
                                     "whether the socket's gid is in " + range +
                                         " (the packet has a uid but no gid: give --gid)",
                                     false);
      if (in == Tri::kFalse && given(kSuppl))
        in = UndecidedTest(ctx, *this,
                           "whether one of the socket owner's supplementary groups is in " +
                               range + " (the packet does not carry them)",
                           false);
      if (in == Tri::kUnknown) return in;
      if ((in == Tri::kTrue) == inv(kGid)) return Tri::kFalse;
    }
    return Tri::kTrue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    auto range = [](uint32_t lo, uint32_t hi) {
      return lo == hi ? std::to_string(lo) : std::to_string(lo) + "-" + std::to_string(hi);
    };
    if (given_.Has(kSocket)) SaveOpt(out, "socket-exists", invert_.Has(kSocket));
    if (given_.Has(kUid)) SaveOpt(out, "uid-owner", range(uid_min_, uid_max_), invert_.Has(kUid));
    if (given_.Has(kGid)) SaveOpt(out, "gid-owner", range(gid_min_, gid_max_), invert_.Has(kGid));
    if (given_.Has(kSuppl)) SaveOpt(out, "suppl-groups");
  }

  bool has_uid() const { return given_.Has(kUid); }
  bool has_gid() const { return given_.Has(kGid); }
  bool socket_exists() const { return given_.Has(kSocket); }
  bool suppl_groups() const { return given_.Has(kSuppl); }
  bool inverted(int test) const { return invert_.Has(test); }  // kUid, kGid, kSocket
  uint32_t uid_min() const { return uid_min_; }
  uint32_t uid_max() const { return uid_max_; }
  uint32_t gid_min() const { return gid_min_; }
  uint32_t gid_max() const { return gid_max_; }

 private:
  GivenOptions given_, invert_;
  uint32_t uid_min_ = 0, uid_max_ = 0, gid_min_ = 0, gid_max_ = 0;
};

}  // namespace

extern const ExtensionInfo kOwnerMatch = {
    .name = "owner",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .hooks = HookBit(Hook::kLocalOut) | HookBit(Hook::kPostRouting),
    .create = Create<OwnerMatch>,
    .may_be_undecided = true,
};

}  // namespace iptsim
