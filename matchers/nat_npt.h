// IPv6-to-IPv6 network prefix translation (RFC 6296), the common part of
// SNPT and DNPT (kernel ip6t_NPT.c, iptables libip6t_DNPT/SNPT).
#pragma once

#include "engine/extension.h"

namespace iptsim {

class NptTarget : public Target {
 public:
  using Target::Target;

  const IpAddr& src_pfx() const { return src_pfx_; }
  const IpAddr& dst_pfx() const { return dst_pfx_; }
  int src_pfx_len() const { return src_len_; }  // 255: a mask that is no prefix
  int dst_pfx_len() const { return dst_len_; }

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext& ctx) override;
  Status Finish(const ParseContext& ctx) override;
  Status Check(const CheckContext& ctx) const override;
  void Save(std::string& out, const SaveContext& ctx) const override;
  // ip6t_NPT.c ip6t_snpt_tg / ip6t_dnpt_tg.
  TargetVerdict Apply(Packet& pkt, const PacketView& v, EvalContext& ctx) const override;

 private:
  bool MapPrefix(uint8_t* addr) const;
  IpAddr src_pfx_, dst_pfx_;
  int src_len_ = 0, dst_len_ = 0;
  uint32_t seen_ = 0;
};

// --src-pfx, --dst-pfx (both mandatory).
extern const OptionSpec kNptOptions[2];

}  // namespace iptsim
