// Extension: AUDIT (target, IPv4 IPv6)
// Synopsis: -j AUDIT --type accept|drop|reject
// Semantics: emits an audit record (NETFILTER_PKT) for the packet, then the
//   rule continues; --type (any case, mandatory) only labels the record.
// Example: -A INPUT -j AUDIT --type drop
// Evaluation: yes (the rule continues; the audit record is not simulated)
#include <array>
#include <strings.h>

#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"type", 1, false}};
constexpr std::array<const char*, 3> kTypes = {"accept", "drop", "reject"};  // XT_AUDIT_TYPE_*

class AuditTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int, bool, std::span<const Arg> args, const ParseContext&) override {
    if (type_ >= 0) return Status::Error("only one '--type' allowed");
    std::string a(args[0].text);
    for (size_t i = 0; i < kTypes.size(); ++i)
      if (strcasecmp(a.c_str(), kTypes[i]) == 0) {
        type_ = static_cast<int>(i);
        return {};
      }
    return Status::Error("invalid audit type '" + a + "' (must be accept, drop or reject)", 0);
  }
  Status Finish(const ParseContext&) override {
    if (type_ < 0) return Status::Error("'--type accept|drop|reject' is required");
    return {};
  }
  // An audit record: no verdict, no field changed.
  TargetEffect DescribeEffect(Family) const override { return describe::Continue(); }
  // xt_AUDIT.c audit_tg: an audit record (not in the trace), XT_CONTINUE.
  TargetVerdict Apply(Packet&, const PacketView&, EvalContext&) const override {
    return TargetVerdict::kContinue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, "type", std::string_view(kTypes[type_]));
  }

  int type() const { return type_; }  // 0 accept, 1 drop, 2 reject

 private:
  int type_ = -1;
};

}  // namespace

extern const ExtensionInfo kAuditTarget = {
    .name = "AUDIT",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<AuditTarget>,
};

}  // namespace iptsim
