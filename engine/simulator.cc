#include "engine/simulator.h"

#include "engine/host.h"

namespace iptsim {

Simulator::Simulator(const Ruleset& rs, SimulatorOptions options)
    : rs_(rs), options_(std::move(options)), run_(options_.seed ? RunState(*options_.seed) : RunState()) {}

RunResult Simulator::Run(Packet& pkt, TraceObserver* observer) {
  RunResult r;
  HostRouter router(options_.host);  // routing: from the host model, or from -i/-o
  if (!router.Start(pkt, &r.path)) {
    r.error = router.error();
    r.sim.verdict = Verdict::kUnknown;
    return r;
  }
  if (!router.dropped_before().empty()) {  // never reaches a hook: nothing traced
    r.sim.verdict = Verdict::kDrop;
    r.sim.unknown_reason = router.dropped_before();
    r.dropped_before_hooks = true;
    return r;
  }
  SimOptions opts;
  opts.router = &router;
  opts.assumptions = &options_.assumptions;
  opts.run = &run_;
  opts.host = options_.host;
  r.sim = SimulatePacket(rs_, pkt, r.path, opts, observer);
  r.path = router.path();
  r.error = router.error();
  return r;
}

}  // namespace iptsim
