// Extension: ah (match, IPv4 IPv6)
// Synopsis: IPv4: -p ah -m ah [[!] --ahspi SPI[:SPI]]
//   IPv6: -m ah [[!] --ahspi SPI[:SPI]] [[!] --ahlen LENGTH] [--ahres]
// Semantics: the SPI of the AH header lies in the inclusive range (default
//   0:4294967295); '!' inverts.  IPv4 (ipt_ah): the AH header is the L4
//   header, so the kernel refuses the match without '-p ah' (not inverted);
//   non-first fragments never match.  IPv6 (ip6t_ah): the AH extension header
//   is searched in the header chain (no -p needed; no AH header: no match);
//   --ahlen compares the header's total length in bytes (0: not tested, even
//   with '!'), --ahres requires the reserved field to be zero.  A reversed
//   SPI range loads (iptables 1.8.9) and never matches (always with '!').
// Example: -p ah -m ah --ahspi 500  /  ip6tables: -m ah --ahspi 500 --ahres
// Evaluation: yes
#include "matchers/l4_range.h"
#include "matchers/parse_util.h"
#include "matchers/header_eval.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptionsV4[] = {{"ahspi", 1, true}};
constexpr OptionSpec kOptionsV6[] = {{"ahspi", 1, true}, {"ahlen", 1, true}, {"ahres", 0, false}};

class AhMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args, const ParseContext&) override {
    switch (option) {
      case 0: {
        if (spi_given_) return Status::Error("only one '--ahspi' allowed");
        NumRange r;
        if (Status s = ParseNumRange(args[0].text, 0xffffffff, "SPI", &r, RangeOrder::kAnyOrder); !s.ok())
          return Status::Error(s.message(), 0);
        spi_min_ = r.lo;
        spi_max_ = r.hi;
        inv_spi_ = invert;
        spi_given_ = true;
        return {};
      }
      case 1: {
        if (len_given_) return Status::Error("only one '--ahlen' allowed");
        len_given_ = true;
        inv_len_ = invert;
        return ParseUIntArgT(args, 0, 0, 0xffffffff, "AH header length", &hdrlen_);
      }
      case 2:
        if (hdrres_) return Status::Error("only one '--ahres' allowed");
        hdrres_ = true;
        return {};
    }
    return {};
  }

  // IPv4 ipt_ah's ah_mt: the AH header is the transport header (12 bytes
  // read); not for later fragments.  IPv6 ip6t_ah's ah_mt6: ipv6_find_hdr
  // looks for the AH header in the chain (a broken chain drops the packet,
  // none: no match); --ahlen 0 is not tested.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    size_t off = v.thoff;
    if (v.pkt->family == Family::kIPv4) {
      if (v.fragoff != 0) return Tri::kFalse;
    } else {
      int err = header_eval::FindIpv6Hdr(v, 51, &off);
      if (err < 0) {
        if (err != header_eval::kENOENT) ctx.hotdrop = true;
        return Tri::kFalse;
      }
    }
    if (!header_eval::Have(v, off, 12)) {
      ctx.hotdrop = true;
      return Tri::kFalse;
    }
    const uint8_t* ah = v.data() + off;
    const uint32_t spi = GetBe32(ah + 4);
    if ((spi >= spi_min_ && spi <= spi_max_) == inv_spi_) return Tri::kFalse;
    if (v.pkt->family == Family::kIPv4) return Tri::kTrue;
    const uint32_t len = (static_cast<uint32_t>(ah[1]) + 2) * 4;
    if (hdrlen_ && (hdrlen_ == len) == inv_len_) return Tri::kFalse;
    if (hdrres_ && GetBe16(ah + 2) != 0) return Tri::kFalse;
    return Tri::kTrue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (!(spi_min_ == 0 && spi_max_ == 0xffffffff) || inv_spi_)
      SaveOpt(out, "ahspi", NumRangeText(spi_min_, spi_max_), inv_spi_);
    if (hdrlen_ != 0 || inv_len_) SaveOpt(out, "ahlen", std::to_string(hdrlen_), inv_len_);
    if (hdrres_) SaveOpt(out, "ahres");
  }

  uint32_t spi_min() const { return spi_min_; }
  uint32_t spi_max() const { return spi_max_; }
  bool inv_spi() const { return inv_spi_; }
  uint32_t hdrlen() const { return hdrlen_; }  // IPv6 only
  bool inv_len() const { return inv_len_; }
  bool hdrres() const { return hdrres_; }

 private:
  uint32_t spi_min_ = 0, spi_max_ = 0xffffffff, hdrlen_ = 0;
  bool inv_spi_ = false, spi_given_ = false, inv_len_ = false, len_given_ = false,
       hdrres_ = false;
};

}  // namespace

extern const ExtensionInfo kAhMatch = {
    .name = "ah",
    .kind = ExtKind::kMatch,
    .families = kFamV4,
    .options = kOptionsV4,
    .proto = 51,
    .create = Create<AhMatch>,
};

extern const ExtensionInfo kAh6Match = {
    .name = "ah",
    .kind = ExtKind::kMatch,
    .families = kFamV6,
    .options = kOptionsV6,
    .create = Create<AhMatch>,
};

}  // namespace iptsim
