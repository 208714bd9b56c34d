// Extension: frag (match, IPv6)
// Synopsis: -m frag [[!] --fragid ID[:ID]] [[!] --fraglen N] [--fragres]
//   [--fragfirst] [--fragmore | --fraglast]
// Semantics: the packet has a Fragment extension header whose
//   identification lies in the range (32-bit; "A:" and ":B" open ends), whose
//   reserved fields are zero (--fragres), that is the first fragment (offset
//   0, --fragfirst), has the more-fragments flag set (--fragmore) or clear
//   (--fraglast).  --fraglen is parsed and saved but the kernel never tests
//   it.  Without options it matches any packet with a Fragment header.  A
//   reversed --fragid range loads (iptables 1.8.9) and never matches (always
//   with '!').
// Example: -m frag --fragid 100:200 --fragfirst
// Evaluation: yes
#include "matchers/header_util.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"
#include "matchers/header_eval.h"

namespace iptsim {
namespace {

enum { kOptId, kOptLen, kOptRes, kOptFirst, kOptMore, kOptLast };
constexpr OptionSpec kOptions[] = {
    {"fragid", 1, true},     {"fraglen", 1, true},   {"fragres", 0, false},
    {"fragfirst", 0, false}, {"fragmore", 0, false}, {"fraglast", 0, false},
};

class FragMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    Status s = given_.Add(option, kOptions);
    if (!s.ok()) return s;
    if (option == kOptMore || option == kOptLast) {
      s = given_.Exclude(option, {kOptMore, kOptLast}, kOptions);
      if (!s.ok()) return s;
    }
    switch (option) {
      case kOptId: {
        uint64_t lo, hi;
        if (Status st = hdr::ParseUIntRange(args[0].text, 0xffffffff, &lo, &hi, RangeOrder::kAnyOrder); !st.ok())
          return Status::Error(
              "invalid fragment id '" + std::string(args[0].text) + "': " + st.message(), 0);
        id_lo_ = static_cast<uint32_t>(lo);
        id_hi_ = static_cast<uint32_t>(hi);
        inv_id_ = invert;
        return {};
      }
      case kOptLen:
        inv_len_ = invert;
        return ParseUIntArgT(args, 0, 0, 0xffffffff, "fragment header length", &len_);
    }
    return {};
  }
  // ip6t_frag's frag_mt6: the Fragment header found by ipv6_find_hdr (a
  // broken chain or a header cut off drops the packet; none: no match).
  // --fraglen is never tested by the kernel.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    size_t off = 0;
    int err = header_eval::FindIpv6Hdr(v, 44, &off);
    if (err < 0) {
      if (err != header_eval::kENOENT) ctx.hotdrop = true;
      return Tri::kFalse;
    }
    if (!header_eval::Have(v, off, 8)) {
      ctx.hotdrop = true;
      return Tri::kFalse;
    }
    const uint8_t* fh = v.data() + off;
    const uint16_t frag_off = GetBe16(fh + 2);
    const uint32_t id = GetBe32(fh + 4);
    if ((id >= id_lo_ && id <= id_hi_) == inv_id_) return Tri::kFalse;
    if (res() && (fh[1] != 0 || (frag_off & 0x6) != 0)) return Tri::kFalse;
    if (first() && (frag_off & ~0x7) != 0) return Tri::kFalse;
    if (more() && !(frag_off & 0x1)) return Tri::kFalse;
    if (last() && (frag_off & 0x1)) return Tri::kFalse;
    return Tri::kTrue;
  }
  // The fragment field says whether there is a Fragment header (1: offset
  // 0, 2: a later one); its identification, reserved bits and M flag are no
  // fields: opaque.  --fraglen is never tested.
  Pred Describe(Family) const override {
    std::vector<Pred> all = {first() ? Pred::NumEq(Field::kFragment, 1)
                                     : Pred::NumIn(Field::kFragment, 1, 2)};
    if (id_lo_ != 0 || id_hi_ != 0xffffffff || inv_id_ || res() || more() || last())
      all.push_back(Pred::Opaque());
    return describe::AllOf(std::move(all));
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (!(id_lo_ == 0 && id_hi_ == 0xffffffff) || inv_id_)
      SaveOpt(out, "fragid", hdr::RangeText(id_lo_, id_hi_), inv_id_);
    if (has_len()) SaveOpt(out, "fraglen", std::to_string(len_), inv_len_);
    if (res()) SaveOpt(out, "fragres");
    if (first()) SaveOpt(out, "fragfirst");
    if (more()) SaveOpt(out, "fragmore");
    if (last()) SaveOpt(out, "fraglast");
  }
  uint32_t id_lo() const { return id_lo_; }
  uint32_t id_hi() const { return id_hi_; }
  bool inv_id() const { return inv_id_; }
  bool has_len() const { return given_.Has(kOptLen); }
  uint32_t len() const { return len_; }
  bool inv_len() const { return inv_len_; }
  bool res() const { return given_.Has(kOptRes); }
  bool first() const { return given_.Has(kOptFirst); }
  bool more() const { return given_.Has(kOptMore); }
  bool last() const { return given_.Has(kOptLast); }

 private:
  hdr::OptionSet given_;
  uint32_t id_lo_ = 0, id_hi_ = 0xffffffff, len_ = 0;
  bool inv_id_ = false, inv_len_ = false;
};

}  // namespace

extern const ExtensionInfo kFragMatch = {
    .name = "frag",
    .kind = ExtKind::kMatch,
    .families = kFamV6,
    .options = kOptions,
    .create = Create<FragMatch>,
};

}  // namespace iptsim
