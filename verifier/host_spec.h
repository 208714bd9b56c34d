// The lab a host file describes (`iptsim verify --host FILE`), in the host
// file's native format, which is by design the `lab` directives of the
// kernel differential scenarios (corpus/scenarios/README.md):
//
//   # comment (also after a directive)
//   iface NAME[,mac=MAC][,peer=MAC][,addr=CIDR]...[,mtu=N][,tun]
//   route ARGS...          arguments of `ip route add`
//   forward [on|off]       IPv4 and IPv6 forwarding (bare: on)
//   sysctl KEY=VALUE       a sysctl of the host's namespace
//
// (engine/host.h will read the same format into the simulation's HostModel;
// until then the verifier reads it here, for the lab only.)
#pragma once

#include <string>
#include <string_view>

#include "loader/diagnostics.h"
#include "verifier/lab.h"

namespace iptsim::verifier {

// One `iface` argument ("d0,addr=10.200.3.2/24,mtu=1400"), added to *itf.
// "" if valid, else what is wrong; *col (0-based offset in `spec`) points at it.
std::string ParseLabInterface(std::string_view spec, LabInterface* itf, size_t* col = nullptr);

// Parses a host file into *spec (added to what it holds).  On error returns
// false with *error set (file, line, column, source line).
bool ParseHostSpec(std::string_view text, std::string_view file, LabSpec* spec,
                   Diagnostic* error);

}  // namespace iptsim::verifier
