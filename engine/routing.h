// The kernel's routing decisions on a host model (engine/host.h): where a
// received packet goes after PREROUTING (local delivery, forward, drop), the
// output interface of a locally generated one (and whether it loops back
// through lo), the reverse-path checks of rp_filter and rpfilter, and the
// router that makes these decisions between the hooks of a simulated walk.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/host.h"
#include "engine/ip_options.h"
#include "engine/netaddr.h"
#include "engine/netfilter.h"

namespace iptsim {

struct Packet;

// The routing decision for a received packet, after PREROUTING (IPv4
// ip_route_input_slow, IPv6 ip6_route_input + ip6_forward's check).
enum class InputRoute : uint8_t { kLocal, kForward, kDrop };
struct InputDecision {
  InputRoute route = InputRoute::kDrop;
  std::string out;     // kForward: the output interface
  std::string why;     // kDrop: the kernel's reason
  bool unknown = false;  // iptsim cannot decide (multicast): `why` says why
  const HostRoute* r = nullptr;
};
InputDecision RouteInput(const HostModel& h, const Packet& pkt);

// The route of a locally generated packet (before OUTPUT; again after it
// when the packet changed).  `oif` is the device the socket is bound to
// ("" for none).  loopback: the route is local, the packet goes out lo and
// comes back in on it.
struct OutputDecision {
  bool ok = false;
  bool loopback = false;
  std::string out;
  std::string error;  // !ok: the kernel's error
  std::optional<IpAddr> src;  // the source the route gives (fl4->saddr), when known
};
OutputDecision RouteOutput(const HostModel& h, const Packet& pkt, std::string_view oif);

// rp_filter (fib_validate_source) for a received packet: "" when the
// source is accepted, else why the kernel drops it.
std::string ValidateSource(const HostModel& h, const Packet& pkt, InputRoute route);

// rpfilter match: the reverse-path lookup of the source (ipt_rpfilter /
// ip6t_rpfilter), flags as the match's options.
bool RpfilterLookup(const HostModel& h, const Packet& pkt, bool loose, bool accept_local,
                    bool validmark);

// The loopback device's side of a looped packet (loopback_xmit, then
// eth_type_trans on lo): IN=lo, no output device, an all-zero Ethernet
// header with the packet's ethertype, no owning socket.
void EnterLoopback(Packet& pkt);

// The routing of one packet through the simulator (Simulator::Run): with a
// host model, the decisions above between the hooks; without one, the path
// from -i/-o (PathFromDevices) and what the kernel does regardless of the
// host (the looped packet on lo, Record Route on local delivery).
class HostRouter : public PathRouter {
 public:
  explicit HostRouter(const HostModel* host) : host_(host) {}
  // Before the walk: the starting path, and OUT= of a locally generated
  // packet.  false: the packet cannot be sent, error() says why.
  bool Start(Packet& pkt, PacketPath* path);
  bool Between(Hook from, Hook to, Packet& pkt, PacketPath& path, IfaceName& out,
               SimResult& result) override;
  // Set when the packet contradicts the host (an -o that routing does not
  // take, an unknown interface) or routing cannot be decided.
  const std::string& error() const { return error_; }
  // Start() found that the kernel drops the packet before PREROUTING
  // (ipv6_rcv's address checks): nothing is traced; why says why.
  const std::string& dropped_before() const { return dropped_before_; }
  PacketPath path() const { return path_; }

 private:
  const HostModel* host_;
  PacketPath path_ = PacketPath::kLocalIn;
  std::string error_;
  std::string dropped_before_;
  std::string requested_out_;  // -o of a received packet
  std::string oif_;            // -o of a local packet (the socket's device)
  IpAddr start_dst_;
  RxOptions rx_;               // the received packet's options, as compiled
};

}  // namespace iptsim
