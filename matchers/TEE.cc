// Extension: TEE (target, IPv4 IPv6)
// Synopsis: -j TEE --gateway ADDR [--oif NAME]
// Semantics: sends a copy of the packet, routed as if its next hop were
//   ADDR (out of NAME when given), and lets the original continue
//   (XT_CONTINUE).  The copy (nf_dup_ipv4/ipv6) is untracked, IPv4 gets DF,
//   in PREROUTING/INPUT its TTL/hop limit goes down by one, and it is sent
//   at once through OUTPUT and POSTROUTING (with the original's nf_trace, so
//   a traced packet's copy is traced too); a TEE it meets there does
//   nothing (nf_skb_duplicated).  ADDR is read
//   like getaddrinfo ("1.2.3" is 1.2.0.3); NAME is cut to 15 characters.
//   Kernel (xt_TEE): any table and hook; the gateway may not be
//   0.0.0.0 / ::.
// Example: -j TEE --gateway 192.168.1.250 --oif eth1
// Evaluation: yes (the original continues; the copy is walked through OUTPUT/POSTROUTING
//   before it; its route needs --oif or --host, else a note says the copy is not simulated)
#include "base/bytes.h"
#include "base/checksum.h"
#include "matchers/nat_values.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"gateway", 1, false},
    {"oif", 1, false},
};
constexpr size_t kMaxIfaceLen = 15;  // IFNAMSIZ - 1

class TeeTarget : public Target {
 public:
  using Target::Target;

  const IpAddr& gateway() const { return gw_; }
  const std::string& oif() const { return oif_; }

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext& ctx) override {
    if (seen_ & (1u << option))
      return Status::Error("'--" + std::string(kOptions[option].name) + "' may be given only once");
    seen_ |= 1u << option;
    if (option == 0) {
      if (Status s = ParseXtHost(ctx.family, args[0].text, &gw_); !s.ok())
        return Status::Error(s.message(), 0);
      return {};
    }
    // xtopt_parse_string: silently cut to the field size.
    oif_ = std::string(args[0].text.substr(0, kMaxIfaceLen));
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!(seen_ & 1u)) return Status::Error("'--gateway' is required");
    return {};
  }
  Status Check(const CheckContext&) const override {
    if (gw_ == IpAddr{})
      return Status::Error("the kernel refuses the unspecified address as TEE gateway");
    return {};
  }
  // The copy goes its own way; the original continues unchanged.
  TargetEffect DescribeEffect(Family) const override { return describe::Continue(); }
  // xt_TEE.c tee_tg4/tee_tg6: nf_dup_ipv4/6 sends a clone (which the engine does not follow), the original gets XT_CONTINUE.
  TargetVerdict Apply(Packet& pkt, const PacketView&, EvalContext& ctx) const override {
    if (!ctx.send_copy) return TargetVerdict::kContinue;
    Packet copy = pkt;
    std::vector<uint8_t>& b = copy.bytes;
    const bool in_hook = ctx.hook == Hook::kPreRouting || ctx.hook == Hook::kLocalIn;
    if (copy.family == Family::kIPv4 && b.size() >= 20) {
      b[6] |= 0x40;  // DF
      if (in_hook) --b[8];
      // ip_send_check: the header checksum anew.
      size_t ihl = static_cast<size_t>(b[0] & 0x0f) * 4;
      if (ihl >= 20 && ihl <= b.size()) {
        b[10] = b[11] = 0;
        PutBe16(&b[10], ChecksumFinish(ChecksumAdd(0, b.data(), ihl)));
      }
    } else if (copy.family == Family::kIPv6 && b.size() >= 40 && in_hook) {
      --b[7];
    }
    (*ctx.send_copy)(copy, gw_, oif_);
    return TargetVerdict::kContinue;
  }
  void Save(std::string& out, const SaveContext& ctx) const override {
    SaveOpt(out, "gateway", FormatIpAddr(ctx.family, gw_));
    if (!oif_.empty()) SaveOpt(out, "oif", oif_);  // printed as is, never quoted
  }

 private:
  IpAddr gw_;
  std::string oif_;
  uint32_t seen_ = 0;
};

}  // namespace

extern const ExtensionInfo kTeeTarget = {
    .name = "TEE",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<TeeTarget>,
};

}  // namespace iptsim
