// What the user chose for one simulation run (`iptsim trace`, `iptsim
// verify`), in one struct: the Simulator owns it for the run, the netfilter
// path (SimOptions) and each table walk (EvalContext) point into it instead
// of copying its fields.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "engine/conntrack.h"
#include "engine/eval.h"
#include "engine/ipset.h"

namespace iptsim {

struct HostModel;  // engine/host.h

struct RunSettings {
  std::map<std::string, bool> assumptions;  // --assume NAME=true|false
  std::optional<uint64_t> seed;             // --seed N
  const HostModel* host = nullptr;          // --host FILE (owned by the caller)
  // What NAT needs from the host model (MASQUERADE, REDIRECT); unset: taken
  // from `host` when there is one, else those targets stop as unknown.
  ConntrackHostHooks ct_host;
  const IpsetDb* ipsets = nullptr;          // --ipset FILE...: the run works on a copy
};

// The host the packet crosses (addresses, routes), when the user gave one
// (--host); nullptr: no host model (addrtype, rpfilter... stay unknown).
inline const HostModel* HostOf(const EvalContext& ctx) {
  return ctx.settings ? ctx.settings->host : nullptr;
}
// --assume NAME=true|false: the decision for matches that cannot be
// evaluated (key: extension name, e.g. "cgroup", "statistic"); nullptr: none.
inline const std::map<std::string, bool>* AssumptionsOf(const EvalContext& ctx) {
  return ctx.settings ? &ctx.settings->assumptions : nullptr;
}

}  // namespace iptsim
