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
  if (!generated && pkt.connected_socket) NoteSocket(pkt);
  if (!sockets_.empty()) opts.early_demux = [this](Packet& p) { EarlyDemux(p); };
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

namespace {

// The TCP or UDP 4-tuple of a packet (not of a later fragment).
bool PortTuple(const Packet& pkt, uint8_t* proto, IpAddr* src, IpAddr* dst, uint16_t* sport,
               uint16_t* dport) {
  PacketView v = PacketView::Of(pkt);
  if (!v.l4proto_found || v.fragoff != 0 || v.transport_size() < 4) return false;
  if (v.l4proto != 6 && v.l4proto != 17) return false;
  *proto = v.l4proto;
  *src = v.src();
  *dst = v.dst();
  const uint8_t* t = v.transport();
  *sport = static_cast<uint16_t>(t[0] << 8 | t[1]);
  *dport = static_cast<uint16_t>(t[2] << 8 | t[3]);
  return true;
}

}  // namespace

void Simulator::NoteSocket(const Packet& pkt) {
  LocalSocket s{};
  s.family = pkt.family;
  if (!pkt.uid || !PortTuple(pkt, &s.proto, &s.local, &s.remote, &s.local_port, &s.remote_port))
    return;
  s.uid = *pkt.uid;
  s.gid = pkt.gid.value_or(*pkt.uid);
  for (LocalSocket& o : sockets_)
    if (o.family == s.family && o.proto == s.proto && o.local == s.local && o.remote == s.remote &&
        o.local_port == s.local_port && o.remote_port == s.remote_port) {
      o = s;  // the same 4-tuple: the newest socket owns it
      return;
    }
  sockets_.push_back(s);
}

// tcp_v4_early_demux / udp_v4_early_demux (and the IPv6 ones): an exact
// 4-tuple match with an established (or connecting) TCP socket or a
// connected UDP socket attaches it to the packet; the log then shows its
// owner.  Listening and unconnected sockets are not found this way.
void Simulator::EarlyDemux(Packet& pkt) const {
  uint8_t proto;
  IpAddr src, dst;
  uint16_t sport, dport;
  if (pkt.uid || !PortTuple(pkt, &proto, &src, &dst, &sport, &dport)) return;
  for (const LocalSocket& s : sockets_)
    if (s.family == pkt.family && s.proto == proto && s.local == dst && s.remote == src &&
        s.local_port == dport && s.remote_port == sport) {
      pkt.uid = s.uid;
      pkt.gid = s.gid;
      return;
    }
}

}  // namespace iptsim
