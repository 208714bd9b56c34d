// Extension: NFQUEUE (target, IPv4 IPv6)
// Synopsis: -j NFQUEUE [--queue-num N | --queue-balance FIRST:LAST]
//   [--queue-bypass] [--queue-cpu-fanout]
// Semantics: hands the packet to the nfnetlink_queue N (0..65535, default
//   0) for a userspace verdict; with --queue-balance the queue is chosen in
//   FIRST..LAST by a flow hash (--queue-cpu-fanout: by CPU instead).
//   Without a listener the packet is dropped, or accepted with
//   --queue-bypass.  FIRST:LAST is 0..65534 with FIRST < LAST; an empty
//   bound is 0 / 65534 (iptables 1.8.13).  Saved as --queue-num N when a
//   single queue.  Kernel (xt_NFQUEUE): any table and hook.
// Example: -p tcp --dport 80 -j NFQUEUE --queue-balance 0:3 --queue-bypass
// Evaluation: yes (verdict QUEUE; with --queue-bypass ACCEPT: iptsim has no userspace listener)
#include "matchers/nat_values.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

enum { kNum, kBalance, kBypass, kCpuFanout };
constexpr OptionSpec kOptions[] = {
    {"queue-num", 1, false},
    {"queue-balance", 1, false},
    {"queue-bypass", 0, false},
    {"queue-cpu-fanout", 0, false},
};
constexpr uint16_t kFlagBypass = 0x01, kFlagCpuFanout = 0x02;  // NFQ_FLAG_*
constexpr uint64_t kMaxBalance = 65534;

class NfqueueTarget : public Target {
 public:
  using Target::Target;

  uint16_t queue_num() const { return queuenum_; }
  uint16_t queues_total() const { return total_; }
  uint16_t flags() const { return flags_; }

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    if (seen_ & (1u << option))
      return Status::Error("'--" + std::string(kOptions[option].name) + "' may be given only once");
    seen_ |= 1u << option;
    if ((seen_ & (1u << kNum)) && (seen_ & (1u << kBalance)))
      return Status::Error("'--queue-num' and '--queue-balance' cannot be used together");
    switch (option) {
      case kNum: {
        uint64_t v;
        if (!XtStrtoulFull(args[0].text, 0, 65535, &v))
          return Status::Error(
              "invalid queue number '" + std::string(args[0].text) + "' (must be 0..65535)", 0);
        queuenum_ = static_cast<uint16_t>(v);
        total_ = 1;
        return {};
      }
      case kBalance:
        return ParseBalance(args[0].text);
      case kBypass:
        flags_ |= kFlagBypass;
        return {};
      case kCpuFanout:
        flags_ |= kFlagCpuFanout;
        return {};
    }
    return {};
  }
  Status Finish(const ParseContext&) override {
    if ((seen_ & (1u << kCpuFanout)) && !(seen_ & (1u << kBalance)))
      return Status::Error("'--queue-cpu-fanout' needs '--queue-balance'");
    return {};
  }
  // QUEUE; with --queue-bypass the fate depends on a listener: unmodelled.
  TargetEffect DescribeEffect(Family) const override {
    if (flags_ & kFlagBypass) return {};
    return describe::Verdict(TargetVerdict::kQueue);
  }
  // xt_NFQUEUE.c nfqueue_tg*: NF_QUEUE_NR(queue), with NF_VERDICT_FLAG_QUEUE_BYPASS
  // for --queue-bypass.  The simulation has no nfnetlink_queue listener: with
  // --queue-bypass, nf_queue() finds no listener and nf_hook_slow goes on with
  // the next hook function as for NF_ACCEPT (so ACCEPT here); without it the
  // verdict is QUEUE (no listener: the kernel drops the packet).  The queue
  // number (--queue-balance, --queue-cpu-fanout) does not change this.
  TargetVerdict Apply(Packet&, const PacketView&, EvalContext&) const override {
    return (flags_ & kFlagBypass) ? TargetVerdict::kAccept : TargetVerdict::kQueue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (total_ > 1)
      SaveOpt(out, "queue-balance",
              std::to_string(queuenum_) + ":" + std::to_string(queuenum_ + total_ - 1));
    else
      SaveOpt(out, "queue-num", std::to_string(queuenum_));
    if (flags_ & kFlagBypass) SaveOpt(out, "queue-bypass");
    if (flags_ & kFlagCpuFanout) SaveOpt(out, "queue-cpu-fanout");
  }

 private:
  // FIRST:LAST as xtables reads a range of two 16-bit numbers (empty
  // bounds take 0 and the maximum).
  Status ParseBalance(std::string_view arg) {
    uint64_t v[2] = {0, kMaxBalance};
    int n = 0;
    size_t pos = 0;
    while (true) {
      if (n == 2)
        return Status::Error(
            "invalid queue range '" + std::string(arg) + "' (expected FIRST:LAST, two numbers)", 0);
      std::string_view rest = arg.substr(pos);
      size_t end = 0;
      if (rest.empty() || rest[0] == ':') {
        v[n] = n == 1 ? kMaxBalance : 0;
      } else {
        uint64_t x;
        if (!XtStrtoulPrefix(rest, 0, kMaxBalance, &x, &end))
          return Status::Error(
              "invalid queue number in '" + std::string(arg) + "' (queues are 0..65534)", 0);
        if (end < rest.size() && rest[end] != ':')
          return Status::Error("invalid queue range '" + std::string(arg) + "': unexpected '" +
                                   std::string(rest.substr(end)) + "'",
                               0);
        v[n] = x;
      }
      ++n;
      pos += end;
      if (pos >= arg.size()) break;
      ++pos;  // the ':'
    }
    if (n != 2)
      return Status::Error("invalid queue range '" + std::string(arg) + "' (expected FIRST:LAST)",
                           0);
    if (v[0] >= v[1])
      return Status::Error("invalid queue range '" + std::string(arg) +
                               "': the first queue must be less than the last",
                           0);
    queuenum_ = static_cast<uint16_t>(v[0]);
    total_ = static_cast<uint16_t>(v[1] - v[0] + 1);
    return {};
  }

  uint16_t queuenum_ = 0, total_ = 1, flags_ = 0;
  uint32_t seen_ = 0;
};

}  // namespace

extern const ExtensionInfo kNfqueueTarget = {
    .name = "NFQUEUE",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<NfqueueTarget>,
};

}  // namespace iptsim
