#include "matchers/nat_range.h"

#include "matchers/nat_values.h"
#include "matchers/parse_util.h"

namespace iptsim {

namespace {

constexpr uint8_t kProtoIcmp = 1, kProtoTcp = 6, kProtoUdp = 17, kProtoDccp = 33, kProtoSctp = 132;

// A port alone may be a service name (any protocol, as getservbyname(name,
// NULL) in xtables_service_to_port).
bool ServicePort(std::string_view text, uint16_t* out) {
  uint64_t dummy;
  if (ParseUInt(text, 0, UINT64_MAX, &dummy)) return false;  // numbers are not names
  return ParsePort(text, "", out);
}

// A number min..65535 at the start of `text` (xtables_strtoul), or else the
// whole text as a service name; *end is just past what was read.
bool PortOrService(std::string_view text, uint64_t min, uint64_t* port, size_t* end) {
  if (XtStrtoulPrefix(text, min, 65535, port, end)) return true;
  uint16_t p;
  if (!ServicePort(text, &p)) return false;
  *port = p;
  *end = text.size();
  return true;
}

}  // namespace

bool NatPortsAllowed(const IpHeaderMatch* ip) {
  if (!ip) return false;
  uint8_t p = ip->proto;
  return p == kProtoTcp || p == kProtoUdp || p == kProtoSctp || p == kProtoDccp || p == kProtoIcmp;
}

Status ParseNatPorts(std::string_view arg, const IpHeaderMatch* ip, NatRange* r) {
  if (!NatPortsAllowed(ip)) {
    return Status::Error(
        "a port needs '-p tcp', '-p udp', '-p sctp' or '-p dccp' before this option (the rule "
        "has " +
        (ip ? RuleProtoText(*ip) : std::string("no -p")) + " here)");
  }
  r->flags |= kNatProtoSpecified;
  const std::string whole(arg);
  uint64_t port;
  size_t end;
  if (!PortOrService(arg, 0, &port, &end)) {
    return Status::Error("invalid port '" + whole + "' (expected 0..65535 or a service name)");
  }
  if (end == arg.size()) {
    r->min_port = r->max_port = static_cast<uint16_t>(port);
    return Status();
  }
  if (arg[end] == ':') {
    return Status::Error("invalid port range '" + whole + "': write PORT-PORT, with a dash");
  }
  if (arg[end] != '-') {
    return Status::Error("invalid port '" + whole + "': unexpected '" +
                         std::string(arg.substr(end)) + "' after the port");
  }
  // The end of a range must be a number (no service names).
  std::string_view hi_text = arg.substr(end + 1);
  uint64_t maxport;
  size_t end2;
  if (!XtStrtoulPrefix(hi_text, 0, 65535, &maxport, &end2)) {
    return Status::Error("invalid port '" + std::string(hi_text) + "' in range '" + whole +
                         "' (expected 0..65535)");
  }
  if (maxport < port) {
    return Status::Error("invalid port range '" + whole + "': start is greater than end");
  }
  r->min_port = static_cast<uint16_t>(port);
  r->max_port = static_cast<uint16_t>(maxport);
  if (end2 == hi_text.size()) return Status();
  if (hi_text[end2] != '/') {
    return Status::Error("invalid port range '" + whole + "': unexpected '" +
                         std::string(hi_text.substr(end2)) + "' after the range");
  }
  // "/BASE": a shifted port map.  Like xtables, anything after the number
  // is ignored.
  std::string_view base_text = hi_text.substr(end2 + 1);
  uint64_t base;
  size_t end3;
  if (!PortOrService(base_text, 1, &base, &end3)) {
    return Status::Error("invalid base port '" + std::string(base_text) + "' in '" + whole +
                         "' (expected 1..65535 or a service name)");
  }
  r->flags |= kNatProtoOffset;
  r->base_port = static_cast<uint16_t>(base);
  return Status();
}

Status ParseNatTo(std::string_view arg, Family f, const IpHeaderMatch* ip, NatRange* r) {
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
      return Status::Error("invalid address '" + std::string(arg) +
                           "': brackets are only for IPv6 addresses");
    }
    if (rb == std::string_view::npos) {
      return Status::Error("invalid address '" + std::string(arg) + "': '[' without a closing ']'");
    }
    ip_end = rb;
    colon = arg.find(':', rb + 1);
  }
  if (colon != std::string_view::npos) {
    if (Status s = ParseNatPorts(arg.substr(colon + 1), ip, r); !s.ok()) return s;
    // Nothing, or "[]", before the colon: ports only.
    if (colon == 0 || colon == 2) return Status();
  }
  r->flags |= kNatMapIps;
  std::string_view ips = arg.substr(start, ip_end - start);
  size_t dash = ips.find('-');
  std::string_view lo = ips.substr(0, dash);
  const char* fam = f == Family::kIPv4 ? "IPv4" : "IPv6";
  if (!InetPton(f, lo, &r->min_addr)) {
    return Status::Error("invalid " + std::string(fam) + " address '" + std::string(lo) + "'");
  }
  if (dash == std::string_view::npos) {
    r->max_addr = r->min_addr;
    return Status();
  }
  std::string_view hi = ips.substr(dash + 1);
  if (!InetPton(f, hi, &r->max_addr)) {
    return Status::Error("invalid " + std::string(fam) + " address '" + std::string(hi) + "'");
  }
  return Status();
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

namespace {

// The NatRange flag of a flag option, by the name SaveNatFlags prints.
uint32_t NatFlagOfOption(std::string_view name) {
  if (name == "random") return kNatProtoRandom;
  if (name == "random-fully") return kNatProtoRandomFully;
  if (name == "persistent") return kNatPersistent;
  return 0;
}

}  // namespace

Status NatTarget::Parse(int option, bool, std::span<const Arg> args, const ParseContext& ctx) {
  const std::string_view name = info().options[option].name;
  if (seen_ & (1u << option))
    return Status::Error("'--" + std::string(name) + "' may be given only once");
  seen_ |= 1u << option;
  if (option == 0) return ParseRange(args[0].text, ctx);
  range_.flags |= NatFlagOfOption(name);
  return {};
}

Status NatTarget::Finish(const ParseContext&) {
  if (range_required_ && !(seen_ & 1u))
    return Status::Error("'--" + std::string(info().options[0].name) + "' is required");
  return {};
}

void NatTarget::Save(std::string& out, const SaveContext& ctx) const {
  std::string r = FormatRange(ctx.family);
  if (!r.empty()) SaveOpt(out, info().options[0].name, r);
  SaveNatFlags(out, range_.flags);
}

Status NatTarget::ParseAddrsAndPorts(std::string_view text, const ParseContext& ctx) {
  if (Status s = ParseNatTo(text, ctx.family, ctx.ip, &range_); !s.ok())
    return Status::Error(s.message(), 0);
  return {};
}

Status NatTarget::ParsePorts(std::string_view text, const ParseContext& ctx) {
  if (Status s = ParseNatPorts(text, ctx.ip, &range_); !s.ok())
    return Status::Error(s.message(), 0);
  return {};
}

TargetEffect NatTarget::NatEffect(Field field, bool addr_from_range) const {
  TargetEffect e;
  e.kind = TargetEffect::Kind::kNat;
  e.field = field;
  e.nat_known = addr_from_range && (range_.flags & kNatMapIps);
  if (e.nat_known) {
    e.nat_lo = range_.min_addr;
    e.nat_hi = range_.max_addr;
  }
  if (range_.flags & kNatProtoSpecified) {
    e.port_lo = range_.min_port;
    e.port_hi = range_.max_port;
  }
  return e;
}

}  // namespace iptsim
