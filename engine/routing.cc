#include "engine/routing.h"

#include <algorithm>
#include <cstdio>

#include "engine/packet.h"

namespace iptsim {

namespace {

bool IsLbcast(const IpAddr& a) { return a.b[0] == 255 && a.b[1] == 255 && a.b[2] == 255 && a.b[3] == 255; }
bool IsMulticast4(const IpAddr& a) { return (a.b[0] & 0xf0) == 0xe0; }
bool IsLoopback4(const IpAddr& a) { return a.b[0] == 127; }

bool IsZero(const IpAddr& a, Family f) {
  for (int i = 0; i < AddrLen(f); ++i)
    if (a.b[i]) return false;
  return true;
}

// Source and destination of a packet's IP header (false when too short).
bool Addrs(const Packet& p, IpAddr* src, IpAddr* dst) {
  const auto& b = p.bytes;
  if (p.family == Family::kIPv4) {
    if (b.size() < 20) return false;
    std::copy(b.begin() + 12, b.begin() + 16, src->b.begin());
    std::copy(b.begin() + 16, b.begin() + 20, dst->b.begin());
    return true;
  }
  if (b.size() < 40) return false;
  std::copy(b.begin() + 8, b.begin() + 24, src->b.begin());
  std::copy(b.begin() + 24, b.begin() + 40, dst->b.begin());
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------
// Routing decisions.

InputDecision RouteInput(const HostModel& h, const Packet& pkt) {
  InputDecision d;
  IpAddr src, dst;
  if (!Addrs(pkt, &src, &dst)) {
    d.why = "truncated IP header";
    return d;
  }
  const int in = h.IfaceIndex(pkt.in.view());
  if (in < 0) {
    d.why = "unknown input interface";
    return d;
  }
  const HostIface& iif = h.ifaces[in];
  const Family f = pkt.family;
  if (f == Family::kIPv4) {
    // ip_route_input_rcu / ip_route_input_slow, in the kernel's order.
    if (IsMulticast4(dst)) {
      if (dst.b[0] == 224 && dst.b[1] == 0 && dst.b[2] == 0 && dst.b[3] == 1) {
        d.route = InputRoute::kLocal;  // all-hosts: every device is a member
        return d;
      }
      d.route = InputRoute::kDrop;
      d.why = "multicast: iptsim models no group memberships nor multicast routing";
      d.unknown = true;
      return d;
    }
    if (IsMulticast4(src) || IsLbcast(src)) {
      d.why = "martian source (multicast or broadcast)";
      return d;
    }
    if (IsLbcast(dst) || (IsZero(src, f) && IsZero(dst, f))) {
      // brd_input: a source other than 0.0.0.0 is validated.
      std::string bad = IsZero(src, f) ? "" : ValidateSource(h, pkt, InputRoute::kLocal);
      if (!bad.empty()) {
        d.why = bad;
        return d;
      }
      d.route = InputRoute::kLocal;
      return d;
    }
    if (src.b[0] == 0) {
      d.why = "martian source (0.0.0.0/8)";
      return d;
    }
    if (dst.b[0] == 0) {
      d.why = "martian destination (0.0.0.0/8)";
      return d;
    }
    const bool localnet = h.SysctlInt("net.ipv4.conf.all.route_localnet") ||
                          h.SysctlInt("net.ipv4.conf." + iif.name + ".route_localnet");
    if (!iif.loopback && !localnet && (IsLoopback4(src) || IsLoopback4(dst))) {
      d.why = IsLoopback4(dst) ? "martian destination (127.0.0.0/8 on a device other than lo)"
                               : "martian source (127.0.0.0/8 on a device other than lo)";
      return d;
    }
    const HostRoute* r = h.Lookup(f, dst);
    d.r = r;
    if (!r) {
      d.why = "no route to " + FormatIpAddr(f, dst);
      return d;
    }
    if (r->type == RouteType::kBroadcast || r->type == RouteType::kLocal) {
      std::string bad = ValidateSource(h, pkt, InputRoute::kLocal);
      if (!bad.empty()) {
        d.why = bad;
        return d;
      }
      d.route = InputRoute::kLocal;
      return d;
    }
    if (!h.Forwarding(f, iif.name)) {
      d.why = "not a local address and forwarding is off (ip_forward=0): no route";
      return d;
    }
    if (r->type != RouteType::kUnicast) {
      d.why = std::string(r->type == RouteType::kUnreachable || r->type == RouteType::kAnycast ? "an " : "a ") +
              std::string(RouteTypeName(r->type)) + " route";
      return d;
    }
  } else {
    if (dst.b[0] == 0xff) {
      if (dst.b[1] == 0x02) {
        bool all_nodes = true;
        for (int i = 2; i < 15; ++i) all_nodes = all_nodes && dst.b[i] == 0;
        if (all_nodes && dst.b[15] == 1) {
          d.route = InputRoute::kLocal;
          return d;
        }
      }
      d.why = "multicast: iptsim models no group memberships nor multicast routing";
      d.unknown = true;
      return d;
    }
    const HostRoute* r = h.Lookup(f, dst);
    d.r = r;
    if (!r) {
      d.why = "no route to " + FormatIpAddr(f, dst);
      return d;
    }
    if (r->type == RouteType::kLocal || r->type == RouteType::kAnycast) {
      d.route = InputRoute::kLocal;
      return d;
    }
    if (r->type != RouteType::kUnicast) {
      d.why = std::string(r->type == RouteType::kUnreachable || r->type == RouteType::kAnycast ? "an " : "a ") +
              std::string(RouteTypeName(r->type)) + " route";
      return d;
    }
    if (!h.Forwarding(f, iif.name)) {
      d.why = "not a local address and IPv6 forwarding is off: ip6_forward drops it";
      return d;
    }
    if (src.b[0] == 0xfe && (src.b[1] & 0xc0) == 0x80) {
      d.why = "ip6_forward never forwards a link-local source";
      return d;
    }
  }
  std::string bad = ValidateSource(h, pkt, InputRoute::kForward);
  if (!bad.empty()) {
    d.why = bad;
    return d;
  }
  if (pkt.mac_len == 14 && (pkt.mac[0] & 1)) {
    d.why = "ip_forward forwards only frames addressed to this host (the destination MAC is a "
            "broadcast or multicast one)";
    return d;
  }
  const HostRoute* r = d.r;
  if (r->dev < 0) {
    d.why = "route without a device";
    return d;
  }
  d.route = InputRoute::kForward;
  d.out = h.ifaces[r->dev].name;
  return d;
}

std::string ValidateSource(const HostModel& h, const Packet& pkt, InputRoute) {
  if (pkt.family != Family::kIPv4) return "";
  IpAddr src, dst;
  if (!Addrs(pkt, &src, &dst)) return "";
  const std::string dev(pkt.in.view());
  const int in = h.IfaceIndex(dev);
  const int rpf = h.RpFilter(dev);
  const bool accept_local = h.AcceptLocal(dev);
  const bool custom_local = h.HasCustomLocalRoutes4();
  if (rpf == 0) {
    // fib_validate_source's shortcut: a source that is an address of this
    // host is a martian unless accept_local (a full check when the host has
    // local routes of its own).
    if (accept_local) return "";
    if (!custom_local) {
      if (h.IsLocalAddress(Family::kIPv4, src))
        return "martian source " + FormatIpAddr(Family::kIPv4, src) + " (an address of this host)";
      return "";
    }
  }
  const HostRoute* r = h.Lookup(Family::kIPv4, src);
  if (!r) return rpf ? "rp_filter: no route back to " + FormatIpAddr(Family::kIPv4, src) : "";
  if (r->type != RouteType::kUnicast && (r->type != RouteType::kLocal || !accept_local))
    return "martian source " + FormatIpAddr(Family::kIPv4, src) + " (its route is " +
           std::string(RouteTypeName(r->type)) + ")";
  if (r->dev == in || rpf == 0) return "";
  if (rpf == 1)
    return "rp_filter=1: the route back to " + FormatIpAddr(Family::kIPv4, src) +
           " does not go out " + dev;
  return "";
}

OutputDecision RouteOutput(const HostModel& h, const Packet& pkt, std::string_view oif_name) {
  OutputDecision d;
  IpAddr src, dst;
  if (!Addrs(pkt, &src, &dst)) {
    d.error = "truncated IP header";
    return d;
  }
  int oif = -1;
  if (!oif_name.empty()) {
    oif = h.IfaceIndex(oif_name);
    if (oif < 0) {
      d.error = "-o " + std::string(oif_name) + " is not an interface of the host (" + h.file + ")";
      return d;
    }
  }
  const Family f = pkt.family;
  auto loop = [&]() {
    d.ok = true;
    d.loopback = true;
    d.out = "lo";
    return d;
  };
  // inet_select_addr(dev, 0, RT_SCOPE_LINK): an address of the device that
  // is not host-scoped (127/8), else one of another device.
  auto select = [&](int dev) -> std::optional<IpAddr> {
    for (int pass = 0; pass < 2; ++pass)
      for (size_t i = 0; i < h.ifaces.size(); ++i) {
        if ((pass == 0) != (static_cast<int>(i) == dev)) continue;
        for (const HostAddr& a : h.ifaces[i].addrs)
          if (a.family == Family::kIPv4 && !IsLoopback4(a.addr)) return a.addr;
      }
    return std::nullopt;
  };
  auto via = [&](int dev) {
    d.ok = true;
    d.out = h.ifaces[dev].name;
    if (h.ifaces[dev].loopback) d.loopback = true;
    if (f == Family::kIPv4) d.src = select(dev);  // "assume on-link"
    return d;
  };
  if (f == Family::kIPv4 ? IsMulticast4(dst) : dst.b[0] == 0xff) {
    d.error = "a multicast destination: iptsim does not model multicast sending (its looped-back copy)";
    return d;
  }
  const char* kBroadcastError =
      "a broadcast destination: the kernel refuses a raw socket's broadcast without SO_BROADCAST "
      "(Permission denied), and iptsim does not model broadcast sending";
  if (f == Family::kIPv4 && IsLbcast(dst)) {
    d.error = kBroadcastError;
    return d;
  }
  if (f == Family::kIPv4 && IsZero(dst, f)) return loop();  // daddr 0: sent to the host itself
  const HostRoute* r = h.Lookup(f, dst, oif);
  if (!r) {
    if (f == Family::kIPv4 && oif >= 0) return via(oif);  // "assume on-link"
    d.error = "no route to " + FormatIpAddr(f, dst) + (oif >= 0 ? " via " + std::string(oif_name) : "") +
              ": the kernel refuses to send it (Network is unreachable)";
    return d;
  }
  switch (r->type) {
    case RouteType::kLocal:
    case RouteType::kAnycast:
      d.src = r->src ? *r->src : dst;  // the local route's prefsrc, else the destination
      return loop();
    case RouteType::kBlackhole:
      d.error = "a blackhole route: the kernel refuses to send it (Invalid argument)";
      return d;
    case RouteType::kUnreachable:
      d.error = "an unreachable route: the kernel refuses to send it (No route to host)";
      return d;
    case RouteType::kProhibit:
      d.error = "a prohibit route: the kernel refuses to send it (Permission denied)";
      return d;
    case RouteType::kBroadcast:
      d.error = kBroadcastError;
      return d;
    default:
      break;
  }
  if (r->dev < 0) {
    d.error = "route without a device";
    return d;
  }
  via(r->dev);
  d.src = h.PreferredSource(*r, dst);
  return d;
}

bool RpfilterLookup(const HostModel& h, const Packet& pkt, bool loose, bool accept_local, bool) {
  IpAddr src, dst;
  if (!Addrs(pkt, &src, &dst)) return false;
  const int in = h.IfaceIndex(pkt.in.view());
  const Family f = pkt.family;
  if (f == Family::kIPv4) {
    // rpfilter_lookup_reverse: a plain FIB lookup of the source.
    const HostRoute* r = h.Lookup(f, src);
    if (!r) return false;
    if (r->type != RouteType::kUnicast && (r->type != RouteType::kLocal || !accept_local))
      return false;
    return r->dev == in || loose;
  }
  // rpfilter_lookup_reverse6: strict mode prefers routes through the input
  // device (a link-local source must use it).
  const bool linklocal = src.b[0] == 0xfe && (src.b[1] & 0xc0) == 0x80;
  const HostRoute* r = nullptr;
  if (linklocal) {
    r = h.Lookup(f, src, in);
  } else {
    r = h.Lookup(f, src);
    if (r && !loose && r->dev != in) {
      const HostRoute* on_in = h.Lookup(f, src, in);
      if (on_in && on_in->prefix_len == r->prefix_len && on_in->table == r->table) r = on_in;
    }
  }
  if (!r || IsErrorType(r->type) || r->type == RouteType::kAnycast) return false;
  if (r->type == RouteType::kLocal) return accept_local;
  return r->dev == in || loose;
}

void EnterLoopback(Packet& pkt) {
  pkt.in = IfaceName("lo");
  pkt.out = IfaceName();
  pkt.mac.fill(0);
  if (pkt.family == Family::kIPv4) {
    pkt.mac[12] = 0x08;
    pkt.mac[13] = 0x00;
  } else {
    pkt.mac[12] = 0x86;
    pkt.mac[13] = 0xdd;
  }
  pkt.mac_len = 14;
  // loopback_xmit orphans the skb: the looped packet has no socket.
  pkt.uid.reset();
  pkt.gid.reset();
}

// ---------------------------------------------------------------------------
// The router used by the simulator.

bool HostRouter::Start(Packet& pkt, PacketPath* path) {
  IpAddr src;
  Addrs(pkt, &src, &start_dst_);
  if (!host_) {
    *path = path_ = PathFromDevices(pkt);
    return true;
  }
  const HostModel& h = *host_;
  if (!pkt.in.empty()) {
    if (h.IfaceIndex(pkt.in.view()) < 0) {
      error_ = "-i " + std::string(pkt.in.view()) + " is not an interface of the host (" + h.file + ")";
      return false;
    }
    if (!pkt.out.empty() && h.IfaceIndex(pkt.out.view()) < 0) {
      error_ = "-o " + std::string(pkt.out.view()) + " is not an interface of the host (" + h.file + ")";
      return false;
    }
    if (pkt.family == Family::kIPv6) {
      // ip6_rcv_core drops these before the PREROUTING hook.
      IpAddr dst;
      Addrs(pkt, &src, &dst);
      IpAddr loop;
      loop.b[15] = 1;
      const bool on_lo = h.FindIface(pkt.in.view())->loopback;
      const char* why = nullptr;
      if ((src == loop || dst == loop) && !on_lo) why = "the loopback address ::1 on a device other than lo";
      else if (dst.b[0] == 0xff && (dst.b[1] & 0x0f) == 1 && !on_lo) why = "an interface-local multicast destination";
      else if (dst.b[0] == 0xff && (dst.b[1] & 0x0f) == 0) why = "a multicast destination of scope 0";
      else if (src.b[0] == 0xff) why = "a multicast source";
      if (why) {
        dropped_before_ = std::string("dropped by ipv6_rcv before PREROUTING: ") + why;
        *path = path_ = PacketPath::kLocalIn;
        return true;
      }
    }
    // A tun device has no link layer: the packet arrives without a MAC header.
    const HostIface& iif = *h.FindIface(pkt.in.view());
    if (iif.tun) pkt.mac_len = 0;
    // eth_type_trans: a unicast frame to another MAC is PACKET_OTHERHOST,
    // which ip_rcv / ipv6_rcv drop before PREROUTING.
    if (iif.mac && !iif.loopback && pkt.mac_len == 14 && !(pkt.mac[0] & 1) &&
        !std::equal(iif.mac->begin(), iif.mac->end(), pkt.mac.begin())) {
      auto mac = [](const uint8_t* m) {
        char buf[18];
        snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
        return std::string(buf);
      };
      dropped_before_ = "the frame's destination MAC " + mac(pkt.mac.data()) + " is not " + iif.name +
                        "'s (" + mac(iif.mac->data()) +
                        "): the kernel drops it as PACKET_OTHERHOST before PREROUTING (give --mac-dst " +
                        mac(iif.mac->data()) + ")";
      *path = path_ = PacketPath::kLocalIn;
      return true;
    }
    requested_out_ = std::string(pkt.out.view());
    *path = path_ = PacketPath::kLocalIn;  // decided after PREROUTING
    return true;
  }
  oif_ = std::string(pkt.out.view());
  OutputDecision d = RouteOutput(h, pkt, oif_);
  if (!d.ok) {
    error_ = d.error;
    return false;
  }
  pkt.out = IfaceName(d.out);
  *path = path_ = d.loopback ? PacketPath::kLoopback : PacketPath::kLocalOut;
  // raw_send_hdrinc: source 0.0.0.0 becomes the route's source (the IP
  // header checksum follows; the transport checksum is left as it was).
  if (pkt.family == Family::kIPv4 && IsZero(src, Family::kIPv4) && d.src) {
    std::copy(d.src->b.begin(), d.src->b.begin() + 4, pkt.bytes.begin() + 12);
    SetIpv4HeaderChecksum(pkt.bytes, (pkt.bytes[0] & 0x0f) * 4u);
  }
  return true;
}

bool HostRouter::Between(Hook from, Hook to, Packet& pkt, PacketPath& path, IfaceName& out,
                         SimResult& result) {
  IpAddr src, dst;
  if (!Addrs(pkt, &src, &dst)) return true;
  const Family f = pkt.family;
  // ip_rcv_options after routing: the IP options the kernel checks and fills
  // on a received packet (spec_dst: fib_compute_spec_dst).
  auto options = [&](const std::optional<IpAddr>& spec_dst) {
    auto unicast = [&](const IpAddr& a) -> std::optional<bool> {
      if (host_) return host_->AddrType4(a, -1) == RouteType::kUnicast;
      if (a == dst && path != PacketPath::kForward) return false;  // the local destination
      return std::nullopt;
    };
    bool srr_ok = false;
    if (host_) {
      const std::string dev(pkt.in.view());
      srr_ok = host_->SysctlInt("net.ipv4.conf.all.accept_source_route") &&
               host_->SysctlInt("net.ipv4.conf." + dev + ".accept_source_route");
    }
    rx_ = CompileReceivedOptions(pkt, spec_dst, unicast, srr_ok);
    if (!rx_.unknown.empty()) {
      error_ = rx_.unknown;
      result.verdict = Verdict::kUnknown;
      result.unknown_reason = error_;
      return false;
    }
    if (!rx_.drop.empty()) {
      result.verdict = Verdict::kDrop;
      result.hook = Hook::kPreRouting;
      result.unknown_reason = "dropped after PREROUTING: " + rx_.drop;
      return false;
    }
    return true;
  };
  if (from == Hook::kPreRouting && path == PacketPath::kLoopback) {
    // The looped packet keeps its output route (local): delivered, and the
    // options see the destination as spec_dst.
    return options(dst);
  }
  if (from == Hook::kPreRouting && (path == PacketPath::kLocalIn || path == PacketPath::kForward)) {
    if (!host_) {
      // Local delivery: fib_compute_spec_dst is the destination itself; a
      // forwarded packet's needs the host's routes (left as received).
      return options(path == PacketPath::kLocalIn ? std::optional<IpAddr>(dst) : std::nullopt);
    }
    const HostModel& h = *host_;
    InputDecision d = RouteInput(h, pkt);
    if (d.unknown) {
      error_ = "cannot decide the route after PREROUTING: " + d.why;
      result.verdict = Verdict::kUnknown;
      result.unknown_reason = error_;
      return false;
    }
    if (d.route == InputRoute::kDrop) {
      result.verdict = Verdict::kDrop;
      result.hook = Hook::kPreRouting;
      result.unknown_reason = "dropped by routing after PREROUTING: " + d.why;
      return false;
    }
    if (d.route == InputRoute::kLocal) {
      if (!requested_out_.empty()) {
        error_ = "routing delivers the packet locally (" + FormatIpAddr(f, dst) +
                 " is local to the host), but the packet says -o " + requested_out_;
        result.verdict = Verdict::kUnknown;
        result.unknown_reason = error_;
        return false;
      }
      path = path_ = PacketPath::kLocalIn;
      return options(dst);
    }
    if (!requested_out_.empty() && requested_out_ != d.out) {
      error_ = "routing forwards the packet out " + d.out + " (route to " + FormatIpAddr(f, dst) +
               "), but the packet says -o " + requested_out_;
      result.verdict = Verdict::kUnknown;
      result.unknown_reason = error_;
      return false;
    }
    path = path_ = PacketPath::kForward;
    out = IfaceName(d.out);
    if (f == Family::kIPv4 && pkt.bytes.size() > 20 && (pkt.bytes[0] & 0x0f) > 5) {
      // fib_compute_spec_dst for a forwarded packet: the preferred source
      // of the route back to the sender.
      const HostRoute* back = h.Lookup(f, src);
      return options(back ? h.PreferredSource(*back, src) : std::nullopt);
    }
    return true;
  }
  if (from == Hook::kForward && to == Hook::kPostRouting && host_) {
    // ip_forward_options: the recorded addresses become the output route's source.
    const HostRoute* r = host_->Lookup(f, dst, host_->IfaceIndex(out.view()));
    std::optional<IpAddr> a = r ? host_->PreferredSource(*r, dst) : std::nullopt;
    if (a) ForwardOptions(pkt, rx_, *a);
  }
  if (from == Hook::kLocalOut && to == Hook::kPostRouting && host_ && !(dst == start_dst_)) {
    // ip_route_me_harder: nat OUTPUT changed the destination: route again.
    OutputDecision d = RouteOutput(*host_, pkt, oif_);
    if (!d.ok) {
      result.verdict = Verdict::kDrop;
      result.hook = Hook::kLocalOut;
      result.unknown_reason = "dropped by re-routing after OUTPUT: " + d.error;
      return false;
    }
    pkt.out = IfaceName(d.out);
    path = path_ = d.loopback ? PacketPath::kLoopback : PacketPath::kLocalOut;
  }
  return true;
}

}  // namespace iptsim
