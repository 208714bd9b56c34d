#include "engine/simulator.h"

#include "engine/reject_reply.h"

namespace iptsim {

Simulator::Simulator(const Ruleset& rs, SimulatorOptions options)
    : rs_(rs), options_(std::move(options)), run_(options_.seed ? RunState(*options_.seed) : RunState()) {}

RunResult Simulator::Run(Packet& pkt, TraceObserver* observer) {
  return RunOne(pkt, observer, false);
}

RunResult Simulator::RunOne(Packet& pkt, TraceObserver* observer, bool generated) {
  RunResult r;
  r.path = PathFromDevices(pkt);
  std::vector<RejectReply> replies;
  SimOptions opts;
  opts.assumptions = &options_.assumptions;
  opts.run = &run_;
  opts.host = options_.host;
  opts.first_of_connection = !generated;
  opts.replies = generated ? nullptr : &replies;
  r.sim = SimulatePacket(rs_, pkt, r.path, opts, observer);
  // The kernel sends a REJECT's reply from inside the target; nothing of the
  // original follows its REJECT line, so sending it now keeps the order.
  for (RejectReply& reply : replies) {
    if (!reply.built) {
      if (reply.undecided) r.notes.push_back("REJECT's reply is not simulated: " + reply.note);
      continue;
    }
    RunResult rr = RunOne(reply.packet, observer, true);
    if (rr.sim.verdict == Verdict::kUnknown)
      r.notes.push_back("the simulation of REJECT's reply stops: " + rr.sim.unknown_reason);
    for (std::string& n : rr.notes) r.notes.push_back(std::move(n));
  }
  return r;
}

}  // namespace iptsim
