// The kernel's clock as the rate and list matches see it (limit, hashlimit,
// recent): jiffies, counted at HZ per second from the packet's --time.
//
// Model: the ruleset is loaded at time 0 and jiffies advance exactly at
// 0, 1/HZ, 2/HZ ... seconds (a packet at --time T sees floor(T * HZ)); HZ
// is 250, the value of Debian's and most distributions' kernels (this
// machine's too).  Only differences of jiffies matter to the matches, so
// the kernel's boot offset (INITIAL_JIFFIES) plays no part.
#pragma once

#include <cmath>
#include <cstdint>

#include "matchers/eval_result.h"

namespace iptsim::run_clock {

constexpr int64_t kHz = 250;

// jiffies at time t seconds.  The tiny epsilon keeps 0.012 s (which a
// double holds as 0.01199999...) on jiffy 3, as the user meant.
inline int64_t Jiffies(double t) { return static_cast<int64_t>(std::floor(t * kHz + 1e-7)); }

// msecs_to_jiffies for HZ dividing 1000: rounds up.
inline int64_t MsecsToJiffies(uint64_t ms) {
  constexpr int64_t per = 1000 / kHz;
  return static_cast<int64_t>((ms + per - 1) / per);
}

// A packet earlier than one the extension already saw: the kernel's clock
// never runs backwards, so nothing it would do can be reproduced.
inline Tri TimeBackwards(EvalContext& ctx) {
  return UnknownResult(ctx, "the packet's --time is earlier than a previous packet's (the kernel's "
                           "clock never runs backwards: give the packets in time order)");
}

}  // namespace iptsim::run_clock
