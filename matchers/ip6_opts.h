// The IPv6 option-header matches: hbh (Hop-by-Hop Options header) and dst
// (Destination Options header) share one kernel module (ip6t_hbh) and one
// option syntax, differing only in the option prefix ("hbh-"/"dst-").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/extension.h"
#include "matchers/header_util.h"

namespace iptsim {

class Ip6OptsMatch : public Match {
 public:
  // Option indices, the same for both: PREFIX-len, PREFIX-opts.
  enum { kOptLen, kOptOpts };
  static constexpr size_t kMaxOpts = 16;  // IP6T_OPTS_OPTSNR

  // `prefix` is "hbh" or "dst" (for messages and save).
  Ip6OptsMatch(const ExtensionInfo* info, std::string_view prefix)
      : Match(info), prefix_(prefix) {}

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext& ctx) override;
  void Save(std::string& out, const SaveContext& ctx) const override;
  // ip6t_hbh's hbh_mt6 (both matches).
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override;

  bool has_len() const { return given_.Has(kOptLen); }
  uint32_t len() const { return len_; }
  bool inv_len() const { return inv_len_; }
  // Each option as the kernel holds it: type << 8 | length, length 0xff when
  // any length is accepted.
  const std::vector<uint16_t>& opts() const { return opts_; }

 private:
  std::string_view prefix_;
  hdr::OptionSet given_;
  uint32_t len_ = 0;
  bool inv_len_ = false;
  std::vector<uint16_t> opts_;
};

}  // namespace iptsim
