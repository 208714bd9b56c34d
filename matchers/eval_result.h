// The three-valued result of a match that cannot be decided from what the
// simulator knows, with the reason the trace shows.
#pragma once

#include <string>
#include <utility>

#include "engine/eval.h"
#include "engine/extension.h"
#include "engine/run_settings.h"

namespace iptsim {

// Tri::kUnknown, recording why in the context.
inline Tri UnknownResult(EvalContext& ctx, std::string reason) {
  ctx.unknown_reason = std::move(reason);
  return Tri::kUnknown;
}

// A test of match `m` that the packet alone does not decide (a reverse-path
// lookup, a socket's owner...).  The user's --assume NAME=true|false is the
// answer to the test itself, before the match applies its own '!' or
// --invert (`invert`): rpfilter=true means the reverse-path check passes,
// so `-m rpfilter --invert` does not match.  Without one: kUnknown, the
// reason saying what is missing in packet and host terms (`question`:
// "whether 192.0.2.2 is a local address of the host", followed by the
// match as saved) and how to decide it, --host FILE first when the host
// model would answer (`host_decides`).
inline Tri UndecidedTest(EvalContext& ctx, const Match& m, const std::string& question,
                         bool invert, bool host_decides = false) {
  const std::string name(m.info().name);
  if (const bool* answer = AssumedTest(ctx, name)) return Invert(ToTri(*answer), invert);
  std::string condition = "-m " + name;
  m.Save(condition, SaveContext{ctx.family});
  std::string reason = "needs to know " + question + " (" + condition + "): ";
  if (host_decides) reason += "give the host's addresses and routes with --host FILE, or ";
  reason += "decide every -m " + name + " test with --assume " + name +
            "=true|false (the answer, before any '!' or --invert)";
  return UnknownResult(ctx, std::move(reason));
}

}  // namespace iptsim
