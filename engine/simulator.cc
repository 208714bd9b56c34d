#include "engine/simulator.h"

namespace iptsim {

Simulator::Simulator(const Ruleset& rs, SimulatorOptions options)
    : rs_(rs), options_(std::move(options)), run_(options_.seed ? RunState(*options_.seed) : RunState()) {
  if (options_.ipsets) {
    IpsetRunState& sets = run_.Named<IpsetRunState>("ipset", "");
    sets.db = *options_.ipsets;
    sets.loaded = true;
  }
}

RunResult Simulator::Run(Packet& pkt, TraceObserver* observer) {
  RunResult r;
  r.path = PathFromDevices(pkt);
  SimOptions opts;
  opts.assumptions = &options_.assumptions;
  opts.run = &run_;
  opts.host = options_.host;
  r.sim = SimulatePacket(rs_, pkt, r.path, opts, observer);
  return r;
}

}  // namespace iptsim
