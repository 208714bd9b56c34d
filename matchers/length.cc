// Extension: length (match, IPv4 IPv6)
// Synopsis: -m length [!] --length MIN[:MAX]
// Semantics: the packet length is within MIN..MAX (inclusive, 0..65535):
//   IPv4 the total length field; IPv6 the payload length plus the 40-byte
//   fixed header.  "MIN:" is MIN:65535, ":MAX" is 0:MAX; MIN > MAX loads (as
//   in iptables 1.8.9) and never matches (always with '!').
// Example: -m length --length 1000:1500
// Evaluation: yes
#include "matchers/header_util.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"
#include "matchers/header_eval.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"length", 1, true}};

class LengthMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int, bool invert, std::span<const Arg> args, const ParseContext&) override {
    if (given_) return Status::Error("option '--length' may be given only once");
    given_ = true;
    invert_ = invert;
    uint64_t lo, hi;
    if (Status s = hdr::ParseUIntRange(args[0].text, 65535, &lo, &hi, RangeOrder::kAnyOrder); !s.ok())
      return Status::Error("invalid length '" + std::string(args[0].text) + "': " + s.message(), 0);
    min_ = static_cast<uint16_t>(lo);
    max_ = static_cast<uint16_t>(hi);
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_) return Status::Error("'--length MIN[:MAX]' is required");
    return {};
  }
  // xt_length: IPv4 the total length field; IPv6 payload length + 40, summed
  // in 16 bits as the kernel does (a payload length above 65495 wraps).
  Tri Evaluate(const PacketView& v, EvalContext&) const override {
    if (!header_eval::HaveIpHeader(v)) return Tri::kFalse;
    const uint8_t* b = v.data();
    uint16_t len = v.pkt->family == Family::kIPv4
                       ? GetBe16(b + 2)
                       : static_cast<uint16_t>(GetBe16(b + 4) + 40);
    return ToTri((len >= min_ && len <= max_) != invert_);
  }
  Pred Describe(Family) const override {
    return describe::InRange(Field::kLength, min_, max_, invert_);
  }
  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, "length", hdr::RangeText(min_, max_), invert_);
  }
  uint16_t min() const { return min_; }
  uint16_t max() const { return max_; }
  bool invert() const { return invert_; }

 private:
  uint16_t min_ = 0, max_ = 65535;
  bool invert_ = false, given_ = false;
};

}  // namespace

extern const ExtensionInfo kLengthMatch = {
    .name = "length",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<LengthMatch>,
};

}  // namespace iptsim
