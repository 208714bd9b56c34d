// Extension: esp (match, IPv4 IPv6)
// Synopsis: -p esp -m esp [[!] --espspi SPI[:SPI]]
// Semantics: the SPI of the ESP header lies in the inclusive range (default
//   0:4294967295, i.e. any ESP packet); '!' inverts.  Non-first fragments
//   never match.  The kernel (xt_esp) refuses the match unless the rule has
//   '-p esp' (not inverted) and refuses unknown inversion flags.  A reversed
//   range loads (iptables 1.8.9) and never matches (always with '!').
// Example: -p esp -m esp --espspi 0x100:0x1ff
// Evaluation: yes
#include "matchers/l4_range.h"
#include "matchers/parse_util.h"
#include "matchers/header_eval.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"espspi", 1, true}};

class EspMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int, bool invert, std::span<const Arg> args, const ParseContext&) override {
    if (given_) return Status::Error("only one '--espspi' allowed");
    NumRange r;
    if (Status s = ParseNumRange(args[0].text, 0xffffffff, "SPI", &r, RangeOrder::kAnyOrder); !s.ok())
      return Status::Error(s.message(), 0);
    spi_min_ = r.lo;
    spi_max_ = r.hi;
    invert_ = invert;
    given_ = true;
    return {};
  }

  // xt_esp's esp_mt: not for later fragments; the 8-byte header (SPI,
  // sequence) must be readable, else the packet is dropped.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    if (v.fragoff != 0) return Tri::kFalse;
    if (!header_eval::Have(v, v.thoff, 8)) {
      ctx.hotdrop = true;
      return Tri::kFalse;
    }
    const uint32_t spi = GetBe32(v.transport());
    return ToTri((spi >= spi_min_ && spi <= spi_max_) != invert_);
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (spi_min_ == 0 && spi_max_ == 0xffffffff && !invert_) return;
    SaveOpt(out, "espspi", NumRangeText(spi_min_, spi_max_), invert_);
  }

  uint32_t spi_min() const { return spi_min_; }
  uint32_t spi_max() const { return spi_max_; }
  bool invert() const { return invert_; }

 private:
  uint32_t spi_min_ = 0, spi_max_ = 0xffffffff;
  bool invert_ = false, given_ = false;
};

}  // namespace

extern const ExtensionInfo kEspMatch = {
    .name = "esp",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .proto = 50,
    .create = Create<EspMatch>,
};

}  // namespace iptsim
