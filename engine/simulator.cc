#include "engine/simulator.h"

#include <optional>

#include "engine/host.h"
#include "engine/nat.h"
#include "engine/reject_reply.h"

namespace iptsim {

Simulator::Simulator(const Ruleset& rs, SimulatorOptions options)
    : rs_(rs),
      options_(std::move(options)),
      run_(options_.seed ? RunState(*options_.seed) : RunState()),
      conntrack_(NeedsConntrack(rs)) {
  // MASQUERADE and REDIRECT take interface addresses from the host model
  // unless the caller gave its own hooks.
  ct_host_ = options_.ct_host;
  if (!ct_host_.iface_address && options_.host) ct_host_ = HostHooksFor(options_.host);
  if (options_.ipsets) {
    IpsetRunState& sets = run_.Named<IpsetRunState>("ipset", "");
    sets.db = *options_.ipsets;
    sets.loaded = true;
  }
}

RunResult Simulator::Run(Packet& pkt, TraceObserver* observer) {
  return RunOne(pkt, observer, false);
}

RunResult Simulator::RunOne(Packet& pkt, TraceObserver* observer, bool generated) {
  RunResult r;
  HostRouter router(options_.host);  // routing: from the host model, or from -i/-o
  // A reply the kernel generates is routed like any local packet: with a
  // host model the route decides its output device.
  if (generated && options_.host) pkt.out = IfaceName();
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
  std::vector<RejectReply> replies;
  SimOptions opts;
  opts.router = &router;
  opts.assumptions = &options_.assumptions;
  opts.run = &run_;
  opts.host = options_.host;
  opts.conntrack = conntrack_;
  opts.first_of_connection = !generated;
  opts.replies = generated ? nullptr : &replies;
  std::optional<ConntrackPacket> ct;
  if (conntrack_) {
    ct.emplace(table_, &ct_host_, &run_);
    if (generated && parent_ct_) ct->Attach(parent_ct_->ref(), pkt);  // nf_ct_attach
    else ct->set_assumed_state(pkt.ct_assumed);
    opts.ct = &*ct;
  }
  r.sim = SimulatePacket(rs_, pkt, r.path, opts, observer);
  r.path = router.path();
  r.error = router.error();
  // The kernel sends a REJECT's reply from inside the target; nothing of the
  // original follows its REJECT line, so sending it now keeps the order.
  for (RejectReply& reply : replies) {
    if (!reply.built) {
      if (reply.undecided) r.notes.push_back("REJECT's reply is not simulated: " + reply.note);
      continue;
    }
    ConntrackPacket* saved = parent_ct_;
    parent_ct_ = ct ? &*ct : nullptr;
    RunResult rr = RunOne(reply.packet, observer, true);
    parent_ct_ = saved;
    if (!rr.error.empty()) r.notes.push_back("REJECT's reply is not simulated: " + rr.error);
    else if (rr.sim.verdict == Verdict::kUnknown)
      r.notes.push_back("the simulation of REJECT's reply stops: " + rr.sim.unknown_reason);
    for (std::string& n : rr.notes) r.notes.push_back(std::move(n));
  }
  return r;
}

}  // namespace iptsim
