#include "engine/extension.h"

#include <span>

namespace iptsim {

bool Extension::EnablesConntrack() const {
  static constexpr std::string_view kMatches[] = {
      "conntrack", "state", "connmark", "connbytes", "connlimit", "connlabel", "helper", "cluster",
  };
  // NOTRACK (like CT --notrack) does not: the kernel's xt_CT skips the
  // conntrack reference for notrack (checked: no nat lines appear).
  static constexpr std::string_view kTargets[] = {
      "CONNMARK", "CONNSECMARK", "DNAT", "SNAT", "MASQUERADE", "REDIRECT", "NETMAP", "SYNPROXY",
  };
  for (std::string_view n : info().kind == ExtKind::kMatch ? std::span<const std::string_view>(kMatches)
                                                            : std::span<const std::string_view>(kTargets))
    if (info().name == n) return true;
  return false;
}

Tri Match::Evaluate(const PacketView&, EvalContext& ctx) const {
  ctx.unknown_reason = "-m " + std::string(info().name) + " is not evaluated by iptsim yet";
  return Tri::kUnknown;
}

TargetVerdict Target::Apply(Packet&, const PacketView&, EvalContext& ctx) const {
  ctx.unknown_reason = "-j " + std::string(info().name) + " is not simulated by iptsim yet";
  return TargetVerdict::kUnknown;
}

}  // namespace iptsim
