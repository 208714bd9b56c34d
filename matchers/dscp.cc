// Extension: dscp (match, IPv4 IPv6)
// Synopsis: -m dscp [!] --dscp VALUE | [!] --dscp-class CLASS
// Semantics: the DSCP field (upper 6 bits of the IPv4 TOS / IPv6 traffic
//   class) equals VALUE (0..63).  CLASS is one of CS0..CS7, BE, AF11..AF43,
//   EF (any case; iptables compares only the class name's length, so "EFX" is
//   EF) and is saved as --dscp 0xNN.  One of the two options is required.
// Example: -m dscp --dscp-class EF
// Evaluation: yes
#include <cstdio>

#include "matchers/header_util.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"
#include "matchers/header_eval.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"dscp", 1, true}, {"dscp-class", 1, true}};

constexpr struct {
  std::string_view name;
  uint8_t dscp;
} kClasses[] = {
    {"CS0", 0x00},  {"CS1", 0x08},  {"CS2", 0x10},  {"CS3", 0x18},  {"CS4", 0x20},
    {"CS5", 0x28},  {"CS6", 0x30},  {"CS7", 0x38},  {"BE", 0x00},   {"AF11", 0x0a},
    {"AF12", 0x0c}, {"AF13", 0x0e}, {"AF21", 0x12}, {"AF22", 0x14}, {"AF23", 0x16},
    {"AF31", 0x1a}, {"AF32", 0x1c}, {"AF33", 0x1e}, {"AF41", 0x22}, {"AF42", 0x24},
    {"AF43", 0x26}, {"EF", 0x2e},
};

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (toupper(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

class DscpMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    Status s = given_.Add(option, kOptions);
    if (!s.ok()) return s;
    s = given_.Exclude(option, {0, 1}, kOptions);
    if (!s.ok()) return s;
    invert_ = invert;
    if (option == 0) return ParseUIntArgT(args, 0, 0, 63, "DSCP value", &dscp_);
    for (const auto& c : kClasses)
      if (StartsWithNoCase(args[0].text, c.name)) {
        dscp_ = c.dscp;
        return {};
      }
    return Status::Error("invalid DSCP class '" + std::string(args[0].text) +
                             "' (expected CS0..CS7, BE, AF11..AF43 or EF)",
                         0);
  }
  Status Finish(const ParseContext&) override {
    if (!given_.Any()) return Status::Error("'--dscp VALUE' or '--dscp-class CLASS' is required");
    return {};
  }
  // xt_dscp's dscp_mt / dscp_mt6: the DS field's upper six bits.
  Tri Evaluate(const PacketView& v, EvalContext&) const override {
    if (!header_eval::HaveIpHeader(v)) return Tri::kFalse;
    return ToTri(((header_eval::DsField(v) >> 2) == dscp_) != invert_);
  }
  Pred Describe(Family) const override {
    return describe::MaskedEquals(Field::kTos, static_cast<uint32_t>(dscp_) << 2, 0xfc, invert_);
  }
  void Save(std::string& out, const SaveContext&) const override {
    char buf[8];
    snprintf(buf, sizeof buf, "0x%02x", dscp_);
    SaveOpt(out, "dscp", buf, invert_);
  }
  uint8_t dscp() const { return dscp_; }
  bool invert() const { return invert_; }

 private:
  hdr::OptionSet given_;
  uint8_t dscp_ = 0;
  bool invert_ = false;
};

}  // namespace

extern const ExtensionInfo kDscpMatch = {
    .name = "dscp",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<DscpMatch>,
};

}  // namespace iptsim
