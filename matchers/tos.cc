// Extension: tos (match, IPv4 IPv6)
// Synopsis: -m tos [!] --tos VALUE[/MASK] | [!] --tos SYMBOLIC-NAME
// Semantics: (TOS byte & MASK) == VALUE (IPv4 TOS, IPv6 traffic class).
//   A number's MASK defaults to 0xff; the names Minimize-Delay (0x10),
//   Maximize-Throughput (0x08), Maximize-Reliability (0x04), Minimize-Cost
//   (0x02) and Normal-Service (0x00), any case, use the mask 0x3f.  Saved as
//   0xVV/0xMM.
// Example: -m tos --tos 0x10/0x3f
// Evaluation: yes
#include <cstdio>

#include "matchers/parse_util.h"
#include "matchers/describe_util.h"
#include "matchers/header_eval.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"tos", 1, true}};

constexpr struct {
  std::string_view name;
  uint8_t value;
} kTosNames[] = {
    {"Minimize-Cost", 0x02},       {"Maximize-Reliability", 0x04},
    {"Maximize-Throughput", 0x08}, {"Minimize-Delay", 0x10},
    {"Normal-Service", 0x00},
};

bool EqualNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (tolower(static_cast<unsigned char>(a[i])) != tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

class TosMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int, bool invert, std::span<const Arg> args, const ParseContext&) override {
    if (given_) return Status::Error("option '--tos' may be given only once");
    given_ = true;
    invert_ = invert;
    std::string_view t = args[0].text;
    size_t slash = t.find('/');
    uint64_t v, m = 0xff;
    if (ParseUInt(t.substr(0, slash), 0, 255, &v)) {
      if (slash != std::string_view::npos && !ParseUInt(t.substr(slash + 1), 0, 255, &m))
        return Status::Error("invalid TOS mask in '" + std::string(t) + "' (must be 0..255)", 0);
      value_ = static_cast<uint8_t>(v);
      mask_ = static_cast<uint8_t>(m);
      return {};
    }
    for (const auto& n : kTosNames)
      if (EqualNoCase(n.name, t)) {
        value_ = n.value;
        mask_ = 0x3f;
        return {};
      }
    return Status::Error("invalid TOS '" + std::string(t) +
                             "' (expected VALUE[/MASK] with 8-bit numbers, or Minimize-Delay, "
                             "Maximize-Throughput, Maximize-Reliability, Minimize-Cost, "
                             "Normal-Service)",
                         0);
  }
  Status Finish(const ParseContext&) override {
    if (!given_) return Status::Error("'--tos VALUE[/MASK]' is required");
    return {};
  }
  // xt_dscp's tos_mt: the IPv4 TOS byte / the IPv6 traffic class.
  Tri Evaluate(const PacketView& v, EvalContext&) const override {
    if (!header_eval::HaveIpHeader(v)) return Tri::kFalse;
    return ToTri(((header_eval::DsField(v) & mask_) == value_) != invert_);
  }
  Pred Describe(Family) const override {
    return describe::MaskedEquals(Field::kTos, value_, mask_, invert_);
  }
  void Save(std::string& out, const SaveContext&) const override {
    char buf[16];
    snprintf(buf, sizeof buf, "0x%02x/0x%02x", value_, mask_);
    SaveOpt(out, "tos", buf, invert_);
  }
  uint8_t value() const { return value_; }
  uint8_t mask() const { return mask_; }
  bool invert() const { return invert_; }

 private:
  uint8_t value_ = 0, mask_ = 0xff;
  bool invert_ = false, given_ = false;
};

}  // namespace

extern const ExtensionInfo kTosMatch = {
    .name = "tos",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<TosMatch>,
};

}  // namespace iptsim
