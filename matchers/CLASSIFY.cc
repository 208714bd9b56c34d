// Extension: CLASSIFY (target, IPv4 IPv6)
// Synopsis: -j CLASSIFY --set-class MAJOR:MINOR
// Semantics: sets skb->priority to MAJOR:MINOR (hexadecimal tc class
//   handle; each part keeps its low 16 bits) for qdisc classification, then
//   the rule continues.  Saved as %04x:%04x.  The kernel accepts it only in
//   the mangle table, in OUTPUT, FORWARD and POSTROUTING.
// Example: -t mangle -A POSTROUTING -j CLASSIFY --set-class 1:10
// Evaluation: yes (sets skb->priority, which nothing in the trace shows; the rule continues)
#include <cstdio>

#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"set-class", 1, false}};

class ClassifyTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int, bool, std::span<const Arg> args, const ParseContext&) override {
    if (given_) return Status::Error("only one '--set-class' allowed");
    given_ = true;
    // iptables reads it with sscanf("%x:%x") and builds TC_H_MAKE(i << 16, j).
    std::string a(args[0].text);
    unsigned int i = 0, j = 0;
    if (std::sscanf(a.c_str(), "%x:%x", &i, &j) != 2)
      return Status::Error("invalid class '" + a + "' (expected MAJOR:MINOR in hexadecimal)", 0);
    priority_ = (static_cast<uint32_t>(i) << 16) | (j & 0xffffu);
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_) return Status::Error("'--set-class MAJOR:MINOR' is required");
    return {};
  }
  // skb->priority is no field: no verdict, no field changed.
  TargetEffect DescribeEffect(Family) const override { return describe::Continue(); }
  // xt_CLASSIFY.c classify_tg: skb->priority = the class (not simulated: nothing reads it), XT_CONTINUE.
  TargetVerdict Apply(Packet&, const PacketView&, EvalContext&) const override {
    return TargetVerdict::kContinue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%04x:%04x", priority_ >> 16, priority_ & 0xffff);
    SaveOpt(out, "set-class", std::string(buf));
  }

  uint32_t priority() const { return priority_; }

 private:
  uint32_t priority_ = 0;
  bool given_ = false;
};

}  // namespace

extern const ExtensionInfo kClassifyTarget = {
    .name = "CLASSIFY",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kMangle),
    .hooks = HookBit(Hook::kLocalOut) | HookBit(Hook::kForward) | HookBit(Hook::kPostRouting),
    .create = Create<ClassifyTarget>,
};

}  // namespace iptsim
