// Shared value readers and writers for extensions: numbers as xtables reads
// them (strtoul base 0), ports and services, protocol names, mark/mask pairs,
// and iptables-save's quoting.  Extensions use these instead of rolling their
// own so every option accepts and prints the same syntax.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/diagnostics.h"
#include "base/numbers.h"
#include "engine/netaddr.h"
#include "engine/extension.h"

namespace iptsim {

// Whether a range reader accepts a start above its end.  iptables 1.8.9 and
// the kernel load such a range for some options (udp/dccp ports, -m length,
// SPIs, ...; docs/loading.md): the kernel's "min <= v && v <= max"
// is then never true (always with '!').  Other options refuse it.
enum class RangeOrder { kStartNotAboveEnd, kAnyOrder };

// Convenience for extensions: parses args[i] as an unsigned in [min,max] and
// returns an error "invalid WHAT 'x'" with the caret on that argument.
Status ParseUIntArg(std::span<const Arg> args, int i, uint64_t min, uint64_t max,
                    std::string_view what, uint64_t* out);
template <typename T>
Status ParseUIntArgT(std::span<const Arg> args, int i, uint64_t min, uint64_t max,
                     std::string_view what, T* out) {
  uint64_t v = 0;
  Status s = ParseUIntArg(args, i, min, max, what, &v);
  if (s.ok()) *out = static_cast<T>(v);
  return s;
}

// A port number or a service name for protocol `proto` ("tcp", "udp", ...;
// empty: any).  Names resolve through the embedded /etc/services table.
bool ParsePort(std::string_view text, std::string_view proto, uint16_t* out);
// "A", "A:B", "A:", ":B", ":" (iptables' port ranges; A > B is an error
// unless `order` allows it).
Status ParsePortRange(std::string_view text, std::string_view proto, uint16_t* lo, uint16_t* hi,
                      RangeOrder order = RangeOrder::kStartNotAboveEnd);

// Protocol names (/etc/protocols, as shipped by Debian's netbase).
// Returns the name iptables-save prints for a protocol number ("" if none).
std::string_view ProtoName(uint8_t proto);
// Parses -p's argument (name, any case folded by the caller, or number);
// "all" is 0.
bool ParseProtocol(std::string_view text, uint8_t* out);
// The name iptables gives a protocol number when it loads the matching
// extension implicitly ("-p 6 --dport 22" loads "tcp"): libxtables' own
// names first (tcp, sctp, udp, udplite, icmp, icmpv6, esp, ah, ipv6-mh), then
// /etc/protocols; "" if none.
std::string_view ProtoMatchName(uint8_t proto);

// "VALUE[/MASK]" with both numbers as ParseUInt reads them; MASK defaults to
// `default_mask`.
bool ParseValueMask(std::string_view text, uint32_t* value, uint32_t* mask,
                    uint32_t default_mask = 0xffffffff);

// "0x%x".
std::string Hex(uint64_t v);

// iptables-save's xtables_save_string: bare if only [A-Za-z0-9_-] and
// non-empty, otherwise "..." with \ before every ", \ and '.
std::string SaveString(std::string_view s);

// Appends " --NAME" (with "! " first when invert) to out.
void SaveOpt(std::string& out, std::string_view name, bool invert = false);
// Appends " --NAME VALUE" (with "! " first when invert).
void SaveOpt(std::string& out, std::string_view name, std::string_view value, bool invert = false);
// Without this, a string literal value would pick the (name, bool) overload.
void SaveOpt(std::string& out, std::string_view name, const char* value, bool invert = false);

}  // namespace iptsim
