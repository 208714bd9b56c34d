// Extension: quota (match, IPv4 IPv6)
// Synopsis: -m quota [!] --quota BYTES
// Semantics: a byte budget shared by the rule: matches (and subtracts the
//   packet's length) while the remaining quota covers the packet, then no
//   longer; "!" matches once the quota is used up.  BYTES is 0..2^64-1.
// Example: -m quota --quota 1000000
// Evaluation: yes (the rule's quota is consumed across the packets of a run)
#include "engine/run_state.h"
#include "matchers/misc_util.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"quota", 1, true}};

// The rule's remaining quota (xt_quota_priv).
struct Remaining : ExtState {
  bool started = false;
  uint64_t quota = 0;
};

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
  // the quota drops to 0, so not even a smaller packet passes later.  The
  // quota belongs to the rule and is consumed across the packets of a run
  // (a lone evaluation starts from the full quota).
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    Remaining fresh;
    Remaining& r = ctx.run ? ctx.run->For<Remaining>(this) : fresh;
    if (!r.started) {
      r.started = true;
      r.quota = quota_;
    }
    bool ok = r.quota >= v.size();
    r.quota = ok ? r.quota - v.size() : 0;
    return ToTri(ok != invert_);
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
