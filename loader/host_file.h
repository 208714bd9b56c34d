// Reads a host file (`--host FILE`) into the host model (engine/host.h).
// Two formats, told apart by the first non-blank character ('{' is JSON,
// loader/host_json.h); docs/host.md describes both.  The native one is the
// differential scenarios' `lab` directives, one per line:
//   iface NAME[,mac=MAC][,peer=MAC][,addr=CIDR]...[,mtu=N][,tun]
//   route [TYPE] PREFIX|default [via ADDR] [dev NAME] [metric N] [src ADDR] [table local|main]
//   forward [on|off]
//   sysctl KEY=VALUE
//   (settle MS, family 4|6 and nodefault are lab settings: kept for
//   `iptsim verify`, ignored by the simulation)
// Routes are checked as `ip route add` and the kernel check them, with the
// kernel's reason when it would refuse one.
#pragma once

#include <string>
#include <string_view>

#include "base/diagnostics.h"
#include "engine/host.h"

namespace iptsim {

// Parses a host file (native or JSON, detected from the content).
// Diagnostics go to `diags` ("file:line:col: error: ..."); returns false on
// any error.
bool ParseHostModel(std::string_view text, const std::string& file, HostModel* out,
                    DiagnosticSink* diags);
// Reads and parses a file; I/O errors become a diagnostic too.
bool LoadHostFile(const std::string& path, HostModel* out, DiagnosticSink* diags);

}  // namespace iptsim
