// Extension: set (match, IPv4 IPv6)
// Synopsis: -m set [!] --match-set NAME src|dst[,src|dst...] [--return-nomatch]
//   [! --update-counters] [! --update-subcounters]
//   [[!] --packets-eq N | --packets-lt N | --packets-gt N]
//   [[!] --bytes-eq N | --bytes-lt N | --bytes-gt N]
// Semantics: matches when the packet's addresses/ports, taken from the
//   source or destination side as FLAGS says (one word per dimension of the
//   set), are in the ipset NAME.  --return-nomatch makes "nomatch" entries
//   count as matches; "! --update-counters" leaves the set's counters alone;
//   the --packets-*/--bytes-* options test the counters of the matching
//   element.  The set must exist in the kernel when the rule is loaded
//   (iptables asks ipset for it); a ruleset file cannot show ipsets, so
//   existence is not checked here.  Saved in the order above.
// Example: -m set --match-set blocklist src
// Evaluation: yes, with --ipset FILE (ipset save format: engine/ipset.h, loader/ipset_file.h; timeouts ignored), else unknown
#include "engine/ipset.h"
#include "matchers/ipset_util.h"
#include "matchers/misc_util.h"
#include "matchers/parse_util.h"
#include "matchers/eval_result.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"match-set", 2, true},       {"set", 2, true},          {"return-nomatch", 0, false},
    {"update-counters", 0, true}, {"packets-eq", 1, true},   {"packets-lt", 1, false},
    {"packets-gt", 1, false},     {"bytes-eq", 1, true},     {"bytes-lt", 1, false},
    {"bytes-gt", 1, false},       {"update-subcounters", 0, true},
};
enum { kMatchSet, kSetOld, kReturnNomatch, kUpdateCounters, kPacketsEq, kPacketsLt,
       kPacketsGt, kBytesEq, kBytesLt, kBytesGt, kUpdateSubcounters };

class SetMatch : public Match {
 public:
  using Match::Match;

  enum class CounterOp : uint8_t { kNone, kEq, kNe, kLt, kGt };
  struct Counter {
    CounterOp op = CounterOp::kNone;
    uint64_t value = 0;
  };

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    switch (option) {
      case kMatchSet:
      case kSetOld:
        if (set_.given()) return Status::Error("'--match-set' may be given only once");
        if (Status s = ParseIpsetRef(args, "match-set", &set_); !s.ok()) return s;
        invert_ = invert;
        return {};
      case kReturnNomatch:
        return_nomatch_ = true;
        return {};
      case kUpdateCounters:
        if (invert) skip_counters_ = true;
        return {};
      case kUpdateSubcounters:
        if (invert) skip_subcounters_ = true;
        return {};
      default: {
        bool packets = option >= kPacketsEq && option <= kPacketsGt;
        Counter& c = packets ? packets_ : bytes_;
        if (c.op != CounterOp::kNone)
          return Status::Error(std::string("only one of --") + (packets ? "packets" : "bytes") +
                               "-eq, -lt and -gt is allowed");
        uint64_t v;
        if (Status s = UIntArg(args, 0, 0, UINT64_MAX, "counter value", &v); !s.ok()) return s;
        int rel = option - (packets ? kPacketsEq : kBytesEq);
        c.op = rel == 0 ? (invert ? CounterOp::kNe : CounterOp::kEq)
                        : rel == 1 ? CounterOp::kLt : CounterOp::kGt;
        c.value = v;
        return {};
      }
    }
  }

  Status Finish(const ParseContext&) override {
    if (!set_.given()) return Status::Error("'--match-set NAME FLAGS' is required");
    return {};
  }

  // xt_set.c set_match_v4: ip_set_test on the run's copy of the named set
  // (engine/ipset.h: too few flags for the set's dimensions or another
  // family: no match; the most specific element decides; a nomatch element
  // does not match, --return-nomatch swaps the two for the types that have
  // nomatch; counters are updated (unless ! --update-counters) and then
  // compared), then '!' inverts.  Without --ipset: unknown.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    IpsetDb* db = RunIpsets(ctx);
    if (!db)
      return UndecidedTest(ctx, *this,
                           "whether the packet is in the ipset '" + set_.name +
                               "' (give its contents with --ipset FILE, ipset save format)",
                           invert_);
    IpsetTestOptions opt;
    opt.dim = set_.dim;
    opt.src_bits = set_.src_bits;
    opt.return_nomatch = return_nomatch_;
    opt.update_counters = !skip_counters_;
    auto cond = [](const Counter& c) {
      IpsetCounterCond r;
      r.op = static_cast<uint8_t>(c.op);  // same order: none eq ne lt gt
      r.value = c.value;
      return r;
    };
    opt.packets = cond(packets_);
    opt.bytes = cond(bytes_);
    IpsetTestResult r = IpsetTest(*db, set_.name, v, ctx, opt);
    if (r.matched == Tri::kUnknown) return UnknownResult(ctx, "-m set: " + r.reason);
    return Invert(r.matched, invert_);
  }
  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, "match-set", set_.name + " " + set_.Flags(), invert_);
    if (return_nomatch_) SaveOpt(out, "return-nomatch");
    if (skip_counters_) SaveOpt(out, "update-counters", true);
    if (skip_subcounters_) SaveOpt(out, "update-subcounters", true);
    SaveCounter(out, "packets", packets_);
    SaveCounter(out, "bytes", bytes_);
  }

  const IpsetRef& set() const { return set_; }
  bool invert() const { return invert_; }
  bool return_nomatch() const { return return_nomatch_; }
  bool skip_counter_update() const { return skip_counters_; }
  bool skip_subcounter_update() const { return skip_subcounters_; }
  const Counter& packets() const { return packets_; }
  const Counter& bytes() const { return bytes_; }

 private:
  static void SaveCounter(std::string& out, const char* what, const Counter& c) {
    std::string v = std::to_string(c.value);
    switch (c.op) {
      case CounterOp::kNone: break;
      case CounterOp::kEq: SaveOpt(out, std::string(what) + "-eq", v); break;
      case CounterOp::kNe: SaveOpt(out, std::string(what) + "-eq", v, true); break;
      case CounterOp::kLt: SaveOpt(out, std::string(what) + "-lt", v); break;
      case CounterOp::kGt: SaveOpt(out, std::string(what) + "-gt", v); break;
    }
  }

  IpsetRef set_;
  bool invert_ = false, return_nomatch_ = false, skip_counters_ = false, skip_subcounters_ = false;
  Counter packets_, bytes_;
};

}  // namespace

extern const ExtensionInfo kSetMatch = {
    .name = "set",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<SetMatch>,
    .may_be_undecided = true,
};

}  // namespace iptsim
