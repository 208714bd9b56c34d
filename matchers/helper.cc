// Extension: helper (match, IPv4 IPv6)
// Synopsis: -m helper [!] --helper NAME
// Semantics: the packet's connection (or the master connection of an
//   expected one) is handled by the conntrack helper NAME ("ftp", "sip",
//   "ftp-2121", ...; "" matches any helper).  Any name is accepted at load
//   (the kernel does not look it up); names longer than 29 characters are cut
//   to 29 as iptables does.  --helper is mandatory; no table or hook
//   restriction.
// Example: -p tcp -m helper --helper ftp
// Evaluation: yes (no connection is an expected one: iptsim runs no helper, so only '! --helper' matches)
#include "matchers/ct_common.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"helper", 1, true}};
constexpr size_t kMaxName = 29;  // char name[30]

class HelperMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int, bool invert, std::span<const Arg> args, const ParseContext&) override {
    Status s = OnlyOnce(&given_, "helper");
    if (!s.ok()) return s;
    name = std::string(args[0].text.substr(0, kMaxName));
    invert_ = invert;
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_) return Status::Error("'--helper NAME' is required");
    return {};
  }
  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, "helper", SaveString(name), invert_);
  }
  bool invert() const { return invert_; }

  // helper_mt looks at the helper of the connection's master: only expected
  // connections have one, and iptsim creates no expectations (CT --helper
  // only names a helper), so the result is the inversion flag.
  Tri Evaluate(const PacketView&, EvalContext&) const override { return ToTri(invert_); }

  std::string name;

 private:
  bool invert_ = false, given_ = false;
};

}  // namespace

extern const ExtensionInfo kHelperMatch = {
    .name = "helper",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .enables_conntrack = true,
    .create = Create<HelperMatch>,
};

}  // namespace iptsim
