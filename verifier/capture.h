// The kernel's trace of a list of packets under a ruleset: a lab is built,
// the ruleset loaded, each packet injected in turn and the kernel's lines for
// it collected, then the lab is removed.  What `iptsim verify`, the kernel
// differential tests and the capture tool (tests/kernel/capture.cc) use.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/packet.h"
#include "verifier/kmsg.h"
#include "verifier/lab.h"

namespace iptsim::verifier {

struct CaptureOptions {
  Flavour flavour = Flavour::kLegacy;
  std::optional<Family> family;  // of the ruleset; default: the first packet's (else IPv4)
  LabOptions lab;                // keep, timeouts, where messages go
  Settle settle;                 // how long to listen after each packet
  bool with_level = false;       // prefix kernel-log lines with "<level>" (as /dev/kmsg has it)
  // Called when the lab is ready and the ruleset loaded, before the first
  // packet (tests use it to pause or to look inside).
  std::function<void(Lab&)> on_ready;
};

struct CaptureResult {
  LabStatus status;  // kUnsupported: not root / no namespaces (callers exit 2 or SKIP)
  // Per packet, in order.  Legacy: the TRACE and LOG lines of the kernel
  // log.  nf_tables: the PACKET:/TRACE: lines of xtables-monitor --trace.
  std::vector<std::vector<std::string>> lines;
  std::vector<std::vector<std::string>> log_lines;  // nf_tables only: LOG lines (kernel log)
  std::vector<std::vector<std::string>> caveats;    // InjectionCaveats of each packet
  std::vector<Status> send_errors;  // per packet: ok or why the send failed (e.g. EPERM:
                                         // a local packet dropped on OUTPUT)
  std::vector<std::string> monitor_errors;  // nf_tables: what xtables-monitor said besides traces
};

// Adds to `spec` the interfaces the packets name but the spec lacks (an input
// interface is a tun device when its packet has no MAC header; an output
// interface gets generated MACs), and gives an Ethernet input interface
// whose MACs the spec leaves open the first frame's destination MAC, and its
// source MAC to the peer end (unicast ones only).  No addresses: those come
// from the spec.
LabSpec CompleteLabSpec(LabSpec spec, const std::vector<Packet>& packets);

// Builds a lab from CompleteLabSpec(spec, packets), loads the ruleset, sends
// the packets one by one and collects each one's lines.
CaptureResult CaptureTraces(const LabSpec& spec, std::string_view ruleset,
                            const std::vector<Packet>& packets,
                            const CaptureOptions& options = {});

// The same, all packets' lines in one list.  On failure returns what was
// captured so far and sets *status (if given).
std::vector<std::string> CaptureTrace(const LabSpec& spec, std::string_view ruleset,
                                      const std::vector<Packet>& packets,
                                      const CaptureOptions& options = {},
                                      LabStatus* status = nullptr);

}  // namespace iptsim::verifier
