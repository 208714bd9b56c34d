// Extension: NFLOG (target, IPv4 IPv6)
// Synopsis: -j NFLOG [--nflog-group N] [--nflog-prefix TEXT]
//   [--nflog-size BYTES | --nflog-range BYTES] [--nflog-threshold N]
// Semantics: passes the packet to the nfnetlink_log group N (0..65535,
//   default 0) for a userspace logger, then the rule continues
//   (XT_CONTINUE).  TEXT is 1 to 63 characters (longer is silently cut);
//   --nflog-size copies at most BYTES of the packet (0 included);
//   --nflog-range is the old, never working form (kept, saved as given
//   unless 0); --nflog-threshold batches N packets (0..65535, 0 not
//   printed).  Kernel (xt_NFLOG): any table and hook.
// Example: -j NFLOG --nflog-group 5 --nflog-prefix "fw: " --nflog-size 128
// Evaluation: yes (the rule continues; the record goes to nfnetlink_log, not to the kernel log)
#include "matchers/nat_values.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

enum { kGroup, kPrefix, kRange, kSize, kThreshold };
constexpr OptionSpec kOptions[] = {
    {"nflog-group", 1, false}, {"nflog-prefix", 1, false},    {"nflog-range", 1, false},
    {"nflog-size", 1, false},  {"nflog-threshold", 1, false},
};
constexpr size_t kMaxPrefixLen = 63;  // sizeof(xt_nflog_info.prefix) - 1

class NflogTarget : public Target {
 public:
  using Target::Target;

  uint16_t group() const { return group_; }
  const std::string& prefix() const { return prefix_; }
  uint32_t len() const { return len_; }
  bool copy_len() const { return copy_len_; }  // XT_NFLOG_F_COPY_LEN (--nflog-size)
  uint16_t threshold() const { return threshold_; }

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    if (seen_ & (1u << option))
      return Status::Error("'--" + std::string(kOptions[option].name) + "' may be given only once");
    seen_ |= 1u << option;
    if ((seen_ & (1u << kRange)) && (seen_ & (1u << kSize)))
      return Status::Error("'--nflog-range' and '--nflog-size' cannot be used together");
    uint64_t v;
    switch (option) {
      case kGroup:
        if (!XtStrtoulFull(args[0].text, 0, 65535, &v))
          return Status::Error(
              "invalid group '" + std::string(args[0].text) + "' (must be 0..65535)", 0);
        group_ = static_cast<uint16_t>(v);
        return {};
      case kPrefix:
        if (args[0].text.empty()) return Status::Error("empty log prefix", 0);
        if (args[0].text.find('\n') != std::string_view::npos)
          return Status::Error("newlines are not allowed in the log prefix", 0);
        prefix_ = std::string(args[0].text.substr(0, kMaxPrefixLen));
        return {};
      case kRange:
      case kSize:
        if (!XtStrtoulFull(args[0].text, 0, 0xffffffff, &v))
          return Status::Error(
              "invalid size '" + std::string(args[0].text) + "' (must be 0..4294967295)", 0);
        len_ = static_cast<uint32_t>(v);
        copy_len_ = option == kSize;
        return {};
      case kThreshold:
        if (!XtStrtoulFull(args[0].text, 0, 65535, &v))
          return Status::Error(
              "invalid threshold '" + std::string(args[0].text) + "' (must be 0..65535)", 0);
        threshold_ = static_cast<uint16_t>(v);
        return {};
    }
    return {};
  }
  // A log message: no verdict, no field changed.
  TargetEffect DescribeEffect(Family) const override { return describe::Continue(); }
  // xt_NFLOG.c nflog_tg: nf_log_packet(NF_LOG_TYPE_ULOG) to userspace (nothing in the kernel log), XT_CONTINUE.
  TargetVerdict Apply(Packet&, const PacketView&, EvalContext&) const override {
    return TargetVerdict::kContinue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (!prefix_.empty()) SaveOpt(out, "nflog-prefix", SaveString(prefix_));
    if (group_) SaveOpt(out, "nflog-group", std::to_string(group_));
    if (copy_len_)
      SaveOpt(out, "nflog-size", std::to_string(len_));
    else if (len_)
      SaveOpt(out, "nflog-range", std::to_string(len_));
    if (threshold_) SaveOpt(out, "nflog-threshold", std::to_string(threshold_));
  }

 private:
  uint16_t group_ = 0, threshold_ = 0;
  uint32_t len_ = 0;
  bool copy_len_ = false;
  std::string prefix_;
  uint32_t seen_ = 0;
};

}  // namespace

extern const ExtensionInfo kNflogTarget = {
    .name = "NFLOG",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<NflogTarget>,
};

}  // namespace iptsim
