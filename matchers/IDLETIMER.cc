// Extension: IDLETIMER (target, IPv4 IPv6)
// Synopsis: -j IDLETIMER --timeout SECONDS --label NAME [--alarm]
// Semantics: every packet restarts the timer NAME (a file under
//   /sys/class/xt_idletimer/timers/) with SECONDS; when it expires the
//   kernel notifies user space.  --alarm uses an alarm timer (wakes the
//   system).  Then the rule continues.  --timeout and --label are mandatory;
//   iptables cuts NAME to 27 characters.  The kernel refuses a timeout of 0
//   or of 2147483 s and more, an empty NAME, and names that cannot be sysfs
//   files there ('/' in them, ".", "..", "power", "uevent", "subsystem");
//   (it also refuses rules that share a NAME with different --alarm settings).
//   iptables-save prints NAME unquoted.
// Example: -A FORWARD -o ppp0 -j IDLETIMER --timeout 600 --label ppp0
// Evaluation: yes (restarts a timer, the rule continues)
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"timeout", 1, false},
    {"label", 1, false},
    {"alarm", 0, false},
};
constexpr size_t kMaxLabelLen = 27;       // MAX_IDLETIMER_LABEL_SIZE - 1
constexpr uint32_t kMaxTimeout = 2147482; // the kernel wants timeout < INT_MAX / 1000

class IdletimerTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    if (seen_ & (1u << option))
      return Status::Error("only one '--" + std::string(kOptions[option].name) + "' allowed");
    seen_ |= 1u << option;
    switch (option) {
      case 0:
        return ParseUIntArgT(args, 0, 0, 0xffffffff, "timeout", &timeout_);
      case 1:
        label_ = std::string(args[0].text.substr(0, kMaxLabelLen));  // iptables truncates
        return {};
      default:
        alarm_ = true;
        return {};
    }
  }
  Status Finish(const ParseContext&) override {
    if (!(seen_ & 1u)) return Status::Error("'--timeout SECONDS' is required");
    if (!(seen_ & 2u)) return Status::Error("'--label NAME' is required");
    return {};
  }
  Status Check(const CheckContext&) const override {
    if (timeout_ == 0) return Status::Error("the kernel refuses a timeout of 0 seconds");
    if (timeout_ > kMaxTimeout)
      return Status::Error("the kernel refuses timeout " + std::to_string(timeout_) +
                           " (at most 2147482 seconds)");
    if (label_.empty()) return Status::Error("the kernel refuses an empty label");
    if (label_.find('/') != std::string::npos || label_ == "." || label_ == ".." ||
        label_ == "power" || label_ == "uevent" || label_ == "subsystem")
      return Status::Error("the kernel refuses label '" + label_ +
                           "': it cannot be a file in /sys/class/xt_idletimer/timers");
    return {};
  }
  // A timer restarts: no verdict, no field changed.
  TargetEffect DescribeEffect(Family) const override { return describe::Continue(); }
  // xt_IDLETIMER.c idletimer_tg_target: re-arms the timer, XT_CONTINUE.
  TargetVerdict Apply(Packet&, const PacketView&, EvalContext&) const override {
    return TargetVerdict::kContinue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    SaveOpt(out, "timeout", std::to_string(timeout_));
    SaveOpt(out, "label", label_);
    if (alarm_) SaveOpt(out, "alarm");
  }

  uint32_t timeout() const { return timeout_; }
  const std::string& label() const { return label_; }
  bool alarm() const { return alarm_; }

 private:
  uint32_t timeout_ = 0;
  std::string label_;
  bool alarm_ = false;
  unsigned seen_ = 0;
};

}  // namespace

extern const ExtensionInfo kIdletimerTarget = {
    .name = "IDLETIMER",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<IdletimerTarget>,
};

}  // namespace iptsim
