// Extension: TOS (target, IPv4 IPv6)
// Synopsis: -j TOS --set-tos VALUE[/MASK] | --set-tos SYMBOL | --and-tos BITS
//   | --or-tos BITS | --xor-tos BITS
// Semantics: tos = (tos & ~MASK) ^ VALUE on the IPv4 TOS byte or the IPv6
//   traffic class, then the rule continues (XT_CONTINUE).  A number without
//   a mask uses MASK 0xff; a symbol (Minimize-Delay 0x10, Maximize-Throughput
//   0x08, Maximize-Reliability 0x04, Minimize-Cost 0x02, Normal-Service 0x00)
//   uses MASK 0x3f.  Every form is saved as --set-tos: --and-tos B is
//   0/~B, --or-tos B is B/B, --xor-tos B is B/0.  The kernel accepts it only
//   in the mangle table.
// Example: -t mangle -A PREROUTING -j TOS --set-tos 0x10/0x3f
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
    {"set-tos", 1, false},
    {"and-tos", 1, false},
    {"or-tos", 1, false},
    {"xor-tos", 1, false},
};

constexpr std::array<std::pair<const char*, uint8_t>, 5> kTosNames = {{
    {"Minimize-Delay", 0x10},
    {"Maximize-Throughput", 0x08},
    {"Maximize-Reliability", 0x04},
    {"Minimize-Cost", 0x02},
    {"Normal-Service", 0x00},
}};

// xtables_strtoui with an end pointer: a leading number in [0,255] is enough.
bool LeadingByte(std::string_view s, size_t* used, uint64_t* v) {
  for (size_t n = s.size(); n > 0; --n)
    if (ParseUInt(s.substr(0, n), 0, UINT64_MAX, v)) {
      *used = n;
      return *v <= 255;
    }
  return false;
}

class TosTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    if (action_ >= 0) {
      if (action_ == option)
        return Status::Error("only one '--" + std::string(kOptions[option].name) + "' allowed");
      return Status::Error("'--" + std::string(kOptions[action_].name) + "' and '--" +
                           std::string(kOptions[option].name) +
                           "' cannot be used together (one action per rule)");
    }
    action_ = option;
    std::string_view a = args[0].text;
    if (option == 0) {
      size_t used;
      uint64_t v;
      if (LeadingByte(a, &used, &v)) {
        // VALUE[/MASK], both 0..255.
        uint64_t m = 0xff;
        std::string_view rest = a.substr(used);
        if (!rest.empty()) {
          if (rest[0] != '/' || !ParseUInt(rest.substr(1), 0, 255, &m))
            return Status::Error("invalid TOS value '" + std::string(a) +
                                     "' (expected VALUE[/MASK], numbers 0..255, or a name)",
                                 0);
        }
        value_ = static_cast<uint8_t>(v);
        mask_ = static_cast<uint8_t>(m);
        return {};
      }
      for (auto& [name, val] : kTosNames)
        if (strcasecmp(std::string(a).c_str(), name) == 0) {
          value_ = val;
          mask_ = 0x3f;
          return {};
        }
      return Status::Error("unknown TOS name '" + std::string(a) +
                               "' (use a number 0..255 or one of Minimize-Delay, "
                               "Maximize-Throughput, Maximize-Reliability, Minimize-Cost, "
                               "Normal-Service)",
                           0);
    }
    uint8_t bits;
    Status s = ParseUIntArgT(args, 0, 0, 255, "TOS bits", &bits);
    if (!s.ok()) return s;
    switch (option) {
      case 1: value_ = 0; mask_ = static_cast<uint8_t>(~bits); break;
      case 2: value_ = mask_ = bits; break;
      default: value_ = bits; mask_ = 0; break;
    }
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (action_ < 0)
      return Status::Error("an action is required: --set-tos, --and-tos, --or-tos or --xor-tos");
    return {};
  }
  TargetEffect DescribeEffect(Family) const override {
    return describe::SetBits(Field::kTos, mask_, value_);
  }
  // xt_DSCP.c tos_tg / tos_tg6.
  TargetVerdict Apply(Packet& pkt, const PacketView&, EvalContext&) const override {
    uint8_t* h = pkt.bytes.data();
    if (pkt.family == Family::kIPv4) {
      uint8_t orig = h[1];
      uint8_t nv = static_cast<uint8_t>((orig & ~mask_) ^ value_);
      if (orig != nv) header_eval::Ipv4ChangeDsfield(h, 0, nv);
    } else {
      uint8_t orig = header_eval::Ipv6GetDsfield(h);
      uint8_t nv = static_cast<uint8_t>((orig & ~mask_) ^ value_);
      if (orig != nv) header_eval::Ipv6ChangeDsfield(h, 0, nv);
    }
    return TargetVerdict::kContinue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%02x/0x%02x", value_, mask_);
    SaveOpt(out, "set-tos", std::string(buf));
  }

  uint8_t value() const { return value_; }
  uint8_t mask() const { return mask_; }

 private:
  uint8_t value_ = 0, mask_ = 0;
  int action_ = -1;
};

}  // namespace

extern const ExtensionInfo kTosTarget = {
    .name = "TOS",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kMangle),
    .create = Create<TosTarget>,
};

}  // namespace iptsim
