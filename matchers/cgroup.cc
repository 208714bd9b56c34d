// Extension: cgroup (match, IPv4 IPv6)
// Synopsis: -m cgroup [!] --path PATH | [!] --cgroup CLASSID
// Semantics: matches packets of local sockets whose cgroup (v2) is PATH or
//   below it, or whose net_cls classid is CLASSID.  Exactly one of the two
//   (revision 2); the kernel also refuses a PATH that does not exist in the
//   cgroup2 hierarchy (not checked here: the simulator has no cgroups).
//   Only in INPUT, OUTPUT and POSTROUTING (the packet must have a local
//   socket).  PATH is saved quoted as iptables-save quotes strings.
// Example: -m cgroup --path "/system.slice/ssh.service"
// Evaluation: partial: false for a packet without a socket (no --uid/--gid), otherwise unknown (the socket's cgroup is not an input)
#include "matchers/misc_util.h"
#include "matchers/parse_util.h"
#include "matchers/eval_result.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"path", 1, true}, {"cgroup", 1, true}};
enum { kPath, kClassid };
constexpr size_t kMaxPathLen = 511;  // char path[XT_CGROUP_PATH_MAX]

class CgroupMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    if (Status s = given_.Once(option, kOptions); !s.ok()) return s;
    if (option == kPath) {
      path_ = std::string(args[0].text.substr(0, kMaxPathLen));
      invert_path_ = invert;
      return {};
    }
    invert_classid_ = invert;
    return UIntArgT(args, 0, 0, 0xffffffff, "classid", &classid_);
  }

  Status Check(const CheckContext&) const override {
    if (!given_.Any()) return Status::Error("the kernel needs '--path' or '--cgroup'");
    if (given_.Has(kPath) && given_.Has(kClassid))
      return Status::Error("the kernel refuses '--path' together with '--cgroup'");
    return {};
  }

  // xt_cgroup.c cgroup_mt_v0/v1/v2: a packet without a full socket
  // (skb->sk) does not match, whatever '!' says; otherwise the socket's
  // cgroup (classid or path) decides.  A packet has a socket in iptsim when
  // it carries a uid or gid.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    if (!v.pkt->uid && !v.pkt->gid) return Tri::kFalse;
    // cgroup_mt_v1/v2: --path when given, else --cgroup (the classid).
    if (given_.Has(kPath))
      return UndecidedTest(ctx, *this, "whether the sending socket is in the cgroup " + path_,
                           invert_path_);
    return UndecidedTest(ctx, *this,
                         "whether the sending socket's net_cls classid is " +
                             std::to_string(classid_),
                         invert_classid_);
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (given_.Has(kPath)) SaveOpt(out, "path", SaveString(path_), invert_path_);
    if (given_.Has(kClassid)) SaveOpt(out, "cgroup", std::to_string(classid_), invert_classid_);
  }

  bool has_path() const { return given_.Has(kPath); }
  const std::string& path() const { return path_; }
  bool invert_path() const { return invert_path_; }
  bool has_classid() const { return given_.Has(kClassid); }
  uint32_t classid() const { return classid_; }
  bool invert_classid() const { return invert_classid_; }

 private:
  GivenOptions given_;
  std::string path_;
  uint32_t classid_ = 0;
  bool invert_path_ = false, invert_classid_ = false;
};

}  // namespace

extern const ExtensionInfo kCgroupMatch = {
    .name = "cgroup",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .hooks = HookBit(Hook::kLocalIn) | HookBit(Hook::kLocalOut) | HookBit(Hook::kPostRouting),
    .create = Create<CgroupMatch>,
    .may_be_undecided = true,
};

}  // namespace iptsim
