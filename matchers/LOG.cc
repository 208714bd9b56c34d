// Extension: LOG (target, IPv4 IPv6)
// Synopsis: -j LOG [--log-level LEVEL] [--log-prefix TEXT]
//   [--log-tcp-sequence] [--log-tcp-options] [--log-ip-options] [--log-uid]
//   [--log-macdecode]
// Semantics: writes a kernel log line (syslog priority LEVEL: 0..7 or
//   emerg/panic, alert, crit, error, warning, notice, info, debug; default
//   4) made of TEXT followed by the packet's fields (docs/kernel-trace.md §5), then
//   the rule continues (XT_CONTINUE).  TEXT is 1 to 29 characters (longer
//   is silently cut); the flags add TCP sequence numbers, TCP options,
//   IP options, the socket's UID/GID and decoded MAC addresses.  Saved
//   with the level as a number, level 4 omitted.  Kernel (xt_LOG): any
//   table and hook.
// Example: -j LOG --log-prefix "dropped " --log-level 6 --log-uid
// Evaluation: yes
#include <array>

#include "matchers/nat_values.h"
#include "engine/log_format.h"
#include "engine/trace.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"log-level", 1, false},       {"log-prefix", 1, false},     {"log-tcp-sequence", 0, false},
    {"log-tcp-options", 0, false}, {"log-ip-options", 0, false}, {"log-uid", 0, false},
    {"log-macdecode", 0, false},
};

// XT_LOG_* flags, in the order iptables-save prints them.
constexpr std::array<std::pair<std::string_view, uint8_t>, 5> kFlags = {{
    {"log-tcp-sequence", 0x01},
    {"log-tcp-options", 0x02},
    {"log-ip-options", 0x04},
    {"log-uid", 0x08},
    {"log-macdecode", 0x20},
}};

// xtables' syslog level names (case-sensitive).
constexpr std::array<std::pair<std::string_view, uint8_t>, 9> kLevels = {{
    {"alert", 1},
    {"crit", 2},
    {"debug", 7},
    {"emerg", 0},
    {"error", 3},
    {"info", 6},
    {"notice", 5},
    {"panic", 0},
    {"warning", 4},
}};

constexpr uint8_t kDefaultLevel = 4;
constexpr size_t kMaxPrefixLen = 29;  // sizeof(xt_log_info.prefix) - 1

class LogTarget : public Target {
 public:
  using Target::Target;

  uint8_t level() const { return level_; }
  const std::string& prefix() const { return prefix_; }
  uint8_t flags() const { return flags_; }  // XT_LOG_* bits

  // A log line: no verdict, no field changed.
  TargetEffect DescribeEffect(Family) const override { return describe::Continue(); }
  // nf_log_syslog: the prefix, then the packet as TRACE prints it with this
  // rule's flags (XT_LOG_* are the kernel's NF_LOG_* bits); XT_CONTINUE.
  TargetVerdict Apply(Packet& pkt, const PacketView&, EvalContext& ctx) const override {
    if (ctx.observer) ctx.observer->OnLog(level_, FormatLogLine(prefix_, pkt, flags_));
    return TargetVerdict::kContinue;
  }

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    if (seen_ & (1u << option))
      return Status::Error("'--" + std::string(kOptions[option].name) + "' may be given only once");
    seen_ |= 1u << option;
    switch (option) {
      case 0: {
        uint64_t v;
        if (XtStrtoulFull(args[0].text, 0, 7, &v)) {
          level_ = static_cast<uint8_t>(v);
          return {};
        }
        for (auto& [name, lvl] : kLevels)
          if (args[0].text == name) {
            level_ = lvl;
            return {};
          }
        return Status::Error("unknown log level '" + std::string(args[0].text) +
                                 "' (0..7, emerg, alert, crit, error, warning, notice, info or "
                                 "debug)",
                             0);
      }
      case 1:
        if (args[0].text.empty()) return Status::Error("empty log prefix", 0);
        if (args[0].text.find('\n') != std::string_view::npos)
          return Status::Error("newlines are not allowed in the log prefix", 0);
        prefix_ = std::string(args[0].text.substr(0, kMaxPrefixLen));
        return {};
      default:
        for (auto& [name, bit] : kFlags)
          if (kOptions[option].name == name) flags_ |= bit;
        return {};
    }
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (!prefix_.empty()) SaveOpt(out, "log-prefix", SaveString(prefix_));
    if (level_ != kDefaultLevel) SaveOpt(out, "log-level", std::to_string(level_));
    for (auto& [name, bit] : kFlags)
      if (flags_ & bit) SaveOpt(out, name);
  }

 private:
  uint8_t level_ = kDefaultLevel;
  uint8_t flags_ = 0;
  std::string prefix_;
  uint32_t seen_ = 0;
};

}  // namespace

extern const ExtensionInfo kLogTarget = {
    .name = "LOG",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<LogTarget>,
};

}  // namespace iptsim
