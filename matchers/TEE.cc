// Extension: TEE (target, IPv4 IPv6)
// Synopsis: -j TEE --gateway ADDR [--oif NAME]
// Semantics: sends a copy of the packet, routed as if its next hop were
//   ADDR (out of NAME when given), and lets the original continue
//   (XT_CONTINUE); the copy is not seen again by the tables.  ADDR is read
//   like getaddrinfo ("1.2.3" is 1.2.0.3); NAME is cut to 15 characters.
//   Kernel (xt_TEE): any table and hook; the gateway may not be
//   0.0.0.0 / ::.
// Example: -j TEE --gateway 192.168.1.250 --oif eth1
// Evaluation: yes (the original continues; the clone is not simulated)
#include "matchers/nat_values.h"
#include "matchers/parse_util.h"
#include "matchers/eval_util_ev2.h"

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
      std::string why;
      if (!ParseXtHost(ctx.family, args[0].text, &gw_, &why)) return Status::Error(why, 0);
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
  // xt_TEE.c tee_tg4/tee_tg6: nf_dup_ipv4/6 sends a clone (which the engine does not follow), the original gets XT_CONTINUE.
  TargetVerdict Apply(Packet&, const PacketView&, EvalContext&) const override {
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
