#include "symbolic/tracked_states.h"

#include "engine/packet_builder.h"
#include "engine/simulator.h"
#include "engine/trace.h"
#include "loader/loader.h"
#include "symbolic/space.h"

namespace iptsim::symbolic {

namespace {


// The state the packet has once conntrack has seen it.
class StateProbe : public TraceObserver {
 public:
  void OnConntrack(Hook, const CtRef& ct, bool after_nat) override {
    if (!after_nat) state = CtStateOfRef(&ct);
  }
  CtStateValue state = kCtInvalid;
};

}  // namespace

int TrackedStates::Kind(uint32_t proto, Family family) {
  if (proto == 6) return 0;
  if (proto == (family == Family::kIPv4 ? 1u : 58u)) return 1;
  return 2;
}

TrackedStates::TrackedStates(Family family) : family_(family) {
  // A ruleset that turns conntrack on and decides nothing.
  const char* text = family == Family::kIPv4
                         ? "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m state --state NEW\nCOMMIT\n"
                         : "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m state --state NEW\nCOMMIT\n";
  LoadOptions options;
  options.family = family;
  LoadResult loaded = LoadRuleset(text, "<conntrack probe>", options);
  for (int kind = 0; kind < 3; ++kind)
    for (uint32_t detail = 0; detail < 256; ++detail)
      for (uint32_t a = 0; a < kNumCtStates; ++a) {
        if (kind == 2 && (Kind(detail, family) != 2 || !IsBuildableProtocol(detail, family)))
          continue;
        PacketSpec spec;
        spec.family = family;
        spec.in = "eth0";
        if (kind == 0) {
          spec.proto = 6;
          spec.tcp_flags = static_cast<uint16_t>(detail);
        } else if (kind == 1) {
          spec.proto = static_cast<uint8_t>(family == Family::kIPv4 ? 1 : 58);
          spec.icmp_type = static_cast<uint8_t>(detail);
        } else {
          spec.proto = static_cast<uint8_t>(detail);
        }
        spec.ctstate = CtStateName(a);
        Packet pkt = BuildPacket(spec);
        Simulator sim(loaded.ruleset, RunSettings{});
        StateProbe probe;
        sim.Run(pkt, &probe);
        seen_[kind][detail][a] = static_cast<uint8_t>(probe.state);
      }
}

std::string TrackedStates::AssumptionFor(uint32_t proto, uint32_t detail, uint32_t seen) const {
  const int kind = Kind(proto, family_);
  const uint32_t d = kind == 2 ? proto : detail;
  if (d > 255 || seen >= kNumCtStates) return "";
  for (uint32_t a = 0; a < kNumCtStates; ++a)
    if (seen_[kind][d][a] == seen) return std::string(CtStateName(a));
  return "";
}

}  // namespace iptsim::symbolic
