// Extension: iprange (match, IPv4 IPv6)
// Synopsis: -m iprange [[!] --src-range FROM[-TO]] [[!] --dst-range FROM[-TO]]
// Semantics: the source / destination address lies within FROM..TO
//   (inclusive, compared as unsigned numbers); a single address is the range
//   FROM-FROM.  At least one option.  A reversed range (FROM > TO) loads (the
//   kernel only warns) and never matches.
// Example: -m iprange --src-range 10.0.0.1-10.0.0.50
// Evaluation: yes
#include "matchers/header_util.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"
#include "matchers/header_eval.h"

namespace iptsim {
namespace {

enum { kOptSrc, kOptDst };
constexpr OptionSpec kOptions[] = {{"src-range", 1, true}, {"dst-range", 1, true}};

struct AddrRange {
  IpAddr from, to;
  bool invert = false;
};

class IprangeMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext& ctx) override {
    Status s = given_.Add(option, kOptions);
    if (!s.ok()) return s;
    AddrRange& r = option == kOptSrc ? src_ : dst_;
    r.invert = invert;
    std::string_view t = args[0].text;
    size_t dash = t.find('-');
    std::string_view a = t.substr(0, dash);
    std::string_view b = dash == std::string_view::npos ? a : t.substr(dash + 1);
    const char* fam = ctx.family == Family::kIPv4 ? "IPv4" : "IPv6";
    if (!ParseIpAddr(ctx.family, a, &r.from))
      return Status::Error("invalid " + std::string(fam) + " address '" + std::string(a) +
                               "' in range '" + std::string(t) + "' (expected FROM[-TO])",
                           0);
    if (!ParseIpAddr(ctx.family, b, &r.to))
      return Status::Error("invalid " + std::string(fam) + " address '" + std::string(b) +
                               "' in range '" + std::string(t) + "' (expected FROM[-TO])",
                           0);
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_.Any()) return Status::Error("'--src-range' or '--dst-range' is required");
    return {};
  }
  // xt_iprange's iprange_mt4 / iprange_mt6: unsigned comparison of the whole
  // address with the bounds (a reversed range never matches).
  Tri Evaluate(const PacketView& v, EvalContext&) const override {
    if (!header_eval::HaveIpHeader(v)) return Tri::kFalse;
    const size_t n = v.pkt->family == Family::kIPv4 ? 4 : 16;
    auto outside = [&](const IpAddr& a, const AddrRange& r) {
      auto cmp = [&](const IpAddr& x, const IpAddr& y) {
        for (size_t i = 0; i < n; ++i)
          if (x.b[i] != y.b[i]) return x.b[i] < y.b[i] ? -1 : 1;
        return 0;
      };
      return cmp(a, r.from) < 0 || cmp(a, r.to) > 0;
    };
    if (has_src() && outside(v.src(), src_) != src_.invert) return Tri::kFalse;
    if (has_dst() && outside(v.dst(), dst_) != dst_.invert) return Tri::kFalse;
    return Tri::kTrue;
  }
  Pred Describe(Family family) const override {
    const size_t n = family == Family::kIPv4 ? 4 : 16;
    auto one = [&](Field f, const AddrRange& r) {
      // A reversed range never matches (always with '!').
      if (std::lexicographical_compare(r.to.b.begin(), r.to.b.begin() + n, r.from.b.begin(),
                                       r.from.b.begin() + n))
        return r.invert ? Pred::True() : Pred::False();
      return Pred::Inverted(Pred::AddrIn(f, r.from, r.to), r.invert);
    };
    std::vector<Pred> all;
    if (has_src()) all.push_back(one(Field::kSrc, src_));
    if (has_dst()) all.push_back(one(Field::kDst, dst_));
    return describe::AllOf(std::move(all));
  }
  void Save(std::string& out, const SaveContext& ctx) const override {
    auto one = [&](const AddrRange& r, std::string_view name) {
      SaveOpt(out, name, FormatIpAddr(ctx.family, r.from) + "-" + FormatIpAddr(ctx.family, r.to),
              r.invert);
    };
    if (has_src()) one(src_, "src-range");
    if (has_dst()) one(dst_, "dst-range");
  }
  bool has_src() const { return given_.Has(kOptSrc); }
  bool has_dst() const { return given_.Has(kOptDst); }
  const AddrRange& src() const { return src_; }
  const AddrRange& dst() const { return dst_; }

 private:
  hdr::OptionSet given_;
  AddrRange src_, dst_;
};

}  // namespace

extern const ExtensionInfo kIprangeMatch = {
    .name = "iprange",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<IprangeMatch>,
};

}  // namespace iptsim
