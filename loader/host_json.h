// The JSON host file: what `ip -j` prints, gathered in one object
//   {"addr": `ip -j addr show`, "route": `ip -4 -j route show table all`,
//    "route6": `ip -6 -j route show table all`, "ip_forward": 0|1,
//    "ipv6_forwarding": 0|1, "forward": bool, "rp_filter": 0|1|2,
//    "sysctl": {"KEY": VALUE...}}
// mapped onto the host model (docs/host.md).  lo is added when "addr" does
// not list it; the kernel's own routes come from the route lists, as `ip`
// shows them.
#pragma once

#include "engine/host.h"
#include "loader/host_syntax.h"

namespace iptsim::host_file {

// Reads the JSON host file `src` into `h` (an empty model); false after the
// first error, which goes to src's diagnostics.
bool ReadJsonHost(Source& src, HostModel* h);

}  // namespace iptsim::host_file
