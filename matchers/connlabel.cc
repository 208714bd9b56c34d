// Extension: connlabel (match, IPv4 IPv6)
// Synopsis: -m connlabel [!] --label BIT [--set]
// Semantics: tests (and with --set first sets) bit BIT (0..127) of the
//   connection's label bitmap; a packet without an entry (untracked,
//   invalid) matches only '! --label'.  --label is
//   mandatory.  iptables also accepts a label NAME, looked up in
//   /etc/xtables/connlabel.conf on the machine running iptables; iptsim does
//   not read that file (a ruleset must mean the same everywhere), so it takes
//   bit numbers only and refuses names with a hint.  The kernel refuses bits
//   above 127.  Saved as iptables 1.8.13 prints a bit without a name:
//   --label "BIT".
// Example: -m connlabel --label 40 --set
// Evaluation: yes
#include "matchers/ct_common.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"label", 1, true}, {"set", 0, false}};
constexpr uint64_t kMaxBit = 127;  // XT_CONNLABEL_MAXBIT

class ConnlabelMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    if (option == 1) return OnlyOnce(&set, "set");
    Status s = OnlyOnce(&given_, "label");
    if (!s.ok()) return s;
    std::string_view text = args[0].text;
    uint64_t v;
    if (ParseUInt(text, 0, UINT64_MAX, &v)) {
      if (v > kMaxBit)
        return Status::Error("label bit " + std::string(text) + " is out of range (0..127)", 0);
    } else {
      return Status::Error("label '" + std::string(text) +
                               "' is not a bit number: names come from "
                               "/etc/xtables/connlabel.conf, which iptsim does not read; "
                               "give the bit number (0..127)",
                           0);
    }
    bit = static_cast<uint16_t>(v);
    invert_ = invert;
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_) return Status::Error("'--label BIT' is required");
    return {};
  }
  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, "label", "\"" + std::to_string(bit) + "\"", invert_);
    if (set) SaveOpt(out, "set");
  }
  bool invert() const { return invert_; }

  // connlabel_mt: without an entry the result is the inversion flag.
  Tri Evaluate(const PacketView&, EvalContext& ctx) const override {
    if (!ctx.ct || !ctx.ct->entry) return ToTri(invert_);
    auto& labels = ctx.ct->entry->labels;
    const uint8_t bitmask = static_cast<uint8_t>(1u << (bit % 8));
    if (labels[bit / 8] & bitmask) return ToTri(!invert_);
    if (set) {
      labels[bit / 8] |= bitmask;
      return ToTri(!invert_);
    }
    return ToTri(invert_);
  }

  uint16_t bit = 0;
  bool set = false;  // --set: set the bit before testing it

 private:
  bool invert_ = false, given_ = false;
};

}  // namespace

extern const ExtensionInfo kConnlabelMatch = {
    .name = "connlabel",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .enables_conntrack = true,
    .create = Create<ConnlabelMatch>,
};

}  // namespace iptsim
