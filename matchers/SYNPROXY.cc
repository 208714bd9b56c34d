// Extension: SYNPROXY (target, IPv4 IPv6)
// Synopsis: -p tcp -j SYNPROXY [--mss MSS] [--wscale SHIFT] [--sack-perm]
//   [--timestamp] [--ecn]
// Semantics: answers TCP SYNs itself with SYN cookies and only connects to
//   the server once the client completed the handshake; the options are the
//   TCP options announced in the proxied SYN/ACK.  A SYN is consumed (the
//   proxy answers it: NF_STOLEN), a bare ACK with a valid cookie is consumed
//   and one with a bad cookie dropped; other packets continue.  MSS
//   and SHIFT are read as 32-bit numbers and kept in 16 / 8 bits (iptables
//   truncates).  The kernel wants '-p tcp' (not inverted) and allows it only
//   in INPUT and FORWARD; it is meant for packets in conntrack state INVALID
//   or UNTRACKED.
// Example: -A INPUT -p tcp --dport 80 -m conntrack --ctstate INVALID,UNTRACKED
//   -j SYNPROXY --sack-perm --timestamp --wscale 7 --mss 1460
// Evaluation: partial: a bad TCP checksum drops; a SYN is consumed (NF_STOLEN: the SYN/ACK the kernel answers with is not generated); a bare ACK is unknown (its cookie needs the kernel's secret keys); other packets continue
#include "base/checksum.h"
#include "matchers/parse_util.h"
#include <vector>

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"sack-perm", 0, false}, {"timestamp", 0, false}, {"wscale", 1, false},
    {"mss", 1, false},       {"ecn", 0, false},
};

class SynproxyTarget : public Target {
 public:
  using Target::Target;
  // XT_SYNPROXY_OPT_* bits.
  static constexpr uint8_t kOptMss = 0x01, kOptWscale = 0x02, kOptSackPerm = 0x04,
                           kOptTimestamp = 0x08, kOptEcn = 0x10;

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    if (seen_ & (1u << option))
      return Status::Error("only one '--" + std::string(kOptions[option].name) + "' allowed");
    seen_ |= 1u << option;
    uint32_t v = 0;
    switch (option) {
      case 0: options_ |= kOptSackPerm; return {};
      case 1: options_ |= kOptTimestamp; return {};
      case 2: {
        Status s = ParseUIntArgT(args, 0, 0, 0xffffffff, "window scale", &v);
        wscale_ = static_cast<uint8_t>(v);  // iptables keeps the low 8 bits
        options_ |= kOptWscale;
        return s;
      }
      case 3: {
        Status s = ParseUIntArgT(args, 0, 0, 0xffffffff, "MSS", &v);
        mss_ = static_cast<uint16_t>(v);  // iptables keeps the low 16 bits
        options_ |= kOptMss;
        return s;
      }
      default: options_ |= kOptEcn; return {};
    }
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (options_ & kOptSackPerm) SaveOpt(out, "sack-perm");
    if (options_ & kOptTimestamp) SaveOpt(out, "timestamp");
    if (options_ & kOptWscale) SaveOpt(out, "wscale", std::to_string(wscale_));
    if (options_ & kOptMss) SaveOpt(out, "mss", std::to_string(mss_));
    if (options_ & kOptEcn) SaveOpt(out, "ecn");
  }

  // synproxy_tg4/tg6: the TCP checksum is verified first (a bad one, or a
  // header cut short, drops the packet); a SYN without ACK, FIN and RST is
  // answered with a SYN/ACK carrying a cookie and consumed (NF_STOLEN; the
  // SYN/ACK itself is not simulated); a bare ACK is checked against the
  // cookie, which depends on the kernel's secret keys: unknown; anything
  // else continues.
  TargetVerdict Apply(Packet& pkt, const PacketView& v, EvalContext& ctx) const override {
    const size_t thoff = v.thoff;
    if (v.size() < thoff + 20 || !TcpChecksumOk(pkt, thoff)) return TargetVerdict::kDrop;
    const uint8_t flags = v.data()[thoff + 13];
    constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kAck = 0x10;
    if ((flags & kSyn) && !(flags & (kAck | kFin | kRst))) return TargetVerdict::kStolen;
    if ((flags & kAck) && !(flags & (kFin | kRst | kSyn))) {
      ctx.unknown_reason = "-j SYNPROXY checks the ACK against a SYN cookie made with the "
                           "kernel's secret keys, which iptsim does not have";
      return TargetVerdict::kUnknown;
    }
    return TargetVerdict::kContinue;
  }

  // The TCP checksum over the pseudo header and the segment (all bytes
  // from the transport header on, as nf_ip_checksum/nf_ip6_checksum).
  static bool TcpChecksumOk(const Packet& pkt, size_t thoff) {
    const std::vector<uint8_t>& b = pkt.bytes;
    const size_t len = b.size() - thoff;
    const bool v4 = pkt.family == Family::kIPv4;
    uint32_t sum = ChecksumPseudoHeader(b.data() + (v4 ? 12 : 8), b.data() + (v4 ? 16 : 24),
                                        v4 ? 4 : 16, 6 /* TCP */, static_cast<uint32_t>(len));
    return ChecksumFinish(ChecksumAdd(sum, b.data() + thoff, len)) == 0;
  }

  uint8_t options() const { return options_; }
  uint8_t wscale() const { return wscale_; }
  uint16_t mss() const { return mss_; }

 private:
  uint8_t options_ = 0, wscale_ = 0;
  uint16_t mss_ = 0;
  unsigned seen_ = 0;
};

}  // namespace

extern const ExtensionInfo kSynproxyTarget = {
    .name = "SYNPROXY",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .hooks = HookBit(Hook::kLocalIn) | HookBit(Hook::kForward),
    .proto = 6,
    .enables_conntrack = true,
    .create = Create<SynproxyTarget>,
};

}  // namespace iptsim
