// The host a packet crosses (`--host FILE`): its interfaces and addresses,
// its routing tables (local, main, default), forwarding and a few sysctls,
// and the kernel's routing decisions on them: where a received packet goes
// after PREROUTING (local delivery, forward, drop), the output interface of
// a locally generated one (and whether it loops back through lo), the
// address types addrtype sees and the reverse-path lookups of rpfilter and
// rp_filter.  Policy routing (ip rule, tables other than local/main/default)
// and multicast routing are not modelled.
//
// Two input formats, told apart by the first non-blank character ('{' is
// JSON); docs/host.md describes both:
//   native: the differential scenarios' `lab` directives, one per line
//     iface NAME[,mac=MAC][,peer=MAC][,addr=CIDR]...[,mtu=N][,tun]
//     route [TYPE] PREFIX|default [via ADDR] [dev NAME] [metric N] [src ADDR] [table local|main]
//     forward [on|off]
//     sysctl KEY=VALUE
//     (settle MS, family 4|6 and nodefault are lab settings: accepted, ignored)
//   JSON: {"addr": `ip -j addr show`, "route": `ip -4 -j route show table all`,
//          "route6": `ip -6 -j route show table all`, "ip_forward": 0|1,
//          "ipv6_forwarding": 0|1, "forward": bool, "rp_filter": 0|1|2,
//          "sysctl": {"KEY": VALUE...}}
#pragma once

#include <array>
#include <functional>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/netaddr.h"
#include "engine/netfilter.h"
#include "base/diagnostics.h"

namespace iptsim {

struct Packet;

struct HostAddr {
  Family family = Family::kIPv4;
  IpAddr addr;
  int prefix_len = 32;
};

struct HostIface {
  std::string name;
  int ifindex = 0;
  std::optional<std::array<uint8_t, 6>> mac;  // none: unknown, or no link layer (tun)
  std::optional<std::array<uint8_t, 6>> peer; // lab: the MAC of the peer's frames
  std::vector<HostAddr> addrs;
  uint32_t mtu = 1500;
  bool tun = false;
  bool loopback = false;
};

// Route types (the kernel's RTN_* values, as addrtype's bits use them).
enum class RouteType : uint8_t {
  kUnicast = 1,
  kLocal = 2,
  kBroadcast = 3,
  kAnycast = 4,
  kMulticast = 5,
  kBlackhole = 6,
  kUnreachable = 7,
  kProhibit = 8,
  kThrow = 9,
};
std::string_view RouteTypeName(RouteType t);

constexpr uint32_t kTableLocal = 255, kTableMain = 254, kTableDefault = 253;

struct HostRoute {
  Family family = Family::kIPv4;
  uint32_t table = kTableMain;
  RouteType type = RouteType::kUnicast;
  IpAddr dst;  // masked
  int prefix_len = 0;
  std::optional<IpAddr> via;
  int dev = -1;  // index into HostModel::ifaces, -1 for none (blackhole...)
  uint32_t metric = 0;
  std::optional<IpAddr> src;
  bool kernel = false;  // added by the kernel for an address (proto kernel)
};

struct HostModel {
  std::string file;
  std::vector<HostIface> ifaces;  // lo first
  std::vector<HostRoute> routes;
  bool forward4 = false, forward6 = false;
  std::map<std::string, std::string> sysctls;  // as given (KEY -> VALUE)
  // The native file's lab settings, so that `iptsim verify` can build the
  // kernel lab from the same file (empty for JSON): each `route` line's
  // ARGS as written (for `ip route add`), and settle / family / nodefault.
  std::vector<std::string> lab_routes;
  int settle_ms = -1;
  int lab_family = 0;  // 4, 6, or 0 when not given
  bool nodefault = false;

  const HostIface* FindIface(std::string_view name) const;
  int IfaceIndex(std::string_view name) const;  // -1 when unknown
  // Device arguments: an index into `ifaces`, -1 for none (no limit), or
  // -2 for a device the host does not have (matches nothing).
  // An address configured on any interface (or on `dev`).
  bool IsLocalAddress(Family f, const IpAddr& a, int dev = -1) const;
  // The value of an integer sysctl (0 when unset or not a number).
  int SysctlInt(const std::string& key) const;
  // rp_filter of an interface: max(conf.all, conf.DEV) as the kernel.
  int RpFilter(std::string_view dev) const;
  bool AcceptLocal(std::string_view dev) const;
  bool Forwarding(Family f, std::string_view in_dev) const;

  // The FIB lookup of `dst`: tables local, main, default in turn (the
  // default rules 0, 32766, 32767); longest prefix, then lowest metric.
  // oif >= 0 keeps only routes through that interface (a socket bound to
  // a device); error routes (blackhole, unreachable...) match regardless.
  const HostRoute* Lookup(Family f, const IpAddr& dst, int oif = -1) const;
  // The lookup of one table only.
  const HostRoute* LookupTable(Family f, uint32_t table, const IpAddr& dst, int oif = -1) const;
  // The source address the kernel prefers for a route (its src, else an
  // address of its device, as inet_select_addr / ipv6 source selection).
  std::optional<IpAddr> PreferredSource(const HostRoute& r, const IpAddr& dst) const;

  // addrtype: the kernel's address type of `a` (IPv4: inet_dev_addr_type,
  // the local table only; IPv6: the XT_ADDRTYPE_* bits match_lookup_rt6
  // finds), optionally limited to interface `dev`.
  RouteType AddrType4(const IpAddr& a, int dev) const;
  uint16_t AddrTypeBits6(const IpAddr& a, int dev, uint16_t mask) const;
};

// Parses a host file (native or JSON, detected from the content).
// Diagnostics go to `diags` ("file:line:col: error: ..."); returns false on
// any error.
bool ParseHostModel(std::string_view text, const std::string& file, HostModel* out,
                    DiagnosticSink* diags);
// Reads and parses a file; I/O errors become a diagnostic too.
bool LoadHostFile(const std::string& path, HostModel* out, DiagnosticSink* diags);

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

// ip_options_compile on a received IPv4 packet, after routing
// (ip_rcv_options): malformed options drop it; Record Route and
// Timestamp-with-address get `spec_dst` (fib_compute_spec_dst; nullopt:
// unknown, those options stay as received); timestamps get the arrival time
// (--time) in milliseconds since midnight UTC; a full Timestamp option
// counts an overflow; a prespecified timestamp is written when unicast(addr)
// says false (the address is the host's; nullopt: unknown, left alone);
// bytes after an End option become End; a source route option is dropped
// unless accept_source_route.  The header checksum follows.
struct RxOptions {
  std::string drop;     // why the kernel drops the packet ("" if it does not)
  std::string unknown;  // what iptsim cannot follow ("" if nothing)
  int rr_slot = -1;     // offsets of the addresses ip_forward_options rewrites
  int ts_slot = -1;
  bool changed = false;
};
RxOptions CompileReceivedOptions(Packet& pkt, const std::optional<IpAddr>& spec_dst,
                                 const std::function<std::optional<bool>(const IpAddr&)>& unicast,
                                 bool accept_source_route);
// ip_forward_options (after FORWARD): the addresses just recorded become `src`.
void ForwardOptions(Packet& pkt, const RxOptions& rx, const IpAddr& src);

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
