// Extension: CHECKSUM (target, IPv4 IPv6)
// Synopsis: -j CHECKSUM --checksum-fill
// Semantics: computes and fills in the layer-4 checksum of a packet whose
//   checksum is still pending (CHECKSUM_PARTIAL, e.g. from a local virtual
//   NIC), then the rule continues.  --checksum-fill is mandatory.  The kernel
//   accepts it only in the mangle table.
// Example: -t mangle -A POSTROUTING -p udp --dport 68 -j CHECKSUM --checksum-fill
// Evaluation: yes (a synthetic packet is never CHECKSUM_PARTIAL: no change; the rule continues)
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"checksum-fill", 0, false}};

class ChecksumTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int, bool, std::span<const Arg>, const ParseContext&) override {
    if (fill_) return Status::Error("only one '--checksum-fill' allowed");
    fill_ = true;
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!fill_) return Status::Error("'--checksum-fill' is required");
    return {};
  }
  // A checksum filled in: no verdict, no field changed.
  TargetEffect DescribeEffect(Family) const override { return describe::Continue(); }
  // xt_CHECKSUM.c checksum_tg: fills in the checksum only for CHECKSUM_PARTIAL packets (offloaded, locally generated); a synthetic packet has its checksum already, so nothing changes.  XT_CONTINUE.
  TargetVerdict Apply(Packet&, const PacketView&, EvalContext&) const override {
    return TargetVerdict::kContinue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (fill_) SaveOpt(out, "checksum-fill");
  }

  bool fill() const { return fill_; }

 private:
  bool fill_ = false;
};

}  // namespace

extern const ExtensionInfo kChecksumTarget = {
    .name = "CHECKSUM",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kMangle),
    .create = Create<ChecksumTarget>,
};

}  // namespace iptsim
