// Extension: ecn (match, IPv4 IPv6)
// Synopsis: -m ecn [!] --ecn-tcp-cwr | [!] --ecn-tcp-ece | [!] --ecn-ip-ect 0..3
// Semantics: --ecn-tcp-cwr / --ecn-tcp-ece test the TCP header's CWR / ECE
//   flag; --ecn-ip-ect N tests the ECN bits of the IPv4 TOS / IPv6 traffic
//   class (0 not-ECT, 1 ECT(1), 2 ECT(0), 3 CE).  At least one option.  The
//   kernel refuses the TCP flag tests unless the rule has -p tcp (not
//   inverted).
// Example: -p tcp -m ecn --ecn-tcp-ece --ecn-tcp-cwr
// Evaluation: yes
#include "matchers/header_util.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"
#include "matchers/header_eval.h"

namespace iptsim {
namespace {

enum { kOptCwr, kOptEce, kOptIpEct };
constexpr OptionSpec kOptions[] = {
    {"ecn-tcp-cwr", 0, true},
    {"ecn-tcp-ece", 0, true},
    {"ecn-ip-ect", 1, true},
};

class EcnMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    Status s = given_.Add(option, kOptions);
    if (!s.ok()) return s;
    switch (option) {
      case kOptCwr:
        inv_cwr_ = invert;
        break;
      case kOptEce:
        inv_ece_ = invert;
        break;
      case kOptIpEct:
        inv_ect_ = invert;
        // (ParseUInt lets a single digit above a max below 10 through: check here.)
        s = ParseUIntArgT(args, 0, 0, 255, "ECN codepoint", &ect_);
        if (s.ok() && ect_ > 3)
          s = Status::Error("invalid ECN codepoint '" + std::string(args[0].text) +
                                "' (must be 0..3)",
                            0);
        return s;
    }
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_.Any())
      return Status::Error("one of '--ecn-tcp-cwr', '--ecn-tcp-ece' or '--ecn-ip-ect' is required");
    return {};
  }
  Status Check(const CheckContext& ctx) const override {
    if ((match_cwr() || match_ece()) &&
        (ctx.rule->ip.proto != 6 || ctx.rule->ip.inv_proto))
      return Status::Error("'--ecn-tcp-cwr' and '--ecn-tcp-ece' need '-p tcp' (the kernel "
                           "cannot match TCP flags of non-TCP packets)");
    return {};
  }
  // xt_ecn's ecn_mt4 / ecn_mt6.  The TCP flag tests read the header at the
  // transport offset without looking at the fragment offset, and a header
  // that cannot be read is "no match" (no drop).
  Tri Evaluate(const PacketView& v, EvalContext&) const override {
    if (!header_eval::HaveIpHeader(v)) return Tri::kFalse;
    if (match_ect() && (((header_eval::DsField(v) & 3) == ect_) == inv_ect_)) return Tri::kFalse;
    if (match_ece() || match_cwr()) {
      if (!header_eval::Have(v, v.thoff, 20)) return Tri::kFalse;
      const uint8_t flags = v.transport()[13];
      if (match_ece() && ((flags & 0x40) != 0) == inv_ece_) return Tri::kFalse;
      if (match_cwr() && ((flags & 0x80) != 0) == inv_cwr_) return Tri::kFalse;
    }
    return Tri::kTrue;
  }
  // The IP test over the TOS field.  The TCP flag tests read byte 13 at the
  // transport offset of any packet: the flags field for a TCP packet that
  // is not a later fragment, payload bytes otherwise (opaque there).
  Pred Describe(Family) const override {
    std::vector<Pred> all;
    if (match_ect()) all.push_back(describe::MaskedEquals(Field::kTos, ect_, 3, inv_ect_));
    if (match_ece() || match_cwr()) {
      using describe::MaskedEquals;
      std::vector<Pred> flags = {describe::ProtoIs(6), describe::NotLaterFragment()};
      if (match_ece()) flags.push_back(MaskedEquals(Field::kTcpFlags, 0x40, 0x40, inv_ece_));
      if (match_cwr()) flags.push_back(MaskedEquals(Field::kTcpFlags, 0x80, 0x80, inv_cwr_));
      Pred tcp_header = Pred::And({describe::ProtoIs(6), describe::NotLaterFragment()});
      all.push_back(Pred::Or({describe::AllOf(std::move(flags)),
                              Pred::And({Pred::Not(std::move(tcp_header)), Pred::Opaque()})}));
    }
    return describe::AllOf(std::move(all));
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (match_ece()) SaveOpt(out, "ecn-tcp-ece", inv_ece_);
    if (match_cwr()) SaveOpt(out, "ecn-tcp-cwr", inv_cwr_);
    if (match_ect()) SaveOpt(out, "ecn-ip-ect", std::to_string(ect_), inv_ect_);
  }
  bool match_cwr() const { return given_.Has(kOptCwr); }
  bool match_ece() const { return given_.Has(kOptEce); }
  bool match_ect() const { return given_.Has(kOptIpEct); }
  bool inv_cwr() const { return inv_cwr_; }
  bool inv_ece() const { return inv_ece_; }
  bool inv_ect() const { return inv_ect_; }
  uint8_t ect() const { return ect_; }

 private:
  hdr::OptionSet given_;
  uint8_t ect_ = 0;
  bool inv_cwr_ = false, inv_ece_ = false, inv_ect_ = false;
};

}  // namespace

extern const ExtensionInfo kEcnMatch = {
    .name = "ecn",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<EcnMatch>,
};

}  // namespace iptsim
