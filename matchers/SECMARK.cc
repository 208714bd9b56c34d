// Extension: SECMARK (target, IPv4 IPv6)
// Synopsis: -j SECMARK --selctx CONTEXT
// Semantics: sets the packet's security mark to the LSM (SELinux) secid of
//   CONTEXT, then the rule continues.  --selctx is mandatory (at most 255
//   characters; longer ones are cut as iptables does).  The kernel accepts it
//   only in the mangle and security tables, and asks the LSM to translate
//   CONTEXT: iptsim cannot know the loaded policy, so it accepts any non-empty
//   context (on a machine without SELinux the kernel refuses every SECMARK
//   rule).  Saved unquoted, as iptables prints it.
// Example: -j SECMARK --selctx system_u:object_r:ssh_packet_t:s0
// Evaluation: yes (sets skb->secmark, which nothing in the trace shows; the rule continues)
#include "matchers/ct_common.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"selctx", 1, false}};
constexpr size_t kMaxCtx = 255;  // SECMARK_SECCTX_MAX - 1

class SecmarkTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int, bool, std::span<const Arg> args, const ParseContext&) override {
    Status s = OnlyOnce(&given_, "selctx");
    if (!s.ok()) return s;
    context = std::string(args[0].text.substr(0, kMaxCtx));
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_) return Status::Error("'--selctx CONTEXT' is required");
    return {};
  }
  Status Check(const CheckContext& ctx) const override {
    if (ctx.table != TableId::kMangle && ctx.table != TableId::kSecurity)
      return Status::Error("target is only valid in the mangle and security tables, not in '" +
                           std::string(TableName(ctx.table)) + "'");
    if (context.empty()) return Status::Error("empty security context (the LSM refuses it)");
    return {};
  }
  // skb->secmark is no field: no verdict, no field changed.
  TargetEffect DescribeEffect(Family) const override { return describe::Continue(); }
  // xt_SECMARK.c secmark_tg: skb->secmark = the SELinux id (not simulated), XT_CONTINUE.
  TargetVerdict Apply(Packet&, const PacketView&, EvalContext&) const override {
    return TargetVerdict::kContinue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, "selctx", context);
  }

  std::string context;

 private:
  bool given_ = false;
};

}  // namespace

extern const ExtensionInfo kSecmarkTarget = {
    .name = "SECMARK",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<SecmarkTarget>,
};

}  // namespace iptsim
