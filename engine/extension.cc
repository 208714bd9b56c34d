#include "engine/extension.h"

namespace iptsim {

Tri Match::Evaluate(const PacketView&, EvalContext& ctx) const {
  ctx.unknown_reason = "-m " + std::string(info().name) + " is not evaluated by iptsim yet";
  return Tri::kUnknown;
}

TargetVerdict Target::Apply(Packet&, const PacketView&, EvalContext& ctx) const {
  ctx.unknown_reason = "-j " + std::string(info().name) + " is not simulated by iptsim yet";
  return TargetVerdict::kUnknown;
}

}  // namespace iptsim
