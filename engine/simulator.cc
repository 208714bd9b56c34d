#include "engine/simulator.h"

#include <optional>

#include "base/bytes.h"
#include "engine/routing.h"
#include "engine/nat.h"
#include "engine/reject_reply.h"

namespace iptsim {

Simulator::Simulator(const Ruleset& rs, RunSettings settings)
    : rs_(rs),
      settings_(std::move(settings)),
      run_(settings_.seed ? RunState(*settings_.seed) : RunState()),
      conntrack_(NeedsConntrack(rs)) {
  // MASQUERADE and REDIRECT take interface addresses from the host model
  // unless the caller gave its own hooks.
  ct_host_ = settings_.ct_host;
  if (!ct_host_.iface_address && settings_.host) ct_host_ = HostHooksFor(settings_.host);
  if (settings_.ipsets) {
    IpsetRunState& sets = run_.Named<IpsetRunState>("ipset", "");
    sets.db = *settings_.ipsets;
    sets.loaded = true;
  }
}

RunResult Simulator::Run(Packet& pkt, TraceObserver* observer) {
  return RunOne(pkt, observer, false);
}

RunResult Simulator::RunOne(Packet& pkt, TraceObserver* observer, bool generated, bool copy) {
  RunResult r;
  // Routing: from the host model, or from -i/-o.  A TEE copy was routed to
  // its gateway already (SendCopy): its output device stands.
  HostRouter router(copy ? nullptr : settings_.host);
  // A reply the kernel generates is routed like any local packet: with a
  // host model the route decides its output device.
  if (generated && !copy && settings_.host) pkt.out = IfaceName();
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
  opts.settings = &settings_;
  opts.run = &run_;
  opts.conntrack = conntrack_;
  opts.first_of_connection = !generated;
  opts.tee_copy = copy;
  opts.replies = generated ? nullptr : &replies;
  std::optional<ConntrackPacket> ct;
  if (conntrack_) {
    ct.emplace(table_, &ct_host_, &run_);
    if (copy) ct->set_assumed_state("UNTRACKED");  // nf_dup: the untracked entry
    else if (generated && parent_ct_) ct->Attach(parent_ct_->ref(), pkt);  // nf_ct_attach
    else ct->set_assumed_state(pkt.ct_assumed);
    opts.ct = &*ct;
  }
  if (!generated && pkt.connected_socket) NoteSocket(pkt);
  if (!sockets_.empty()) opts.early_demux = [this](Packet& p) { EarlyDemux(p); };
  if (!duplicating_)
    opts.send_copy = [this, observer, &r](Packet& c, const IpAddr& gw, std::string_view oif) {
      SendCopy(c, gw, oif, observer, &r);
    };
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
    if (observer) observer->OnGeneratedBegin(GeneratedKind::kRejectReply, reply.packet);
    RunResult rr = RunOne(reply.packet, observer, true);
    if (observer) observer->OnGeneratedEnd(GeneratedKind::kRejectReply);
    parent_ct_ = saved;
    if (!rr.error.empty()) r.notes.push_back("REJECT's reply is not simulated: " + rr.error);
    else if (rr.sim.verdict == Verdict::kUnknown)
      r.notes.push_back("the simulation of REJECT's reply stops: " + rr.sim.unknown_reason);
    for (std::string& n : rr.notes) r.notes.push_back(std::move(n));
  }
  return r;
}

void Simulator::SendCopy(Packet& copy, const IpAddr& gateway, std::string_view oif,
                         TraceObserver* observer, RunResult* r) {
  // nf_dup_ipv4_route / nf_dup_ipv6_route: the route to the gateway (out of
  // oif when given); no route: the copy is freed.
  std::string out(oif);
  if (settings_.host) {
    int index = oif.empty() ? -1 : settings_.host->IfaceIndex(oif);
    if (!oif.empty() && index < 0) return;  // no such device: no route
    const HostRoute* route = settings_.host->Lookup(copy.family, gateway, index);
    if (!route || (route->type != RouteType::kUnicast && route->type != RouteType::kLocal)) return;
    if (out.empty()) {
      if (route->dev < 0) return;
      out = settings_.host->ifaces[static_cast<size_t>(route->dev)].name;
    }
  } else if (out.empty()) {
    r->notes.push_back("TEE's copy is not simulated: its route to the gateway needs --oif or "
                       "--host");
    return;
  }
  copy.in = IfaceName();
  copy.out = IfaceName(out);
  copy.mac_len = 0;
  copy.phys_in = copy.phys_out = IfaceName();
  duplicating_ = true;
  if (observer) observer->OnGeneratedBegin(GeneratedKind::kTeeCopy, copy);
  RunResult cr = RunOne(copy, observer, true, true);
  if (observer) observer->OnGeneratedEnd(GeneratedKind::kTeeCopy);
  duplicating_ = false;
  if (!cr.error.empty()) r->notes.push_back("TEE's copy: " + cr.error);
  else if (cr.sim.verdict == Verdict::kUnknown)
    r->notes.push_back("the simulation of TEE's copy stops: " + cr.sim.unknown_reason);
  for (std::string& n : cr.notes) r->notes.push_back(std::move(n));
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
  *sport = GetBe16(t);
  *dport = GetBe16(t + 2);
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
