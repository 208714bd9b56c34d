// Extension: CONNSECMARK (target, IPv4 IPv6)
// Synopsis: -j CONNSECMARK --save | --restore
// Semantics: --save copies the packet's security mark to its connection when
//   the connection has none; --restore copies the connection's to the packet
//   when the packet has none; then the rule continues.  One of the two is
//   required, not both.  The kernel accepts it only in the mangle and security
//   tables.
// Example: -j CONNSECMARK --save
// Evaluation: yes (copies the secmark to or from the conntrack, not shown; the rule continues)
#include "matchers/ct_common.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"save", 0, false}, {"restore", 0, false}};

class ConnsecmarkTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int option, bool, std::span<const Arg>, const ParseContext&) override {
    Status s = OnlyOnce(&given_[option], kOptions[option].name);
    if (!s.ok()) return s;
    if (given_[1 - option])
      return Status::Error("'--" + std::string(kOptions[option].name) +
                           "' cannot be used together with '--" +
                           std::string(kOptions[1 - option].name) + "'");
    restore = option == 1;
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_[0] && !given_[1]) return Status::Error("'--save' or '--restore' is required");
    return {};
  }
  Status Check(const CheckContext& ctx) const override {
    if (ctx.table != TableId::kMangle && ctx.table != TableId::kSecurity)
      return Status::Error("target is only valid in the mangle and security tables, not in '" +
                           std::string(TableName(ctx.table)) + "'");
    return {};
  }
  // The secmark is no field: no verdict, no field changed.
  TargetEffect DescribeEffect(Family) const override { return describe::Continue(); }
  // xt_CONNSECMARK.c connsecmark_tg: secmark save/restore (not simulated), XT_CONTINUE.
  TargetVerdict Apply(Packet&, const PacketView&, EvalContext&) const override {
    return TargetVerdict::kContinue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, restore ? "restore" : "save");
  }

  bool restore = false;  // else save

 private:
  bool given_[2] = {};
};

}  // namespace

extern const ExtensionInfo kConnsecmarkTarget = {
    .name = "CONNSECMARK",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .enables_conntrack = true,
    .create = Create<ConnsecmarkTarget>,
};

}  // namespace iptsim
