// Extension: helper (match, IPv4 IPv6)
// Synopsis: -m helper [!] --helper NAME
// Semantics: the packet's connection (or the master connection of an
//   expected one) is handled by the conntrack helper NAME ("ftp", "sip",
//   "ftp-2121", ...; "" matches any helper).  Any name is accepted at load
//   (the kernel does not look it up); names longer than 29 characters are cut
//   to 29 as iptables does.  --helper is mandatory; no table or hook
//   restriction.
// Example: -p tcp -m helper --helper ftp
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
    .create = Create<HelperMatch>,
};

}  // namespace iptsim
