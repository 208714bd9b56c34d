// A port range option as the tcp, udp, udplite, dccp and sctp matches store
// it (min, max, invert), with their shared parse and save rules.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/extension.h"
#include "engine/predicate.h"
#include "matchers/parse_util.h"

namespace iptsim {

struct PortRange {
  uint16_t lo = 0;
  uint16_t hi = 65535;
  bool invert = false;
  bool given = false;

  // Parses "A[:B]" for protocol `proto` (service names); the caret goes on args[0].
  // `order`: udp and dccp load a reversed range (iptables 1.8.9), tcp and
  // sctp refuse it.
  Status Parse(std::span<const Arg> args, std::string_view proto, bool inv,
               std::string_view option, RangeOrder order = RangeOrder::kStartNotAboveEnd);
  // " [!] --NAME A[:B]", printed unless it is the full range and not inverted
  // (as libxt_tcp's save does).
  void Save(std::string& out, std::string_view name) const;
  bool Contains(uint16_t port) const { return (port >= lo && port <= hi) != invert; }
  // Contains as a predicate over the port field `f` (True when not given).
  Pred Describe(Field f) const;
};

}  // namespace iptsim
