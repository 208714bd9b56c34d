// Extension: CONNMARK (target, IPv4 IPv6)
// Synopsis: -j CONNMARK --set-xmark VALUE[/MASK] | --set-mark VALUE[/MASK]
//   | --and-mark BITS | --or-mark BITS | --xor-mark BITS
//   | --save-mark [--nfmask MASK] [--ctmask MASK] [--mask MASK]
//   | --restore-mark [--nfmask MASK] [--ctmask MASK] [--mask MASK]
//   [--left-shift-mark N | --right-shift-mark N]
// Semantics: changes the connection mark, then continues with the next rule
//   (xt_CONNMARK revision 2).  set: ct->mark = (ct->mark & ~MASK) ^ VALUE;
//   save: ct->mark = (ct->mark & ~ctmask) ^ ((skb->mark & nfmask) shifted);
//   restore: skb->mark = (skb->mark & ~nfmask) ^ ((ct->mark & ctmask)
//   shifted); for set the shift applies to the new ct mark.  Exactly one
//   operation is required; --mask sets both masks and excludes --nfmask and
//   --ctmask.  Options apply in order as in iptables (--mask after --set-mark
//   replaces its mask, before it is overridden).  The kernel refuses shifts
//   of 32 bits or more.  Saved as --set-xmark V/M (--set-mark V/M is V/(M|V),
//   --and-mark B is 0/~B, --or-mark B is B/B, --xor-mark B is B/0), or
//   --save-mark/--restore-mark with both masks, then the shift when not 0.
//   No table or hook restriction.
// Example: -j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff
// Evaluation: yes
#include "matchers/ct_common.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

enum Opt {
  kSetXmark,
  kSetMark,
  kAndMark,
  kOrMark,
  kXorMark,
  kSaveMark,
  kRestoreMark,
  kLeftShift,
  kRightShift,
  kCtmask,
  kNfmask,
  kMask,
  kN
};

constexpr OptionSpec kOptions[] = {
    {"set-xmark", 1, false},       {"set-mark", 1, false},         {"and-mark", 1, false},
    {"or-mark", 1, false},         {"xor-mark", 1, false},         {"save-mark", 0, false},
    {"restore-mark", 0, false},    {"left-shift-mark", 1, false},  {"right-shift-mark", 1, false},
    {"ctmask", 1, false},          {"nfmask", 1, false},           {"mask", 1, false},
};

class ConnmarkTarget : public Target {
 public:
  using Target::Target;

  enum Mode : uint8_t { kSet, kSave, kRestore };

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    Status s = OnlyOnce(&given_[option], kOptions[option].name);
    if (!s.ok()) return s;
    if (option <= kRestoreMark) {
      for (int o = kSetXmark; o <= kRestoreMark; ++o)
        if (o != option && given_[o]) return Conflict(option, o);
    }
    if (option == kMask) {
      if (given_[kCtmask]) return Conflict(option, kCtmask);
      if (given_[kNfmask]) return Conflict(option, kNfmask);
    }
    if ((option == kCtmask || option == kNfmask) && given_[kMask]) return Conflict(option, kMask);

