// What the two host file formats (loader/host_file.h) share: the file's text
// with its errors as file:line:col diagnostics, and the syntax of the values
// both write (interface names, MACs, addresses and prefixes, numbers,
// sysctl keys).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "base/diagnostics.h"
#include "base/status.h"
#include "engine/host.h"
#include "engine/netaddr.h"

namespace iptsim::host_file {

// The text of a host file being read, and where its errors go.
struct Source {
  std::string_view text;
  const std::string& file;
  DiagnosticSink* diags;
  bool failed = false;

  // An error about the `len` bytes at byte `offset` of the text.
  void ErrorAt(size_t offset, size_t len, std::string msg);
  // An error about `token`, a view into the text.
  void Error(std::string_view token, std::string msg) { ErrorAt(Off(token), token.size(), std::move(msg)); }
  size_t Off(std::string_view token) const { return static_cast<size_t>(token.data() - text.data()); }
};

// 'text' for a message, control characters as \xNN.
std::string Quote(std::string_view s);

// A name the kernel takes for a device (1-15 bytes, no '/', ':', ',', '='
// or blanks; the last three are the native format's separators).
bool ValidIfname(std::string_view n);

// 1-20 decimal digits, at most `max`.
bool ParseDecimal(std::string_view s, uint64_t max, uint64_t* out);

// The family an address is written in: IPv6 when it has a ':'.
Family FamilyOf(std::string_view addr);

// An address of family `f`.  IPv4 is iptables' dotted quad (ParseIpAddr:
// parts in decimal, octal or hex, "1.2.3" is 1.2.3.0); IPv6 is inet_pton's
// syntax, read by Boost.Asio's make_address_v6.
bool ParseHostAddr(Family f, std::string_view text, IpAddr* out);

// ADDR[/LEN] with the address's host bits kept (an IPv4 address needs all
// four parts).
Status ParseCidr(std::string_view text, HostAddr* out);

// A sysctl name as written under /proc/sys, with '.' or '/' between parts.
bool ValidSysctlKey(std::string_view k);

}  // namespace iptsim::host_file
