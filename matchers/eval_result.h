// The three-valued result of a match that cannot be decided from what the
// simulator knows, with the reason the trace shows.
#pragma once

#include <string>
#include <utility>

#include "engine/eval.h"

namespace iptsim {

// Tri::kUnknown, recording why in the context.
inline Tri UnknownResult(EvalContext& ctx, std::string reason) {
  ctx.unknown_reason = std::move(reason);
  return Tri::kUnknown;
}

}  // namespace iptsim
