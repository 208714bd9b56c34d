// Extension: TCPMSS (target, IPv4 IPv6)
// Synopsis: -p tcp -m tcp --tcp-flags ... SYN -j TCPMSS --set-mss VALUE
//   | --clamp-mss-to-pmtu
// Semantics: rewrites (or adds) the MSS option of TCP SYN packets: to VALUE
//   (0..65515 for IPv4, 0..65495 for IPv6; only ever lowered), or to the
//   path MTU minus the IP and TCP headers; then the rule continues.  One of
//   the two options is required; given both, the last one counts.  The
//   kernel wants '-p tcp' and a tcp match whose --tcp-flags compare value
//   includes SYN, not inverted ("Only works on TCP SYN packets");
//   --clamp-mss-to-pmtu only in FORWARD, OUTPUT and POSTROUTING.
// Example: -t mangle -A FORWARD -p tcp -m tcp --tcp-flags SYN,RST SYN
//   -j TCPMSS --clamp-mss-to-pmtu
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"set-mss", 1, false},
    {"clamp-mss-to-pmtu", 0, false},
};
constexpr uint16_t kClampPmtu = 0xffff;  // XT_TCPMSS_CLAMP_PMTU

// Whether one of the rule's matches is a tcp match whose (not inverted)
// --tcp-flags compare value has SYN, as the kernel's check wants.  The tcp
// match is read back through its saved text.
bool HasSynMatch(const Rule& rule, Family family) {
  for (const auto& m : rule.matches) {
    if (m->info().name != "tcp") continue;
    std::string s;
    m->Save(s, SaveContext{family});
    constexpr std::string_view kOpt = " --tcp-flags ";
    size_t p = s.find(kOpt);
    if (p == std::string::npos) continue;
    if (p >= 2 && s.compare(p - 2, 2, " !") == 0) continue;  // inverted
    std::string_view rest = std::string_view(s).substr(p + kOpt.size());
    size_t sp = rest.find(' ');
    if (sp == std::string_view::npos) continue;
    std::string_view comp = rest.substr(sp + 1);
    comp = comp.substr(0, comp.find(' '));
    while (!comp.empty()) {
      size_t comma = comp.find(',');
      std::string_view flag = comp.substr(0, comma);
      if (flag == "SYN" || flag == "ALL") return true;
      if (comma == std::string_view::npos) break;
      comp.remove_prefix(comma + 1);
    }
  }
  return false;
}

class TcpmssTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext& ctx) override {
    if (seen_ & (1u << option))
      return Status::Error("only one '--" + std::string(kOptions[option].name) + "' allowed");
    seen_ |= 1u << option;
    if (option == 1) {
      mss_ = kClampPmtu;
      return {};
    }
    // 65535 minus the minimal IP header (20 / 40 bytes).
    uint64_t max = ctx.family == Family::kIPv4 ? 65515 : 65495;
    return ParseUIntArgT(args, 0, 0, max, "MSS", &mss_);
  }
  Status Finish(const ParseContext&) override {
    if (!seen_) return Status::Error("'--set-mss VALUE' or '--clamp-mss-to-pmtu' is required");
    return {};
  }
  uint32_t Hooks() const override {
    if (mss_ == kClampPmtu)
      return HookBit(Hook::kForward) | HookBit(Hook::kLocalOut) | HookBit(Hook::kPostRouting);
    return 0;
  }
  Status Check(const CheckContext& ctx) const override {
    if (!HasSynMatch(*ctx.rule, ctx.family))
      return Status::Error(
          "only works on TCP SYN packets: the rule needs a tcp match whose --tcp-flags "
          "compare value includes SYN (e.g. '-m tcp --tcp-flags SYN,RST SYN' or '--syn')");
    return {};
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (mss_ == kClampPmtu) SaveOpt(out, "clamp-mss-to-pmtu");
    else SaveOpt(out, "set-mss", std::to_string(mss_));
  }

  bool clamp_to_pmtu() const { return mss_ == kClampPmtu; }
  uint16_t mss() const { return mss_; }

 private:
  uint16_t mss_ = 0;
  unsigned seen_ = 0;
};

}  // namespace

extern const ExtensionInfo kTcpmssTarget = {
    .name = "TCPMSS",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .proto = 6,
    .create = Create<TcpmssTarget>,
};

}  // namespace iptsim