    uint32_t v = 0, m = 0;
    if (option == kSetXmark || option == kSetMark) {
      if (!ParseValueMask(args[0].text, &v, &m))
        return Status::Error("invalid mark '" + std::string(args[0].text) +
                                 "' (expected VALUE[/MASK], 32-bit numbers)",
                             0);
    } else if (option == kLeftShift || option == kRightShift) {
      s = ParseUIntArgT(args, 0, 0, 32, "shift", &shift_bits);
      if (!s.ok()) return s;
    } else if (option != kSaveMark && option != kRestoreMark) {
      s = ParseUIntArgT(args, 0, 0, 0xffffffff,
                        option >= kCtmask ? std::string_view("mask") : std::string_view("mark"),
                        &v);
      if (!s.ok()) return s;
    }
    switch (option) {
      case kSetXmark:
        mode = kSet;
        ctmark = v;
        ctmask = m;
        break;
      case kSetMark:
        mode = kSet;
        ctmark = v;
        ctmask = v | m;
        break;
      case kAndMark:
        mode = kSet;
        ctmark = 0;
        ctmask = ~v;
        break;
      case kOrMark:
        mode = kSet;
        ctmark = ctmask = v;
        break;
      case kXorMark:
        mode = kSet;
        ctmark = v;
        ctmask = 0;
        break;
      case kSaveMark:
        mode = kSave;
        break;
      case kRestoreMark:
        mode = kRestore;
        break;
      case kLeftShift:
        shift_right = false;
        break;
      case kRightShift:
        shift_right = true;
        break;
      case kCtmask:
        ctmask = v;
        break;
      case kNfmask:
        nfmask = v;
        break;
      case kMask:
        ctmask = nfmask = v;
        break;
    }
    return {};
  }

  Status Finish(const ParseContext&) override {
    for (int o = kSetXmark; o <= kRestoreMark; ++o)
      if (given_[o]) return {};
    return Status::Error("an operation is required: --set-xmark, --set-mark, --and-mark, "
                         "--or-mark, --xor-mark, --save-mark or --restore-mark");
  }

  Status Check(const CheckContext&) const override {
    if (shift_bits > 31)
      return Status::Error("the kernel refuses a shift of " + std::to_string(shift_bits) +
                           " bits (at most 31)");
    return {};
  }

  void Save(std::string& out, const SaveContext&) const override {
    switch (mode) {
      case kSet:
        SaveOpt(out, "set-xmark", Hex(ctmark) + "/" + Hex(ctmask));
        break;
      case kSave:
      case kRestore:
        SaveOpt(out, mode == kSave ? "save-mark" : "restore-mark");
        SaveOpt(out, "nfmask", Hex(nfmask));
        SaveOpt(out, "ctmask", Hex(ctmask));
        break;
    }
    if (shift_bits)
      SaveOpt(out, shift_right ? "right-shift-mark" : "left-shift-mark",
              std::to_string(shift_bits));
  }

  // The ctmark is no field; --restore-mark gives the packet's mark bits
  // from it (or leaves them, without an entry): unknown.
  TargetEffect DescribeEffect(Family) const override {
    return mode == kRestore ? describe::SetUnknown(Field::kMark) : describe::Continue();
  }
  // connmark_tg_shift: nothing without an entry (untracked, invalid).
  TargetVerdict Apply(Packet& pkt, const PacketView&, EvalContext& ctx) const override {
    if (!ctx.ct || !ctx.ct->entry) return TargetVerdict::kContinue;
    ConntrackEntry& e = *ctx.ct->entry;
    auto shift = [&](uint32_t v) {
      return shift_right ? v >> shift_bits : v << shift_bits;
    };
    switch (mode) {
      case kSet:
        e.mark = shift((e.mark & ~ctmask) ^ ctmark);
        break;
      case kSave:
        e.mark = (e.mark & ~ctmask) ^ shift(pkt.mark & nfmask);
        break;
      case kRestore:
        pkt.mark = (pkt.mark & ~nfmask) ^ shift(e.mark & ctmask);
        break;
    }
    return TargetVerdict::kContinue;
  }

  Mode mode = kSet;
  uint32_t ctmark = 0, ctmask = 0xffffffff, nfmask = 0xffffffff;
  uint8_t shift_bits = 0;
  bool shift_right = false;

 private:
  static Status Conflict(int a, int b) {
    return Status::Error("'--" + std::string(kOptions[a].name) +
                         "' cannot be used together with '--" + std::string(kOptions[b].name) +
                         "'");
  }
  bool given_[kN] = {};
};

}  // namespace

extern const ExtensionInfo kConnmarkTarget = {
    .name = "CONNMARK",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .enables_conntrack = true,
    .create = Create<ConnmarkTarget>,
};

}  // namespace iptsim
