// The verifier's lab: throw-away network namespaces in which the real kernel
// runs a ruleset (the kernel as the oracle).  Root only.
//
// Topology: one "host" namespace holds the ruleset and one device per
// interface of the spec.  An Ethernet interface is the host-side end of a
// veth pair whose other end ("eth0") sits alone in a peer namespace of its
// own; frames written there arrive on the host-side device.  A tun interface
// (spec.tun, for packets without a link-layer header) lives in the host
// namespace only.
//
//   iptsim-<pid>-<n>        host: lo, the spec's interfaces, addresses, routes, rules
//   iptsim-<pid>-<n>-<i>    peer of interface i: eth0 (IPv6 off), nothing else
//
// Nothing is ever created, changed or sent in the initial namespace, except
// /proc/sys/net/netfilter/nf_log_all_netns (global by nature), which is set to
// 1 while a lab exists - without it the kernel prints no TRACE/LOG line for a
// non-initial namespace - and restored afterwards.
//
// Cleanup happens on every exit path: Destroy() or the destructor, error paths
// of Create(), and SIGINT/SIGTERM/SIGHUP (handlers installed while a lab
// exists delete the namespaces and restore the sysctl with async-signal-safe
// calls only, then re-raise).  After a SIGKILL, the next Lab::Create() removes
// the leftovers of dead processes (names carry the owner's pid) and restores
// the sysctl from /run/iptsim-lab.state.  Labs are serialized machine-wide by
// a lock file (/run/iptsim-lab.lock): the kernel log and the sysctl are shared.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "engine/netaddr.h"

namespace iptsim::verifier {

// Which iptables the ruleset is loaded with: legacy (x_tables; TRACE lines in
// the kernel log) or nf_tables (iptables-nft; trace events via netlink, read
// with `xtables-monitor --trace`).
enum class Flavour { kLegacy, kNft };

struct LabInterface {
  std::string name;                    // host-side device name, as packets use it (Packet::in/out)
  std::string mac;                     // host-side MAC "02:00:00:00:03:02"; "" = generated
  std::string peer_mac;                // MAC of the peer end; "" = generated
  std::vector<std::string> addresses;  // "10.200.3.2/24", "fd00:200:3::2/64" (IPv6 added nodad)
  bool tun = false;                    // a tun device (no link-layer header) instead of a veth pair
  int mtu = 0;                         // 0 = the device default
  // Neighbour resolution (ARP / IPv6 ND) on the host-side device.  Off by
  // default (IFF_NOARP): nothing answers on the peer end, and the NS packets
  // the kernel would send for every new on-link destination show up in a
  // raw OUTPUT trace.  Off, frames go out unresolved and nothing extra is sent.
  bool neighbour_discovery = false;
};

struct LabSpec {
  std::vector<LabInterface> interfaces;
  bool ip_forward = false;          // net.ipv4.ip_forward and net.ipv6.conf.all.forwarding
  std::vector<std::string> routes;  // arguments of `ip route add`, e.g. "10.9.0.0/16 via 10.200.3.254"
  bool ipv6 = true;                 // false: IPv6 disabled on the host namespace's devices
  // Extra sysctls of the host namespace, set before the devices are created:
  // {"net.ipv4.conf.all.rp_filter", "1"} (a key containing '/' is taken as a
  // path below /proc/sys as it is).
  std::vector<std::pair<std::string, std::string>> sysctls;
};

std::string FormatMac(const uint8_t mac[6]);

// Checks a spec: names (1..15 characters, no '/', ':' or blanks, not "lo",
// unique), MACs, addresses; the error says what is wrong.
Status ValidateLabSpec(const LabSpec& spec);

struct LabStatus {
  enum Kind {
    kOk,
    kUnsupported,  // not root, or no network namespaces: the caller exits 2 / a test SKIPs
    kFailed,       // setup, ruleset or teardown failure
  };
  Kind kind = kOk;
  std::string message;
  bool ok() const { return kind == kOk; }
  static LabStatus Unsupported(std::string m) { return {kUnsupported, std::move(m)}; }
  static LabStatus Failed(std::string m) { return {kFailed, std::move(m)}; }
};

struct LabOptions {
  bool keep = false;       // leave the namespaces in place; Destroy() prints how to enter/delete them
  int timeout_ms = 10000;  // for every command run, and for the machine-wide lab lock
  int settle_ms = 100;     // after setup: let IPv6 address/MLD chatter finish before rules load
  std::FILE* log = stderr; // --keep instructions and warnings (nullptr: silent)
};

class Lab {
 public:
  // Root, /proc/self/ns/net, unshare(CLONE_NEWNET) in a child, `ip` installed.
  static LabStatus CheckSupport();

  // Builds the lab.  On failure returns nullptr with *status set; everything
  // created so far has been removed.
  static std::unique_ptr<Lab> Create(const LabSpec& spec, const LabOptions& options,
                                     LabStatus* status);
  ~Lab();  // Destroy()
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  // Loads an iptables-save text into the host namespace with
  // ip[6]tables-legacy-restore or ip[6]tables-nft-restore (-w: waits for the
  // xtables lock).  Errors carry the tool's message.
  LabStatus LoadRuleset(Family family, Flavour flavour, std::string_view text);
  // iptables-save -c (legacy or nft) of the host namespace, for diagnostics.
  std::string SaveRuleset(Family family, Flavour flavour);

  // Deletes the namespaces (unless keep), restores the sysctl, releases the
  // lock.  Idempotent.  With keep, prints how to enter and delete the lab.
  LabStatus Destroy();
  bool destroyed() const { return destroyed_; }

  struct Port {
    std::string name;         // host-side device
    bool tun = false;
    std::string mac;          // host-side MAC (veth)
    std::string peer_mac;
    std::string peer_netns;   // "" for tun
    int peer_netns_fd = -1;
    std::string peer_device;  // "eth0" in the peer namespace
  };
  const Port* FindPort(std::string_view name) const;
  const std::vector<Port>& ports() const { return ports_; }
  const std::string& host_netns() const { return host_name_; }
  int host_netns_fd() const { return host_fd_; }
  // Device names whose packets belong to this lab: the ports and "lo".
  std::vector<std::string> DeviceNames() const;
  // Shell commands to enter the host namespace and to delete the lab.
  std::string EnterInstructions() const;
  const LabOptions& options() const { return options_; }

  // Children running inside the lab (an injector, xtables-monitor): a signal
  // handler SIGKILLs them before it removes the namespaces.
  void AdoptChild(pid_t pid);
  void ReleaseChild(pid_t pid);

 private:
  Lab() = default;
  LabStatus Build(const LabSpec& spec);
  LabStatus Ip(const std::vector<std::string>& args);
  LabStatus AddNetns(const std::string& name, int* fd);

  LabOptions options_;
  std::string host_name_;
  int host_fd_ = -1;
  std::vector<Port> ports_;
  std::vector<std::string> netns_names_;  // every namespace created, host first
  int lock_fd_ = -1;
  int slot_ = -1;                         // index in the signal-handler registry
  std::string nf_log_old_;                // value to restore; "" = not changed
  bool destroyed_ = false;
};

}  // namespace iptsim::verifier
