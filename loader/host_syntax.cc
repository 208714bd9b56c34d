#include "loader/host_syntax.h"

#include <netinet/in.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <utility>


#include "base/numbers.h"

namespace iptsim::host_file {

void Source::ErrorAt(size_t offset, size_t len, std::string msg) {
  failed = true;
  Diagnostic d;
  d.file = file;
  offset = std::min(offset, text.size());
  d.line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset; ++i)
    if (text[i] == '\n') {
      ++d.line;
      line_start = i + 1;
    }
  d.col = static_cast<uint32_t>(offset - line_start + 1);
  d.len = static_cast<uint32_t>(std::max<size_t>(1, len));
  d.message = std::move(msg);
  size_t e = text.find('\n', line_start);
  std::string_view l =
      text.substr(line_start, e == std::string_view::npos ? std::string_view::npos : e - line_start);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  d.source_line = std::string(l);
  // Keep the source line printable (the fuzzer feeds anything).
  for (char& c : d.source_line)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') c = '?';
  diags->Add(std::move(d));
}

std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char buf[8];
      snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "'";
}

bool ValidIfname(std::string_view n) {
  if (n.empty() || n.size() > 15 || n == "." || n == "..") return false;
  for (char c : n)
    if (c == '/' || c == ':' || c == ',' || c == '=' || static_cast<unsigned char>(c) <= ' ' ||
        c == 0x7f)
      return false;
  return true;
}

bool ParseDecimal(std::string_view s, uint64_t max, uint64_t* out) {
  // More than 20 characters (leading zeros) was always refused here.
  if (s.size() > 20) return false;
  return ParseUIntDec(s, 0, max, out);
}

Family FamilyOf(std::string_view addr) {
  return addr.find(':') != std::string_view::npos ? Family::kIPv6 : Family::kIPv4;
}


// ParseIpAddr: IPv6 is inet_pton's syntax, read by Boost.Asio; IPv4 is not
// (make_address_v4 is inet_pton's strict dotted quad, while the host files
// have always taken iptables': "010.0.0.1" is 8.0.0.1).
bool ParseHostAddr(Family f, std::string_view text, IpAddr* out) {
  return ParseIpAddr(f, text, out);
}

// Not make_network_v4/v6: the IPv4 address is iptables' syntax (above), and
// the prefix length is read here because make_network_v6 takes any run of
// digits with atoi (overflowing on long ones) and gives one error for the
// address and the length, where the message here tells them apart.
Status ParseCidr(std::string_view text, HostAddr* out) {
  size_t slash = text.find('/');
  std::string_view a = text.substr(0, slash);
  Family f = FamilyOf(a);
  HostAddr h;
  h.family = f;
  if (!ParseHostAddr(f, a, &h.addr) || (f == Family::kIPv4 && std::count(a.begin(), a.end(), '.') != 3)) {
    return Status::Error("invalid address " + Quote(a));
  }
  h.prefix_len = f == Family::kIPv4 ? 32 : 128;
  if (slash != std::string_view::npos) {
    uint64_t len;
    if (!ParseDecimal(text.substr(slash + 1), f == Family::kIPv4 ? 32 : 128, &len)) {
      return Status::Error("invalid prefix length " + Quote(text.substr(slash + 1)) + " (0-" +
                           (f == Family::kIPv4 ? "32" : "128") + ")");
    }
    h.prefix_len = static_cast<int>(len);
  }
  *out = h;
  return Status();
}

bool ValidSysctlKey(std::string_view k) {
  if (k.empty() || k.size() > 200 || k.front() == '.' || k.back() == '.') return false;
  for (char c : k)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' || c == '/'))
      return false;
  return true;
}

}  // namespace iptsim::host_file
