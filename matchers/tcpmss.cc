// Extension: tcpmss (match, IPv4 IPv6)
// Synopsis: -p tcp -m tcpmss [!] --mss VALUE[:VALUE]
// Semantics: the MSS option of a TCP packet lies in the inclusive range; '!'
//   inverts.  A packet without an MSS option matches only with '!'; a
//   truncated TCP header is dropped (hotdrop).  --mss is required.  The kernel
//   (xt_tcpmss) refuses the match unless the rule has '-p tcp' (not
//   inverted).
// Example: -p tcp -m tcpmss --mss 1:500 -j DROP
// Evaluation: yes
#include "matchers/l4_range.h"
#include "matchers/parse_util.h"
#include "matchers/header_eval.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"mss", 1, true}};

class TcpmssMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int, bool invert, std::span<const Arg> args, const ParseContext&) override {
    if (given_) return Status::Error("only one '--mss' allowed");
    NumRange r;
    if (Status s = ParseNumRange(args[0].text, 0xffff, "MSS", &r); !s.ok())
      return Status::Error(s.message(), 0);
    mss_min_ = static_cast<uint16_t>(r.lo);
    mss_max_ = static_cast<uint16_t>(r.hi);
    invert_ = invert;
    given_ = true;
    return {};
  }

  Status Finish(const ParseContext&) override {
    if (!given_) return Status::Error("'--mss VALUE[:VALUE]' is required");
    return {};
  }

  // xt_tcpmss's tcpmss_mt.  No fragment test: a later fragment's payload is
  // read as a TCP header, as the kernel does.  A header or option area that
  // cannot be read, or a data offset below 5, drops the packet.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    if (!header_eval::Have(v, v.thoff, 20)) {
      ctx.hotdrop = true;
      return Tri::kFalse;
    }
    const uint8_t* th = v.transport();
    const size_t doff = static_cast<size_t>(th[12] >> 4) * 4;
    if (doff < 20) {
      ctx.hotdrop = true;
      return Tri::kFalse;
    }
    const size_t optlen = doff - 20;
    if (optlen && !header_eval::Have(v, v.thoff + 20, optlen)) {
      ctx.hotdrop = true;
      return Tri::kFalse;
    }
    const uint8_t* op = th + 20;
    for (size_t i = 0; i < optlen;) {
      if (op[i] == 2 && optlen - i >= 4 && op[i + 1] == 4) {
        const uint16_t mss = GetBe16(op + i + 2);
        return ToTri((mss >= mss_min_ && mss <= mss_max_) != invert_);
      }
      // (At the last byte any step ends the loop, whatever the kernel
      // reads past the options.)
      if (op[i] < 2 || i + 1 >= optlen)
        ++i;
      else
        i += op[i + 1] ? op[i + 1] : 1;
    }
    return ToTri(invert_);
  }
  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, "mss", NumRangeText(mss_min_, mss_max_), invert_);
  }

  uint16_t mss_min() const { return mss_min_; }
  uint16_t mss_max() const { return mss_max_; }
  bool invert() const { return invert_; }

 private:
  uint16_t mss_min_ = 0, mss_max_ = 0;
  bool invert_ = false, given_ = false;
};

}  // namespace

extern const ExtensionInfo kTcpmssMatch = {
    .name = "tcpmss",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .proto = 6,
    .create = Create<TcpmssMatch>,
};

}  // namespace iptsim
