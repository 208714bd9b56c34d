#include "matchers/nat_range.h"

#include <arpa/inet.h>

#include <cstring>

#include "matchers/nat_values.h"
#include "matchers/parse_util.h"

namespace iptsim {

namespace {

constexpr uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17, kProtoDccp = 33, kProtoSctp = 132;

bool InetPton(Family f, std::string_view text, IpAddr* out) {
  std::string s(text);
  *out = IpAddr{};
  if (f == Family::kIPv4) {
    in_addr a;
    if (inet_pton(AF_INET, s.c_str(), &a) != 1) return false;
    memcpy(out->b.data(), &a, 4);
    return true;
  }
  in6_addr a;
  if (inet_pton(AF_INET6, s.c_str(), &a) != 1) return false;
  memcpy(out->b.data(), &a, 16);
  return true;
}

// A port alone may be a service name (any protocol, as getservbyname(name,
// NULL) in xtables_service_to_port).
bool ServicePort(std::string_view text, uint16_t* out) {
  uint64_t dummy;
  if (ParseUInt(text, 0, UINT64_MAX, &dummy)) return false;  // numbers are not names
  return ParsePort(text, "", out);
}

}  // namespace

bool NatPortsAllowed(const IpHeaderMatch* ip) {
  if (!ip) return false;
  uint8_t p = ip->proto;
  return p == kProtoTcp || p == kProtoUdp || p == kProtoSctp || p == kProtoDccp || p == kProtoIcmp;
}

bool ParseNatPorts(std::string_view arg, const IpHeaderMatch* ip, NatRange* r, std::string* why) {
  if (!NatPortsAllowed(ip)) {
    *why =
        "a port needs '-p tcp', '-p udp', '-p sctp' or '-p dccp' before this option (the rule "
        "has " +
        (ip ? RuleProtoText(*ip) : std::string("no -p")) + " here)";
    return false;
  }
  r->flags |= kNatProtoSpecified;
  const std::string whole(arg);
  uint64_t port;
  size_t end;
  if (!XtStrtoulPrefix(arg, 0, 65535, &port, &end)) {
    uint16_t p;
    if (!ServicePort(arg, &p)) {
      *why = "invalid port '" + whole + "' (expected 0..65535 or a service name)";
      return false;
    }
    port = p;
    end = arg.size();
  }
  if (end == arg.size()) {
    r->min_port = r->max_port = static_cast<uint16_t>(port);
    return true;
  }
  if (arg[end] == ':') {
    *why = "invalid port range '" + whole + "': write PORT-PORT, with a dash";
    return false;
  }
  if (arg[end] != '-') {
    *why = "invalid port '" + whole + "': unexpected '" + std::string(arg.substr(end)) +
           "' after the port";
    return false;
  }
  // The end of a range must be a number (no service names).
  std::string_view hi_text = arg.substr(end + 1);
  uint64_t maxport;
  size_t end2;
  if (!XtStrtoulPrefix(hi_text, 0, 65535, &maxport, &end2)) {
    *why =
        "invalid port '" + std::string(hi_text) + "' in range '" + whole + "' (expected 0..65535)";
    return false;
  }
  if (maxport < port) {
    *why = "invalid port range '" + whole + "': start is greater than end";
    return false;
  }
  r->min_port = static_cast<uint16_t>(port);
  r->max_port = static_cast<uint16_t>(maxport);
  if (end2 == hi_text.size()) return true;
  if (hi_text[end2] != '/') {
    *why = "invalid port range '" + whole + "': unexpected '" + std::string(hi_text.substr(end2)) +
           "' after the range";
    return false;
  }
  // "/BASE": a shifted port map.  Like xtables, anything after the number
  // is ignored.
  std::string_view base_text = hi_text.substr(end2 + 1);
  uint64_t base;
  size_t end3;
  if (!XtStrtoulPrefix(base_text, 1, 65535, &base, &end3)) {
    uint16_t p;
    if (!ServicePort(base_text, &p)) {
      *why = "invalid base port '" + std::string(base_text) + "' in '" + whole +
             "' (expected 1..65535 or a service name)";
      return false;
    }
    base = p;
  }
  r->flags |= kNatProtoOffset;
  r->base_port = static_cast<uint16_t>(base);
  return true;
}

bool ParseNatTo(std::string_view arg, Family f, const IpHeaderMatch* ip, NatRange* r,
                std::string* why) {
  // Positions follow libxt_NAT's parse_to: without '[', one ':' starts the
  // ports (two or more make an IPv6 address); with '[', the ports follow
  // the ']'.
  size_t start, ip_end;
  size_t colon = std::string_view::npos;
  size_t lb = arg.find('[');
  if (lb == std::string_view::npos) {
    start = 0;
    colon = arg.find(':');
    if (colon != std::string_view::npos && arg.find(':', colon + 1) != std::string_view::npos)
      colon = std::string_view::npos;
    ip_end = colon == std::string_view::npos ? arg.size() : colon;
  } else {
    start = lb + 1;
    size_t rb = arg.find(']', start);
    if (f == Family::kIPv4) {
      *why = "invalid address '" + std::string(arg) + "': brackets are only for IPv6 addresses";
      return false;
    }
    if (rb == std::string_view::npos) {
      *why = "invalid address '" + std::string(arg) + "': '[' without a closing ']'";
      return false;
    }
    ip_end = rb;
    colon = arg.find(':', rb + 1);
  }
  if (colon != std::string_view::npos) {
    if (!ParseNatPorts(arg.substr(colon + 1), ip, r, why)) return false;
    // Nothing, or "[]", before the colon: ports only.
    if (colon == 0 || colon == 2) return true;
  }
  r->flags |= kNatMapIps;
  std::string_view ips = arg.substr(start, ip_end - start);
  size_t dash = ips.find('-');
  std::string_view lo = ips.substr(0, dash);
  const char* fam = f == Family::kIPv4 ? "IPv4" : "IPv6";
  if (!InetPton(f, lo, &r->min_addr)) {
    *why = "invalid " + std::string(fam) + " address '" + std::string(lo) + "'";
    return false;
  }
  if (dash == std::string_view::npos) {
    r->max_addr = r->min_addr;
    return true;
  }
  std::string_view hi = ips.substr(dash + 1);
  if (!InetPton(f, hi, &r->max_addr)) {
    *why = "invalid " + std::string(fam) + " address '" + std::string(hi) + "'";
    return false;
  }
  return true;
}

std::string FormatNatRange(const NatRange& r, Family f, bool skip_colon) {
  std::string s;
  bool brackets = f == Family::kIPv6 && (r.flags & kNatProtoSpecified);
  if (r.flags & kNatMapIps) {
    if (brackets) s += '[';
    s += FormatIpAddr(f, r.min_addr);
    if (!(r.min_addr == r.max_addr)) s += "-" + FormatIpAddr(f, r.max_addr);
    if (brackets) s += ']';
  }
  if (r.flags & kNatProtoSpecified) {
    if (!(skip_colon && s.empty())) s += ':';
    s += std::to_string(r.min_port);
    if (r.max_port != r.min_port) s += "-" + std::to_string(r.max_port);
    if (r.flags & kNatProtoOffset) s += "/" + std::to_string(r.base_port);
  }
  return s;
}

void SaveNatFlags(std::string& out, uint32_t flags) {
  if (flags & kNatProtoRandom) out += " --random";
  if (flags & kNatProtoRandomFully) out += " --random-fully";
  if (flags & kNatPersistent) out += " --persistent";
}

}  // namespace iptsim
