// Extension: LED (target, IPv4 IPv6)
// Synopsis: -j LED --led-trigger-id NAME [--led-delay MS|inf] [--led-always-blink]
// Semantics: fires the LED trigger "netfilter-NAME" (NAME at most 16
//   characters, mandatory) for every packet, keeping the LED on for MS
//   milliseconds (0: a blink; inf: stays on), then the rule continues.
//   --led-always-blink blinks even when the LED is already on.  iptables-save
//   quotes NAME ("..." with \ before " and \) and prints inf as -1.
// Example: -A INPUT -p tcp --dport 22 -j LED --led-trigger-id ssh --led-delay 100
// Evaluation: yes (blinks an LED, the rule continues)
#include <strings.h>

#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"led-trigger-id", 1, false},
    {"led-delay", 1, false},
    {"led-always-blink", 0, false},
};
constexpr size_t kMaxIdLen = 16;  // sizeof(xt_led_info.id) - sizeof("netfilter-")

class LedTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    if (seen_ & (1u << option))
      return Status::Error("only one '--" + std::string(kOptions[option].name) + "' allowed");
    seen_ |= 1u << option;
    switch (option) {
      case 0:
        if (args[0].text.size() > kMaxIdLen)
          return Status::Error("trigger id '" + std::string(args[0].text) + "' is too long (" +
                                   std::to_string(args[0].text.size()) +
                                   " characters; at most 16)",
                               0);
        id_ = std::string(args[0].text);
        return {};
      case 1: {
        std::string_view a = args[0].text;
        if (a.size() >= 3 && strncasecmp(std::string(a).c_str(), "inf", 3) == 0) {
          delay_ = 0xffffffff;
          return {};
        }
        uint64_t v;
        if (!ParseUInt(a, 0, 0xffffffff, &v))
          return Status::Error("invalid delay '" + std::string(a) +
                                   "' (milliseconds 0..4294967295, or inf)",
                               0);
        delay_ = static_cast<uint32_t>(v);
        return {};
      }
      default:
        always_blink_ = true;
        return {};
    }
  }
  Status Finish(const ParseContext&) override {
    if (!(seen_ & 1u)) return Status::Error("'--led-trigger-id NAME' is required");
    return {};
  }
  // A LED blinks: no verdict, no field changed.
  TargetEffect DescribeEffect(Family) const override { return describe::Continue(); }
  // xt_LED.c led_tg: fires the LED trigger, XT_CONTINUE.
  TargetVerdict Apply(Packet&, const PacketView&, EvalContext&) const override {
    return TargetVerdict::kContinue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    std::string q = "\"";
    for (char c : id_) {
      if (c == '"' || c == '\\') q += '\\';
      q += c;
    }
    q += '"';
    SaveOpt(out, "led-trigger-id", q);
    // iptables prints the unsigned delay with %d: inf (0xffffffff) is -1.
    if (delay_ != 0) SaveOpt(out, "led-delay", std::to_string(static_cast<int32_t>(delay_)));
    if (always_blink_) SaveOpt(out, "led-always-blink");
  }

  const std::string& id() const { return id_; }  // without the "netfilter-" prefix
  uint32_t delay() const { return delay_; }       // 0xffffffff: infinite
  bool always_blink() const { return always_blink_; }

 private:
  std::string id_;
  uint32_t delay_ = 0;
  bool always_blink_ = false;
  unsigned seen_ = 0;
};

}  // namespace

extern const ExtensionInfo kLedTarget = {
    .name = "LED",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<LedTarget>,
};

}  // namespace iptsim
