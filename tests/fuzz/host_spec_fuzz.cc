// libFuzzer target for the host file of `iptsim verify --host`
// (verifier/host_spec.h): any bytes are parsed; nothing may crash or trip a
// sanitizer, an error must have a line and column inside the text, and an
// accepted file must give a valid lab spec that prints back to a file
// parsing to the same spec.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "verifier/host_spec.h"

using namespace iptsim;
using namespace iptsim::verifier;

namespace {

std::string Print(const LabSpec& s) {
  std::string out;
  for (const LabInterface& i : s.interfaces) {
    out += "iface " + i.name;
    if (!i.mac.empty()) out += ",mac=" + i.mac;
    if (!i.peer_mac.empty()) out += ",peer=" + i.peer_mac;
    for (const std::string& a : i.addresses) out += ",addr=" + a;
    if (i.mtu) out += ",mtu=" + std::to_string(i.mtu);
    if (i.tun) out += ",tun";
    out += "\n";
  }
  for (const std::string& r : s.routes) out += "route " + r + "\n";
  out += s.ip_forward ? "forward on\n" : "forward off\n";
  for (const auto& [k, v] : s.sysctls) out += "sysctl " + k + "=" + v + "\n";
  return out;
}

bool Same(const LabSpec& a, const LabSpec& b) {
  if (a.interfaces.size() != b.interfaces.size() || a.routes != b.routes ||
      a.ip_forward != b.ip_forward || a.sysctls != b.sysctls) {
    return false;
  }
  for (size_t i = 0; i < a.interfaces.size(); ++i) {
    const LabInterface& x = a.interfaces[i];
    const LabInterface& y = b.interfaces[i];
    if (x.name != y.name || x.mac != y.mac || x.peer_mac != y.peer_mac ||
        x.addresses != y.addresses || x.tun != y.tun || x.mtu != y.mtu) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  LabSpec spec;
  Diagnostic d;
  if (!ParseHostSpec(text, "fuzz", &spec, &d)) {
    if (d.line == 0 || d.col == 0 || d.col > d.source_line.size() + 1 || d.message.empty()) abort();
    return 0;
  }
  if (!ValidateLabSpec(spec).empty() && spec.interfaces.size() < 63) abort();  // else: too many
  LabSpec again;
  if (!ParseHostSpec(Print(spec), "printed", &again, &d)) abort();
  if (!Same(spec, again)) abort();
  return 0;
}
