// Extension: icmp (match, IPv4)
// Synopsis: -p icmp [-m icmp] [!] --icmp-type {TYPE[/CODE[:CODE]] | NAME | any}
// Semantics: the ICMP type equals TYPE and the code lies in the code range
//   (0:255 when no code is given; a name stands for its type and codes, e.g.
//   echo-request 8, port-unreachable 3/3).  Type 255 ("any") matches every
//   ICMP packet whatever the codes.  '!' inverts.  Non-first fragments never
//   match; a truncated header is dropped.  --icmp-type is required.  The
//   kernel refuses the match unless the rule has '-p icmp' (not inverted).
// Example: -p icmp -m icmp --icmp-type echo-request   (saved as --icmp-type 8)
// Evaluation: yes
#include "matchers/icmp_types.h"
#include "matchers/describe_util.h"
#include "matchers/parse_util.h"
#include "matchers/header_eval.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"icmp-type", 1, true}};

class IcmpMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int, bool invert, std::span<const Arg> args, const ParseContext&) override {
    if (given_) return Status::Error("only one '--icmp-type' allowed");
    if (Status s = ParseIcmpTypeArg(args[0].text, IcmpV4TypeNames(), "ICMP", &type_, &code_min_,
                                    &code_max_);
        !s.ok())
      return Status::Error(s.message(), 0);
    invert_ = invert;
    given_ = true;
    return {};
  }

  Status Finish(const ParseContext&) override {
    if (!given_) return Status::Error("'--icmp-type TYPE' is required");
    return {};
  }

  // ip_tables' icmp_match: not for later fragments; an 8-byte header that
  // cannot be read drops the packet; type 0xff ("any") matches every type.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    if (v.fragoff != 0) return Tri::kFalse;
    if (!header_eval::Have(v, v.thoff, 8)) {
      ctx.hotdrop = true;
      return Tri::kFalse;
    }
    const uint8_t t = v.transport()[0], c = v.transport()[1];
    bool m = type_ == 0xff || (t == type_ && c >= code_min_ && c <= code_max_);
    return ToTri(m != invert_);
  }
  Pred Describe(Family) const override {
    Pred test = type_ == 0xff ? Pred::True()
                              : Pred::And({Pred::NumEq(Field::kIcmpType, type_),
                                           describe::InRange(Field::kIcmpCode, code_min_,
                                                             code_max_, false)});
    return describe::AllOf({describe::ProtoIs(1), describe::NotLaterFragment(),
                      Pred::Inverted(std::move(test), invert_)});
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (type_ == 0xff && code_min_ == 0 && code_max_ == 0xff) {
      SaveOpt(out, "icmp-type", "any", invert_);
      return;
    }
    std::string v = std::to_string(type_);
    // Only the first code is printed, as libipt_icmp does.
    if (code_min_ != 0 || code_max_ != 0xff) v += "/" + std::to_string(code_min_);
    SaveOpt(out, "icmp-type", v, invert_);
  }

  uint8_t type() const { return type_; }  // 0xff: any type
  uint8_t code_min() const { return code_min_; }
  uint8_t code_max() const { return code_max_; }
  bool invert() const { return invert_; }

 private:
  uint8_t type_ = 0xff, code_min_ = 0, code_max_ = 0xff;
  bool invert_ = false, given_ = false;
};

}  // namespace

extern const ExtensionInfo kIcmpMatch = {
    .name = "icmp",
    .kind = ExtKind::kMatch,
    .families = kFamV4,
    .options = kOptions,
    .proto = 1,
    .create = Create<IcmpMatch>,
};

}  // namespace iptsim
