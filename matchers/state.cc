// Extension: state (match, IPv4 IPv6)
// Synopsis: -m state [!] --state STATES
// Semantics: the packet's conntrack state is one of STATES, a comma list of
//   INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED (each may be abbreviated to
//   a unique-enough prefix, any case: "N,E").  The older form of
//   -m conntrack --ctstate; iptables-save keeps "-m state".  --state is
//   mandatory; no table or hook restriction.
// Example: -m state --state RELATED,ESTABLISHED
// Evaluation: yes
#include "matchers/ct_common.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"state", 1, true}};

// xt_state's bits: INVALID 1, ESTABLISHED 2, RELATED 4, NEW 8, UNTRACKED 64.
constexpr uint32_t kInvalid = 1u << 0, kEstablished = 1u << 1, kRelated = 1u << 2,
                   kNew = 1u << 3, kUntracked = 1u << 6;

constexpr NamedBit kParseOrder[] = {
    {"INVALID", kInvalid}, {"NEW", kNew},           {"ESTABLISHED", kEstablished},
    {"RELATED", kRelated}, {"UNTRACKED", kUntracked},
};
constexpr NamedBit kSaveOrder[] = {
    {"INVALID", kInvalid},         {"NEW", kNew},           {"RELATED", kRelated},
    {"ESTABLISHED", kEstablished}, {"UNTRACKED", kUntracked},
};

class StateMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int, bool invert, std::span<const Arg> args, const ParseContext&) override {
    Status s = OnlyOnce(&given_, "state");
    if (!s.ok()) return s;
    std::string bad;
    if (!ParseNameList(args[0].text, kParseOrder, &mask_, &bad))
      return Status::Error(
          bad.empty() ? EmptyItem("state", args[0].text) : "unknown state '" + bad + "' (states are INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED)",
          0);
    invert_ = invert;
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_) return Status::Error("'--state STATES' is required");
    return {};
  }
  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, "state", NameListText(mask_, kSaveOrder), invert_);
  }

  Pred Describe(Family) const override {
    return Pred::Inverted(CtStateIn(mask_, kUntracked), invert_);
  }

  Tri Evaluate(const PacketView&, EvalContext& ctx) const override {
    // xt_state: libxt_state complements the mask for '!'.
    return Invert(ToTri(CtStateOf(ctx, kUntracked) & mask_), invert_);
  }

  uint32_t mask() const { return mask_; }
  bool invert() const { return invert_; }

 private:
  uint32_t mask_ = 0;
  bool invert_ = false, given_ = false;
};

}  // namespace

extern const ExtensionInfo kStateMatch = {
    .name = "state",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .enables_conntrack = true,
    .create = Create<StateMatch>,
};

}  // namespace iptsim
