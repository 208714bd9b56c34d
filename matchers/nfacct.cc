// Extension: nfacct (match, IPv4 IPv6)
// Synopsis: -m nfacct --nfacct-name NAME
// Semantics: always matches and adds the packet to the extended accounting
//   object NAME (created beforehand with the nfacct tool; the kernel
//   refuses a name that does not exist, which a ruleset file cannot show,
//   so it is not checked here).  NAME is at most 31 characters, without
//   newlines.  Like iptables 1.8.9, the save prints two spaces before the
//   name ("--nfacct-name  test").
// Example: -m nfacct --nfacct-name http-traffic
// Evaluation: yes (the accounting object is taken to have no quota: the match is always true)
#include "matchers/misc_util.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"nfacct-name", 1, false}};
constexpr size_t kMaxNameLen = 31;  // NFACCT_NAME_MAX - 1

class NfacctMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    if (Status s = given_.Once(option, kOptions); !s.ok()) return s;
    std::string_view a = args[0].text;
    if (a.empty()) return Status::Error("the accounting object name may not be empty", 0);
    if (a.find('\n') != std::string_view::npos)
      return Status::Error("newlines are not allowed in --nfacct-name", 0);
    name_ = std::string(a.substr(0, kMaxNameLen));
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_.Has(0)) return Status::Error("'--nfacct-name NAME' is required");
    return {};
  }
  // xt_nfacct.c nfacct_mt: updates the counters, then returns
  // overquota != NFACCT_UNDERQUOTA; an object without a quota flag gives
  // NFACCT_NO_QUOTA, so the match is true.  (An object created with a quota
  // that is not yet exhausted would not match: nfacct objects are not an
  // input of iptsim, they are taken to have no quota.)
  Tri Evaluate(const PacketView&, EvalContext&) const override { return Tri::kTrue; }
  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, "nfacct-name", " " + SaveString(name_));
  }

  const std::string& name() const { return name_; }

 private:
  GivenOptions given_;
  std::string name_;
};

}  // namespace

extern const ExtensionInfo kNfacctMatch = {
    .name = "nfacct",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<NfacctMatch>,
};

}  // namespace iptsim
