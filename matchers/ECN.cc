// Extension: ECN (target, IPv4)
// Synopsis: -j ECN [--ecn-tcp-remove] [--ecn-tcp-cwr 0|1] [--ecn-tcp-ece 0|1]
//   [--ecn-ip-ect 0..3]
// Semantics: rewrites ECN bits, then the rule continues: --ecn-ip-ect sets
//   the two ECN bits of the IPv4 TOS byte; --ecn-tcp-cwr / --ecn-tcp-ece set
//   the TCP CWR / ECE flags of TCP packets; --ecn-tcp-remove clears both
//   (it is --ecn-tcp-ece 0 --ecn-tcp-cwr 0, and replaces earlier options).
//   At least one option.  The kernel accepts it only in the mangle table, and
//   the TCP operations only with '-p tcp' (not inverted).
// Example: -t mangle -A POSTROUTING -p tcp -j ECN --ecn-tcp-remove
// Evaluation: yes
#include "matchers/parse_util.h"
#include "base/bytes.h"
#include "base/checksum.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"ecn-tcp-remove", 0, false},
    {"ecn-tcp-cwr", 1, false},
    {"ecn-tcp-ece", 1, false},
    {"ecn-ip-ect", 1, false},
};

// A small number in [0, max].  (Parsed with a wide bound and checked here:
// ParseUInt's overflow test lets a digit above a one-digit max through.)
Status ParseSmall(std::span<const Arg> args, uint8_t max, std::string_view what, uint8_t* out) {
  uint64_t v = 0;
  if (!ParseUInt(args[0].text, 0, 255, &v) || v > max)
    return Status::Error("invalid " + std::string(what) + " '" + std::string(args[0].text) +
                             "' (must be 0.." + std::to_string(max) + ")",
                         0);
  *out = static_cast<uint8_t>(v);
  return {};
}

class EcnTarget : public Target {
 public:
  using Target::Target;
  // IPT_ECN_OP_* bits.
  static constexpr uint8_t kSetIp = 0x01, kSetEce = 0x10, kSetCwr = 0x20;

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    if (seen_ & (1u << option))
      return Status::Error("only one '--" + std::string(kOptions[option].name) + "' allowed");
    if (option == 0 && (seen_ & 0x6))
      return Status::Error(std::string("'--ecn-tcp-remove' cannot be used together with '--") +
                           ((seen_ & 0x2) ? "ecn-tcp-cwr" : "ecn-tcp-ece") + "'");
    if ((option == 1 || option == 2) && (seen_ & 0x1))
      return Status::Error("'--" + std::string(kOptions[option].name) +
                           "' cannot be used together with '--ecn-tcp-remove'");
    seen_ |= 1u << option;
    switch (option) {
      case 0:
        operation_ = kSetEce | kSetCwr;  // replaces, as iptables does
        ece_ = cwr_ = 0;
        return {};
      case 1:
        operation_ |= kSetCwr;
        return ParseSmall(args, 1, "CWR value", &cwr_);
      case 2:
        operation_ |= kSetEce;
        return ParseSmall(args, 1, "ECE value", &ece_);
      default:
        operation_ |= kSetIp;
        return ParseSmall(args, 3, "ECT codepoint", &ip_ect_);
    }
  }
  Status Finish(const ParseContext&) override {
    if (!seen_)
      return Status::Error(
          "an operation is required: --ecn-tcp-remove, --ecn-tcp-cwr, --ecn-tcp-ece or "
          "--ecn-ip-ect");
    return {};
  }
  Status Check(const CheckContext& ctx) const override {
    if ((operation_ & (kSetEce | kSetCwr)) &&
        (ctx.rule->ip.proto != 6 || ctx.rule->ip.inv_proto))
      return Status::Error("the TCP operations (--ecn-tcp-remove, --ecn-tcp-cwr, --ecn-tcp-ece) "
                           "need '-p tcp'");
    return {};
  }
  // One field at a time: the TOS ECN bits, or clearing TCP flags (which
  // leaves the flags field of a non-TCP packet or a later fragment, 0, as
  // it is; setting them would not).  Both at once: unmodelled.
  TargetEffect DescribeEffect(Family) const override {
    if (operation_ == kSetIp) return describe::SetBits(Field::kTos, 0x03, ip_ect_ & 3u);
    if (operation_ & kSetIp) return {};
    if (ece_ || cwr_) return {};
    const uint32_t cleared =
        ((operation_ & kSetEce) ? 0x40u : 0u) | ((operation_ & kSetCwr) ? 0x80u : 0u);
    return describe::SetBits(Field::kTcpFlags, cleared, 0);
  }
  // ipt_ECN.c ecn_tg: set_ect_ip, then set_ect_tcp when the IP protocol is
  // TCP (the kernel does not look at the fragment offset); a TCP header
  // shorter than 20 bytes: NF_DROP.
  TargetVerdict Apply(Packet& pkt, const PacketView&, EvalContext&) const override {
    uint8_t* h = pkt.bytes.data();
    if ((operation_ & kSetIp) && (h[1] & 3) != (ip_ect_ & 3)) {
      uint8_t old = h[1];
      h[1] = static_cast<uint8_t>((h[1] & ~3) | (ip_ect_ & 3));
      CsumReplace2(h + 10, old, h[1]);
    }
    if ((operation_ & (kSetEce | kSetCwr)) && h[9] == 6) {
      size_t thoff = static_cast<size_t>(h[0] & 0x0f) * 4;
      if (pkt.bytes.size() < thoff + 20) return TargetVerdict::kDrop;
      uint8_t* th = h + thoff;
      bool ece = th[13] & 0x40, cwr = th[13] & 0x80;
      if ((!(operation_ & kSetEce) || ece == (ece_ != 0)) &&
          (!(operation_ & kSetCwr) || cwr == (cwr_ != 0)))
        return TargetVerdict::kContinue;
      uint16_t oldval = GetBe16(th + 12);
      if (operation_ & kSetEce) th[13] = static_cast<uint8_t>((th[13] & ~0x40) | (ece_ ? 0x40 : 0));
      if (operation_ & kSetCwr) th[13] = static_cast<uint8_t>((th[13] & ~0x80) | (cwr_ ? 0x80 : 0));
      InetProtoCsumReplace2(th + 16, oldval, GetBe16(th + 12));
    }
    return TargetVerdict::kContinue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (operation_ == (kSetEce | kSetCwr) && ece_ == 0 && cwr_ == 0) {
      SaveOpt(out, "ecn-tcp-remove");
      return;
    }
    if (operation_ & kSetEce) SaveOpt(out, "ecn-tcp-ece", std::to_string(ece_));
    if (operation_ & kSetCwr) SaveOpt(out, "ecn-tcp-cwr", std::to_string(cwr_));
    if (operation_ & kSetIp) SaveOpt(out, "ecn-ip-ect", std::to_string(ip_ect_));
  }

  uint8_t operation() const { return operation_; }
  uint8_t ip_ect() const { return ip_ect_; }
  uint8_t ece() const { return ece_; }
  uint8_t cwr() const { return cwr_; }

 private:
  uint8_t operation_ = 0, ip_ect_ = 0, ece_ = 0, cwr_ = 0;
  unsigned seen_ = 0;  // bit per option index
};

}  // namespace

extern const ExtensionInfo kEcnTarget = {
    .name = "ECN",
    .kind = ExtKind::kTarget,
    .families = kFamV4,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kMangle),
    .create = Create<EcnTarget>,
};

}  // namespace iptsim
