// Extension: DSCP (target, IPv4 IPv6)
// Synopsis: -j DSCP --set-dscp VALUE | --set-dscp-class CLASS
// Semantics: replaces the upper six bits of the IPv4 TOS byte / IPv6
//   traffic class with VALUE (0..0x3f), keeping the two ECN bits, then the
//   rule continues.  CLASS is a DiffServ class name (CS0..CS7, AF11..AF43,
//   EF, BE, any case), saved as its number.  Exactly one of the two options.
//   The kernel accepts it only in the mangle table (and refuses VALUE >
//   0x3f with EDOM).
// Example: -t mangle -A POSTROUTING -j DSCP --set-dscp 0x2e
// Evaluation: yes
#include <array>
#include <cstdio>
#include <strings.h>

#include "matchers/parse_util.h"
#include "matchers/header_eval.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"set-dscp", 1, false},
    {"set-dscp-class", 1, false},
};

// In iptables' order: the first name the argument starts with wins
// ("AF111" is AF11).
constexpr std::array<std::pair<std::string_view, uint8_t>, 22> kClasses = {{
    {"CS0", 0x00},  {"CS1", 0x08},  {"CS2", 0x10},  {"CS3", 0x18},  {"CS4", 0x20},
    {"CS5", 0x28},  {"CS6", 0x30},  {"CS7", 0x38},  {"BE", 0x00},   {"AF11", 0x0a},
    {"AF12", 0x0c}, {"AF13", 0x0e}, {"AF21", 0x12}, {"AF22", 0x14}, {"AF23", 0x16},
    {"AF31", 0x1a}, {"AF32", 0x1c}, {"AF33", 0x1e}, {"AF41", 0x22}, {"AF42", 0x24},
    {"AF43", 0x26}, {"EF", 0x2e},
}};

class DscpTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    if (given_ >= 0) {
      if (given_ == option)
        return Status::Error("only one '--" + std::string(kOptions[option].name) + "' allowed");
      return Status::Error("'--set-dscp' and '--set-dscp-class' cannot be used together");
    }
    given_ = option;
    if (option == 0) return ParseUIntArgT(args, 0, 0, 0x3f, "DSCP value", &dscp_);
    std::string a(args[0].text);
    for (auto& [name, val] : kClasses)
      if (a.size() >= name.size() && strncasecmp(a.c_str(), name.data(), name.size()) == 0) {
        dscp_ = val;
        return {};
      }
    return Status::Error("unknown DSCP class '" + a +
                             "' (use CS0..CS7, AF11..AF13, AF21..AF23, AF31..AF33, "
                             "AF41..AF43, EF or BE)",
                         0);
  }
  Status Finish(const ParseContext&) override {
    if (given_ < 0) return Status::Error("'--set-dscp VALUE' or '--set-dscp-class CLASS' is required");
    return {};
  }
  // The DS field's upper six bits become the DSCP, the ECN bits stay.
  TargetEffect DescribeEffect(Family) const override {
    return describe::SetBits(Field::kTos, 0xfc, static_cast<uint32_t>(dscp_) << 2);
  }
  // xt_DSCP.c dscp_tg / dscp_tg6: the ECN bits are kept (mask ~XT_DSCP_MASK).
  TargetVerdict Apply(Packet& pkt, const PacketView&, EvalContext&) const override {
    uint8_t* h = pkt.bytes.data();
    if (pkt.family == Family::kIPv4) {
      if ((h[1] >> 2) != dscp_) header_eval::Ipv4ChangeDsfield(h, 0x03, static_cast<uint8_t>(dscp_ << 2));
    } else {
      if ((header_eval::Ipv6GetDsfield(h) >> 2) != dscp_)
        header_eval::Ipv6ChangeDsfield(h, 0x03, static_cast<uint8_t>(dscp_ << 2));
    }
    return TargetVerdict::kContinue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%02x", dscp_);
    SaveOpt(out, "set-dscp", std::string(buf));
  }

  uint8_t dscp() const { return dscp_; }

 private:
  uint8_t dscp_ = 0;
  int given_ = -1;
};

}  // namespace

extern const ExtensionInfo kDscpTarget = {
    .name = "DSCP",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kMangle),
    .create = Create<DscpTarget>,
};

}  // namespace iptsim
