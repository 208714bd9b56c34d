#include "engine/simulator.h"

#include <optional>

namespace iptsim {

Simulator::Simulator(const Ruleset& rs, SimulatorOptions options)
    : rs_(rs),
      options_(std::move(options)),
      run_(options_.seed ? RunState(*options_.seed) : RunState()),
      conntrack_(NeedsConntrack(rs)) {}

RunResult Simulator::Run(Packet& pkt, TraceObserver* observer) {
  RunResult r;
  r.path = PathFromDevices(pkt);
  SimOptions opts;
  opts.assumptions = &options_.assumptions;
  opts.run = &run_;
  opts.host = options_.host;
  opts.conntrack = conntrack_;
  std::optional<ConntrackPacket> ct;
  if (conntrack_) {
    ct.emplace(table_, &options_.ct_host, &run_);
    ct->set_assumed_state(pkt.ct_assumed);
    opts.ct = &*ct;
  }
  r.sim = SimulatePacket(rs_, pkt, r.path, opts, observer);
  return r;
}

}  // namespace iptsim
