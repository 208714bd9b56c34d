// Extension: quota (match, IPv4 IPv6)
// Synopsis: -m quota [!] --quota BYTES
// Semantics: a byte budget shared by the rule: matches (and subtracts the
//   packet's length) while the remaining quota covers the packet, then no
//   longer; "!" matches once the quota is used up.  BYTES is 0..2^64-1.
// Example: -m quota --quota 1000000
// Evaluation: yes (the first packet against a fresh quota)
#include "matchers/misc_util.h"
#include "matchers/parse_util.h"
#include "matchers/eval_util_ev2.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"quota", 1, true}};

class QuotaMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    if (Status s = given_.Once(option, kOptions); !s.ok()) return s;
    invert_ = invert;
    return UIntArgT(args, 0, 0, UINT64_MAX, "quota", &quota_);
  }
  Status Finish(const ParseContext&) override {
    if (!given_.Has(0)) return Status::Error("'--quota BYTES' is required");
    return {};
  }
  // xt_quota.c quota_mt: the packet matches (and the quota shrinks) when the
  // remaining quota is at least skb->len (the whole IP datagram); otherwise
  // the quota drops to 0.  One run is one packet: the quota is fresh.
  Tri Evaluate(const PacketView& v, EvalContext&) const override {
    return ToTri((quota_ >= v.size()) != invert_);
  }
  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, "quota", std::to_string(quota_), invert_);
  }

  uint64_t quota() const { return quota_; }
  bool invert() const { return invert_; }

 private:
  GivenOptions given_;
  uint64_t quota_ = 0;
  bool invert_ = false;
};

}  // namespace

extern const ExtensionInfo kQuotaMatch = {
    .name = "quota",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<QuotaMatch>,
};

}  // namespace iptsim
