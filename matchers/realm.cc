// Extension: realm (match, IPv4)
// Synopsis: -m realm [!] --realm VALUE[/MASK]
// Semantics: (route classid realm & MASK) == VALUE on the packet's route
//   (dst->tclassid); MASK defaults to 0xffffffff.  VALUE may be a name from
//   /etc/iproute2/rt_realms (the default file names only 0, "cosmos").  The
//   kernel allows it only in INPUT, FORWARD, OUTPUT and POSTROUTING (there is
//   no route yet in PREROUTING).
// Example: -m realm --realm 0x1/0xff
// Evaluation: partial: unknown (needs the route's realm) unless VALUE has bits outside MASK or MASK is 0
#include "matchers/parse_util.h"
#include "matchers/eval_result.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"realm", 1, true}};

// /etc/iproute2/rt_realms as iproute2 ships it.
constexpr struct {
  std::string_view name;
  uint32_t id;
} kRealmNames[] = {{"cosmos", 0}};

class RealmMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int, bool invert, std::span<const Arg> args, const ParseContext&) override {
    if (given_) return Status::Error("option '--realm' may be given only once");
    given_ = true;
    invert_ = invert;
    std::string_view t = args[0].text;
    if (ParseValueMask(t, &id_, &mask_)) return {};
    for (const auto& r : kRealmNames)
      if (r.name == t) {
        id_ = r.id;
        mask_ = 0xffffffff;
        return {};
      }
    return Bad(t);
  }
  Status Finish(const ParseContext&) override {
    if (!given_) return Status::Error("'--realm VALUE[/MASK]' is required");
    return {};
  }
  // xt_realm's realm_mt: (dst->tclassid & MASK) == VALUE on the packet's
  // route.  Decided here only when no realm can match (VALUE has bits outside
  // MASK) or every realm does (MASK 0, VALUE 0).
  Tri Evaluate(const PacketView&, EvalContext& ctx) const override {
    if (id_ & ~mask_) return ToTri(invert_);
    if (mask_ == 0) return ToTri(!invert_);
    return UndecidedTest(ctx, *this,
                         "whether the realm of the packet's route (set by 'ip route ... realm', "
                         "not modelled) is " + Hex(id_) + "/" + Hex(mask_),
                         invert_);
  }
  void Save(std::string& out, const SaveContext&) const override {
    std::string v;
    if (mask_ != 0xffffffff) {
      v = Hex(id_) + "/" + Hex(mask_);
    } else {
      v = Hex(id_);
      for (const auto& r : kRealmNames)
        if (r.id == id_) {
          v = std::string(r.name);
          break;
        }
    }
    SaveOpt(out, "realm", v, invert_);
  }
  uint32_t id() const { return id_; }
  uint32_t mask() const { return mask_; }
  bool invert() const { return invert_; }

 private:
  static Status Bad(std::string_view t) {
    return Status::Error("invalid realm '" + std::string(t) +
                             "' (expected VALUE[/MASK] as 32-bit numbers, or a realm name "
                             "from /etc/iproute2/rt_realms)",
                         0);
  }
  uint32_t id_ = 0, mask_ = 0xffffffff;
  bool invert_ = false, given_ = false;
};

}  // namespace

extern const ExtensionInfo kRealmMatch = {
    .name = "realm",
    .kind = ExtKind::kMatch,
    .families = kFamV4,
    .options = kOptions,
    .hooks = HookBit(Hook::kLocalIn) | HookBit(Hook::kForward) | HookBit(Hook::kLocalOut) |
             HookBit(Hook::kPostRouting),
    .create = Create<RealmMatch>,
    .may_be_undecided = true,
};

}  // namespace iptsim
