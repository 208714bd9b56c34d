// Extension: osf (match, IPv4)
// Synopsis: -p tcp -m osf [!] --genre GENRE [--ttl 0|1|2] [--log 0|1|2]
// Semantics: passive OS fingerprinting of TCP SYN packets against the
//   fingerprints loaded with nfnl_osf; matches when the sender looks like
//   GENRE (at most 31 characters).  --ttl: 0 compare the TTL exactly, 1
//   allow a smaller TTL, 2 ignore it; --log: log matches (0 all, 1 first,
//   2 known only).  IPv4 only, needs -p tcp, and only in PREROUTING,
//   INPUT and FORWARD (xt_osf).
// Example: -p tcp -m osf --genre Linux --ttl 2
// Evaluation: partial: false for packets without SYN (the kernel ignores '!'); a SYN is unknown (needs the fingerprints loaded with nfnl_osf; none loaded: --assume osf=false)
#include "matchers/misc_util.h"
#include "matchers/parse_util.h"
#include "matchers/eval_result.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"genre", 1, true}, {"ttl", 1, false}, {"log", 1, false}};
enum { kGenre, kTtl, kLog };
constexpr size_t kMaxGenreLen = 31;  // char genre[MAXGENRELEN]

class OsfMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    if (Status s = given_.Once(option, kOptions); !s.ok()) return s;
    switch (option) {
      case kGenre:
        genre_ = std::string(args[0].text.substr(0, kMaxGenreLen));
        invert_ = invert;
        return {};
      case kTtl:
        return UIntArgT(args, 0, 0, 2, "TTL mode", &ttl_);
      case kLog:
        return UIntArgT(args, 0, 0, 2, "log level", &log_);
    }
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_.Has(kGenre)) return Status::Error("'--genre GENRE' is required");
    return {};
  }
  // xt_osf.c / nfnetlink_osf.c nf_osf_match: a packet whose TCP header
  // (read right after the IP header) is cut off or has no SYN never matches
  // - and the kernel ignores '!' (nothing reads XT_OSF_INVERT).  A SYN is
  // compared with the fingerprints userspace loaded (nfnl_osf), which are
  // not an input: unknown (none loaded, the kernel's default: false).
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    const size_t ihl = v.size() >= 20 ? (v.data()[0] & 0x0f) * 4u : 0;
    if (ihl == 0 || v.size() < ihl + 20) return Tri::kFalse;
    if (!(v.data()[ihl + 13] & 0x02)) return Tri::kFalse;
    // The kernel ignores '!' here too (see the header).
    return UndecidedTest(ctx, *this,
                         "whether the SYN matches an OS fingerprint of genre " + genre_ +
                             " loaded into the kernel (nfnl_osf; with none loaded it does not: "
                             "osf=false)",
                         false);
  }

  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, "genre", genre_, invert_);  // printed as is
    if (given_.Has(kTtl)) SaveOpt(out, "ttl", std::to_string(ttl_));
    if (given_.Has(kLog)) SaveOpt(out, "log", std::to_string(log_));
  }

  const std::string& genre() const { return genre_; }
  bool invert() const { return invert_; }
  bool has_ttl() const { return given_.Has(kTtl); }
  uint32_t ttl() const { return ttl_; }
  bool has_log() const { return given_.Has(kLog); }
  uint32_t log() const { return log_; }

 private:
  GivenOptions given_;
  std::string genre_;
  bool invert_ = false;
  uint32_t ttl_ = 0, log_ = 0;
};

}  // namespace

extern const ExtensionInfo kOsfMatch = {
    .name = "osf",
    .kind = ExtKind::kMatch,
    .families = kFamV4,
    .options = kOptions,
    .hooks = HookBit(Hook::kPreRouting) | HookBit(Hook::kLocalIn) | HookBit(Hook::kForward),
    .proto = 6,
    .create = Create<OsfMatch>,
    .may_be_undecided = true,
};

}  // namespace iptsim
