#include "engine/simulator.h"

#include <optional>

#include "engine/host.h"
#include "engine/reject_reply.h"

namespace iptsim {

Simulator::Simulator(const Ruleset& rs, SimulatorOptions options)
    : rs_(rs),
      options_(std::move(options)),
      run_(options_.seed ? RunState(*options_.seed) : RunState()),
      conntrack_(NeedsConntrack(rs)) {
  // NAT's questions to the host model (MASQUERADE, REDIRECT): the address
  // the host sends from on `dev` towards `dst` (the route through that
  // device, its preferred source), else the device's first address.
  if (options_.host && !options_.ct_host.iface_address) {
    const HostModel* h = options_.host;
    options_.ct_host.iface_address = [h](const IfaceName& dev, Family f,
                                         const IpAddr& dst) -> std::optional<IpAddr> {
      int index = h->IfaceIndex(dev.view());
      if (index < 0) return std::nullopt;
      if (const HostRoute* r = h->Lookup(f, dst, index))
        if (std::optional<IpAddr> a = h->PreferredSource(*r, dst)) return a;
      if (const HostIface* i = h->FindIface(dev.view()))
        for (const HostAddr& a : i->addrs)
          if (a.family == f) return a.addr;
      return std::nullopt;
    };
  }
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
  opts.replies = generated ? nullptr : &replies;
  // A reply the kernel generates is attached to the original's connection
  // (nf_ct_attach: RELATED) and skips nat; iptsim does not model that entry:
  // the reply runs without a conntrack entry.
  opts.conntrack = generated ? 0 : conntrack_;
  std::optional<ConntrackPacket> ct;
  if (conntrack_ && !generated) {
    ct.emplace(table_, &options_.ct_host, &run_);
    ct->set_assumed_state(pkt.ct_assumed);
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
    RunResult rr = RunOne(reply.packet, observer, true);
    if (!rr.error.empty()) r.notes.push_back("REJECT's reply is not simulated: " + rr.error);
    else if (rr.sim.verdict == Verdict::kUnknown)
      r.notes.push_back("the simulation of REJECT's reply stops: " + rr.sim.unknown_reason);
    for (std::string& n : rr.notes) r.notes.push_back(std::move(n));
  }
  return r;
}

}  // namespace iptsim
