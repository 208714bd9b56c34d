// Extension: ipcomp (match, IPv4 IPv6)
// Synopsis: -p ipcomp -m ipcomp [[!] --ipcompspi SPI[:SPI]] [--compres]
// Semantics: the 16-bit CPI of the IPComp header, widened to 32 bits, lies in
//   the inclusive range (default 0:4294967295); '!' inverts.  --compres
//   (reserved field must be zero) is stored and saved, but the kernel never
//   tests it.  Non-first fragments never match.  The kernel (xt_ipcomp) refuses the match unless
//   the rule has '-p ipcomp' (108, not inverted).  A reversed range loads
//   (iptables 1.8.9) and never matches (always with '!').
// Example: -p ipcomp -m ipcomp --ipcompspi 18 -j DROP
// Evaluation: yes
#include "matchers/l4_range.h"
#include "matchers/parse_util.h"
#include "matchers/header_eval.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"ipcompspi", 1, true}, {"compres", 0, false}};

class IpcompMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args, const ParseContext&) override {
    if (option == 1) {
      if (compres_) return Status::Error("only one '--compres' allowed");
      compres_ = true;
      return {};
    }
    if (given_) return Status::Error("only one '--ipcompspi' allowed");
    NumRange r;
    if (Status s = ParseNumRange(args[0].text, 0xffffffff, "SPI", &r, RangeOrder::kAnyOrder); !s.ok())
      return Status::Error(s.message(), 0);
    spi_min_ = r.lo;
    spi_max_ = r.hi;
    invert_ = invert;
    given_ = true;
    return {};
  }

  // xt_ipcomp's comp_mt: not for later fragments; the 4-byte header must be
  // readable, else the packet is dropped; the 16-bit CPI against the range.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    if (v.fragoff != 0) return Tri::kFalse;
    if (!header_eval::Have(v, v.thoff, 4)) {
      ctx.hotdrop = true;
      return Tri::kFalse;
    }
    const uint32_t cpi = GetBe16(v.transport() + 2);
    return ToTri((cpi >= spi_min_ && cpi <= spi_max_) != invert_);
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (!(spi_min_ == 0 && spi_max_ == 0xffffffff) || invert_)
      SaveOpt(out, "ipcompspi", NumRangeText(spi_min_, spi_max_), invert_);
    if (compres_) SaveOpt(out, "compres");
  }

  uint32_t spi_min() const { return spi_min_; }
  uint32_t spi_max() const { return spi_max_; }
  bool invert() const { return invert_; }
  bool compres() const { return compres_; }

 private:
  uint32_t spi_min_ = 0, spi_max_ = 0xffffffff;
  bool invert_ = false, given_ = false, compres_ = false;
};

}  // namespace

extern const ExtensionInfo kIpcompMatch = {
    .name = "ipcomp",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .proto = 108,
    .create = Create<IpcompMatch>,
};

}  // namespace iptsim
