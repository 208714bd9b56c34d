// Extension: connmark (match, IPv4 IPv6)
// Synopsis: -m connmark [!] --mark VALUE[/MASK]
// Semantics: (ct->mark & MASK) == VALUE for the packet's conntrack entry
//   (MASK defaults to 0xffffffff); never matches an untracked packet, even
//   inverted.  --mark is mandatory; no table or hook restriction.
// Example: -m connmark --mark 0x1/0xff
// Evaluation: yes
#include "matchers/ct_common.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"mark", 1, true}};

class ConnmarkMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int, bool invert, std::span<const Arg> args, const ParseContext&) override {
    Status s = OnlyOnce(&given_, "mark");
    if (!s.ok()) return s;
    if (!ParseValueMask(args[0].text, &mark, &mask))
      return Status::Error("invalid mark '" + std::string(args[0].text) +
                               "' (expected VALUE[/MASK], 32-bit numbers)",
                           0);
    invert_ = invert;
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_) return Status::Error("'--mark VALUE[/MASK]' is required");
    return {};
  }
  void Save(std::string& out, const SaveContext&) const override {
    std::string v = Hex(mark);
    if (mask != 0xffffffff) v += "/" + Hex(mask);
    SaveOpt(out, "mark", v, invert_);
  }
  bool invert() const { return invert_; }

  Tri Evaluate(const PacketView&, EvalContext& ctx) const override {
    // connmark_mt: no entry (untracked, invalid) never matches, not even
    // inverted.
    if (!ctx.ct || !ctx.ct->entry) return Tri::kFalse;
    return ToTri(((ctx.ct->entry->mark & mask) == mark) ^ invert_);
  }

  uint32_t mark = 0, mask = 0xffffffff;

 private:
  bool invert_ = false, given_ = false;
};

}  // namespace

extern const ExtensionInfo kConnmarkMatch = {
    .name = "connmark",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .enables_conntrack = true,
    .create = Create<ConnmarkMatch>,
};

}  // namespace iptsim
