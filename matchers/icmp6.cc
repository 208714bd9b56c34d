// Extension: icmp6 (match, IPv6)
// Synopsis: -p ipv6-icmp [-m icmp6] [!] --icmpv6-type {TYPE[/CODE[:CODE]] | NAME}
// Semantics: the ICMPv6 type equals TYPE and the code lies in the code range
//   (0:255 when no code is given; a name stands for its type and codes, e.g.
//   echo-request 128, no-route 1/0).  '!' inverts.  Non-first fragments never
//   match; a truncated header is dropped.  --icmpv6-type is required.  The
//   kernel refuses the match unless the rule has '-p ipv6-icmp' (58, also
//   written icmpv6; not inverted); '-p icmpv6 --icmpv6-type X' loads it
//   implicitly.  '-m icmpv6' and '-m ipv6-icmp' are aliases (libxtables
//   renames them); the rule is saved with '-m icmp6'.
// Example: -p ipv6-icmp -m icmp6 --icmpv6-type echo-request   (saved as 128)
// Evaluation: yes
#include "matchers/icmp_types.h"
#include "matchers/describe_util.h"
#include "matchers/parse_util.h"
#include "matchers/header_eval.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"icmpv6-type", 1, true}};

class Icmp6Match : public Match {
 public:
  using Match::Match;

  Status Parse(int, bool invert, std::span<const Arg> args, const ParseContext&) override {
    if (given_) return Status::Error("only one '--icmpv6-type' allowed");
    if (Status s = ParseIcmpTypeArg(args[0].text, IcmpV6TypeNames(), "ICMPv6", &type_, &code_min_,
                                    &code_max_);
        !s.ok())
      return Status::Error(s.message(), 0);
    invert_ = invert;
    given_ = true;
    return {};
  }

  Status Finish(const ParseContext&) override {
    if (!given_) return Status::Error("'--icmpv6-type TYPE' is required");
    return {};
  }

  // ip6_tables' icmp6_match: not for later fragments; an 8-byte header that
  // cannot be read drops the packet (no "any" type for ICMPv6).
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    if (v.fragoff != 0) return Tri::kFalse;
    if (!header_eval::Have(v, v.thoff, 8)) {
      ctx.hotdrop = true;
      return Tri::kFalse;
    }
    const uint8_t t = v.transport()[0], c = v.transport()[1];
    return ToTri((t == type_ && c >= code_min_ && c <= code_max_) != invert_);
  }
  Pred Describe(Family) const override {
    Pred test = Pred::And({Pred::NumEq(Field::kIcmpType, type_),
                           describe::InRange(Field::kIcmpCode, code_min_, code_max_, false)});
    return describe::AllOf({describe::ProtoIs(58), describe::NotLaterFragment(),
                      Pred::Inverted(std::move(test), invert_)});
  }
  void Save(std::string& out, const SaveContext&) const override {
    std::string v = std::to_string(type_);
    // Only the first code is printed, as libip6t_icmp6 does.
    if (code_min_ != 0 || code_max_ != 0xff) v += "/" + std::to_string(code_min_);
    SaveOpt(out, "icmpv6-type", v, invert_);
  }

  uint8_t type() const { return type_; }
  uint8_t code_min() const { return code_min_; }
  uint8_t code_max() const { return code_max_; }
  bool invert() const { return invert_; }

 private:
  uint8_t type_ = 0, code_min_ = 0, code_max_ = 0xff;
  bool invert_ = false, given_ = false;
};

}  // namespace

extern const ExtensionInfo kIcmp6Match;

namespace {
// The aliases create a match described by kIcmp6Match, so it is saved and
// reported as "icmp6" and its options come from there (the aliases list none,
// so "unknown option" hints name only icmp6).
Extension* CreateCanonical(const ExtensionInfo*, Arena& arena) {
  return Create<Icmp6Match>(&kIcmp6Match, arena);
}
}  // namespace

extern const ExtensionInfo kIcmp6Match = {
    .name = "icmp6",
    .kind = ExtKind::kMatch,
    .families = kFamV6,
    .options = kOptions,
    .proto = 58,
    .create = Create<Icmp6Match>,
};

extern const ExtensionInfo kIcmp6AliasIcmpv6Match = {
    .name = "icmpv6",
    .kind = ExtKind::kMatch,
    .families = kFamV6,
    .options = {},
    .proto = 58,
    .create = CreateCanonical,
};

extern const ExtensionInfo kIcmp6AliasIpv6IcmpMatch = {
    .name = "ipv6-icmp",
    .kind = ExtKind::kMatch,
    .families = kFamV6,
    .options = {},
    .proto = 58,
    .create = CreateCanonical,
};

}  // namespace iptsim
