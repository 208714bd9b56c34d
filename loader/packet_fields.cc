// Each packet option's value, read into the PacketSpec's fields: addresses,
// interfaces, ports, protocol, TCP flags, ICMP types and codes, header
// fields, option bytes, payload, metadata.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>


#include "base/mac.h"
#include "loader/packet_spec_internal.h"
#include "matchers/icmp_types.h"
#include "matchers/parse_util.h"

namespace iptsim::packet_options {
namespace {

std::string Lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return r;
}

std::string Upper(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  return r;
}

// ParseIpAddr: IPv6 in inet_pton's syntax (read by Boost.Asio); IPv4 in
// iptables' ("10.1" is 10.1.0.0, octal and hex parts), which inet_pton refuses.
bool ReadAddress(Family f, std::string_view text, IpAddr* out) { return ParseIpAddr(f, text, out); }

bool ParseHex(std::string_view text, std::vector<uint8_t>* out, std::string* why) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
    text.remove_prefix(2);
  std::vector<uint8_t> bytes;
  int nibble = -1;
  for (char c : text) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else if (c == ':' && nibble < 0) continue;
    else {
      *why = std::string("'") + c + "' is not a hex digit";
      return false;
    }
    if (nibble < 0) {
      nibble = v;
    } else {
      bytes.push_back(static_cast<uint8_t>(nibble << 4 | v));
      nibble = -1;
    }
  }
  if (nibble >= 0) {
    *why = "odd number of hex digits";
    return false;
  }
  *out = std::move(bytes);
  return true;
}

constexpr std::pair<std::string_view, uint16_t> kTcpFlagNames[] = {
    {"FIN", tcpflag::kFin}, {"SYN", tcpflag::kSyn}, {"RST", tcpflag::kRst},
    {"PSH", tcpflag::kPsh}, {"ACK", tcpflag::kAck}, {"URG", tcpflag::kUrg},
    {"ECE", tcpflag::kEce}, {"CWR", tcpflag::kCwr}, {"AE", tcpflag::kAe},
    {"NS", tcpflag::kAe},   {"ALL", 0x3f},          {"NONE", 0},
};

bool ParseTcpFlagList(std::string_view text, uint16_t* out, std::string* why) {
  uint64_t num;
  if (ParseUInt(text, 0, 0xfff, &num)) {
    *out = static_cast<uint16_t>(num);
    return true;
  }
  uint16_t v = 0;
  while (true) {
    size_t comma = text.find(',');
    std::string w = Upper(text.substr(0, comma));
    bool found = false;
    for (const auto& [name, bit] : kTcpFlagNames)
      if (w == name) {
        v |= bit;
        found = true;
      }
    if (!found) {
      std::vector<std::string_view> names;
      for (const auto& [name, bit] : kTcpFlagNames) names.push_back(name);
      *why = "unknown TCP flag " + Quote(w);
      std::string near = Suggest(w, names);
      if (!near.empty()) *why += ", did you mean " + Quote(near) + "?";
      else *why += " (FIN SYN RST PSH ACK URG ECE CWR AE ALL NONE, or a number)";
      return false;
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  *out = v;
  return true;
}

constexpr std::string_view kCtStates[] = {"INVALID", "NEW",  "ESTABLISHED", "RELATED",
                                          "UNTRACKED", "SNAT", "DNAT"};

// --ctstate: comma-separated states, normalized to upper case.
Status ReadCtStates(std::string_view a, int a0, std::string* out) {
  std::string norm;
  std::string_view rest = a;
  while (true) {
    size_t comma = rest.find(',');
    std::string name = Upper(rest.substr(0, comma));
    bool ok = false;
    for (std::string_view n : kCtStates) ok = ok || name == n;
    if (!ok) {
      std::string msg = "unknown conntrack state " + Quote(rest.substr(0, comma));
      std::string near = Suggest(name, kCtStates);
      if (!near.empty()) msg += ", did you mean " + Quote(near) + "?";
      else msg += " (INVALID, NEW, ESTABLISHED, RELATED, UNTRACKED, SNAT, DNAT)";
      return Status::Error(msg, a0);
    }
    if (!norm.empty()) norm += ',';
    norm += name;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  *out = norm;
  return Status();
}

struct ExtHdrName {
  std::string_view name;
  ExtHdr hdr;
};
constexpr ExtHdrName kExtHdrNames[] = {
    {"hbh", ExtHdr::kHopByHop}, {"hop", ExtHdr::kHopByHop},  {"hop-by-hop", ExtHdr::kHopByHop},
    {"dst", ExtHdr::kDstOpts},  {"dstopts", ExtHdr::kDstOpts}, {"rt", ExtHdr::kRouting},
    {"route", ExtHdr::kRouting}, {"routing", ExtHdr::kRouting}, {"frag", ExtHdr::kFragment},
    {"fragment", ExtHdr::kFragment}, {"ah", ExtHdr::kAh},     {"auth", ExtHdr::kAh},
};

// --ext-hdr: IPv6 extension headers in wire order.
Status ReadExtHdrs(std::string_view a, int a0, std::vector<ExtHdr>* out) {
  std::vector<ExtHdr> list;
  std::string_view rest = a;
  while (true) {
    size_t comma = rest.find(',');
    std::string name = Lower(rest.substr(0, comma));
    const ExtHdrName* found = nullptr;
    for (const ExtHdrName& e : kExtHdrNames)
      if (name == e.name) found = &e;
    if (!found) {
      std::vector<std::string_view> names;
      for (const ExtHdrName& e : kExtHdrNames) names.push_back(e.name);
      std::string msg = "unknown extension header " + Quote(name);
      std::string near = Suggest(name, names);
      if (!near.empty()) msg += ", did you mean " + Quote(near) + "?";
      else msg += " (hbh, dst, rt, frag, ah)";
      return Status::Error(msg, a0);
    }
    if (found->hdr == ExtHdr::kFragment &&
        std::find(list.begin(), list.end(), ExtHdr::kFragment) != list.end())
      return Status::Error("at most one fragment header in --ext-hdr", a0);
    list.push_back(found->hdr);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  *out = std::move(list);
  return Status();
}

// --payload TEXT / --payload-hex HEX.
Status ReadPayload(Opt id, std::string_view a, int a0, std::vector<uint8_t>* out) {
  std::vector<uint8_t> bytes;
  if (id == kPayload) {
    bytes.assign(a.begin(), a.end());
  } else {
    std::string why;
    if (!ParseHex(a, &bytes, &why))
      return Status::Error("invalid --payload-hex " + Quote(a) + ": " + why, a0);
  }
  if (bytes.size() > 0xffff)
    return Status::Error("payload of " + std::to_string(bytes.size()) +
                             " bytes is longer than an IP packet can be",
                         a0);
  *out = std::move(bytes);
  return Status();
}

// --time: seconds, a finite number from 0 to kMaxPacketTime (strtod's
// syntax, no leading blank).  The bound keeps the clocks derived from it
// (jiffies, nanoseconds) inside 64-bit integers.
Status ReadTime(std::string_view a, int a0, double* out) {
  std::string t(a);
  char* end = nullptr;
  double d = t.empty() ? -1 : strtod(t.c_str(), &end);
  if (t.empty() || *end || !std::isfinite(d) || d < 0 || d > kMaxPacketTime ||
      isspace(static_cast<unsigned char>(t[0])))
    return Status::Error("invalid time " + Quote(a) + " (seconds, a number from 0 to " +
                             std::to_string(static_cast<uint64_t>(kMaxPacketTime)) + ")",
                         a0);
  *out = d;
  return Status();
}

}  // namespace

// ---------------------------------------------------------------------------
// Value readers.

Status Parser::Number(std::string_view text, int at, uint64_t max, std::string_view what,
                      uint64_t* out) {
  if (ParseUInt(text, 0, max, out)) return Status();
  return Status::Error("invalid " + std::string(what) + " " + Quote(text) + " (0.." +
                           std::to_string(max) + ")",
                       at);
}

Status Parser::Address(std::string_view text, int at, IpAddr* out) {
  std::string_view addr = text;
  size_t slash = text.find('/');
  const int full = fam_ == Family::kIPv4 ? 32 : 128;
  if (slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    uint64_t len;
    if (!ParseUIntDec(text.substr(slash + 1), 0, 255, &len) || len != static_cast<uint64_t>(full))
      return Status::Error(Quote(text) + " is a network: a packet has one address (ADDR or ADDR/" +
                               std::to_string(full) + ")",
                           at);
  }
  if (ReadAddress(fam_, addr, out)) return Status();
  Family other = fam_ == Family::kIPv4 ? Family::kIPv6 : Family::kIPv4;
  IpAddr ignored;
  if (ReadAddress(other, addr, &ignored))
    return Status::Error(Quote(addr) + " is an " + (other == Family::kIPv4 ? "IPv4" : "IPv6") +
                             " address, but the packet is " +
                             (fam_ == Family::kIPv4 ? "IPv4" : "IPv6"),
                         at);
  return Status::Error("invalid " + std::string(fam_ == Family::kIPv4 ? "IPv4" : "IPv6") +
                           " address " + Quote(addr) + " (host names are not resolved)",
                       at);
}

Status Parser::Interface(std::string_view text, int at, std::string* out) {
  if (text.empty()) return Status::Error("empty interface name", at);
  if (text.size() > 15)
    return Status::Error("interface name " + Quote(text) + " is longer than 15 characters", at);
  if (text.back() == '+')
    return Status::Error("interface name " + Quote(text) +
                             " ends in '+': a packet passes one interface, give its name",
                         at);
  for (char c : text)
    if (c == '/' || isspace(static_cast<unsigned char>(c)))
      return Status::Error("invalid interface name " + Quote(text), at);
  *out = std::string(text);
  return Status();
}

Status Parser::Port(std::string_view text, int at, std::optional<uint16_t>* out) {
  uint16_t port;
  if (ParsePort(text, "", &port)) {
    *out = port;
    return Status();
  }
  if (text.find(':') != std::string_view::npos || text.find(',') != std::string_view::npos)
    return Status::Error("a packet has one port, not " + Quote(text), at);
  return Status::Error("invalid port " + Quote(text) + " (0..65535 or a service name)", at);
}

Status Parser::Protocol(std::string_view a, int a0, PacketSpec* s) {
  const bool v4 = fam_ == Family::kIPv4;
  std::string name = Lower(a);
  uint8_t p;
  if (!ParseProtocol(name, &p)) {
    static constexpr std::string_view kNames[] = {
        "tcp", "udp", "udplite", "icmp", "icmpv6", "ipv6-icmp", "sctp", "dccp",
        "esp", "ah",  "gre",     "igmp"};
    std::string msg = "unknown protocol " + Quote(a);
    std::string near = Suggest(name, kNames);
    if (!near.empty()) msg += ", did you mean " + Quote(near) + "?";
    return Status::Error(msg, a0);
  }
  if (p == 0 && (name == "all" || v4))
    return Status::Error(Quote(a) + " is not one protocol: a packet needs one (tcp, udp, icmp, "
                                    "a number...)",
                         a0);
  if (!v4 && p == ipproto::kIcmp)
    return Status::Error("-p " + std::string(a) +
                             " is IPv4's ICMP: an IPv6 packet uses -p icmpv6 (ipv6-icmp)",
                         a0);
  if (v4 && p == ipproto::kIcmpv6)
    return Status::Error("-p " + std::string(a) + " is for IPv6 packets (IPv4: -p icmp)", a0);
  if (!v4 && (p == ipproto::kHopOpts || p == ipproto::kRouting || p == ipproto::kFragment ||
              p == ipproto::kDstOpts))
    return Status::Error("protocol " + Quote(a) +
                             " is an IPv6 extension header: give it with --ext-hdr",
                         a0);
  s->proto = p;
  return Status();
}

// --tcp-option-hex / --ip-option-hex.
Status Parser::OptionBytes(Opt id, const std::string& opt_word, std::string_view a, int a0,
                           PacketSpec* s) {
  std::vector<uint8_t> bytes;
  std::string why;
  if (!ParseHex(a, &bytes, &why))
    return Status::Error("invalid " + opt_word + " " + Quote(a) + ": " + why, a0);
  if (bytes.size() > 40)
    return Status::Error(std::string(id == kTcpOptionHex ? "TCP" : "IP") +
                             " options are at most 40 bytes (" + Quote(a) + " has " +
                             std::to_string(bytes.size()) + ")",
                         a0);
  if (id == kIpOptionHex && fam_ != Family::kIPv4)
    return Status::Error("--ip-option-hex is for IPv4 packets (IPv6: --ext-hdr)", kOptWord);
  (id == kTcpOptionHex ? s->tcp_options : s->ip_options) = std::move(bytes);
  return Status();
}

// --icmp-type / --icmpv6-type: one type and code, by name or number.
Status Parser::IcmpType(Opt id, std::string_view a, int a0, PacketSpec* s) {
  const bool v4 = fam_ == Family::kIPv4;
  if (id == kIcmpType && !v4)
    return Status::Error("--icmp-type is for IPv4 packets (IPv6: --icmpv6-type)", kOptWord);
  if (id == kIcmpv6Type && v4)
    return Status::Error("--icmpv6-type is for IPv6 packets (IPv4: --icmp-type)", kOptWord);
  std::string lower = Lower(a);
  if (!lower.empty() && std::string_view("any").starts_with(lower))
    return Status::Error(Quote(a) + " is not one type: a packet has one ICMP type", a0);
  uint8_t type, cmin, cmax;
  if (Status s = ParseIcmpTypeArg(a, v4 ? IcmpV4TypeNames() : IcmpV6TypeNames(),
                                  v4 ? "ICMP" : "ICMPv6", &type, &cmin, &cmax);
      !s.ok())
    return Status::Error(s.message(), a0);
  bool code_given = a.find('/') != std::string_view::npos;
  if (code_given && cmin != cmax)
    return Status::Error("a packet has one ICMP code, not a range: " + Quote(a), a0);
  s->icmp_type = type;
  s->icmp_code = cmin;
  return Status();
}

// ---------------------------------------------------------------------------
// One option's value into the spec.

Status Parser::Handle(Opt id, const std::string& opt_word, std::span<const std::string_view> args,
                      std::span<const int> at, PacketSpec* s, Given& given) {
  if (IsMetadata(id)) return HandleMetadata(id, args, at, s);
  if (IsTransport(id)) return HandleTransport(id, opt_word, args, at, s, given);
  return HandleIpHeader(id, opt_word, args, at, s, given);
}

// The IP header (and what follows it as a whole: length, payload).
Status Parser::HandleIpHeader(Opt id, const std::string& opt_word,
                              std::span<const std::string_view> args, std::span<const int> at,
                              PacketSpec* s, Given& given) {
  const std::string_view a = args.empty() ? std::string_view() : args[0];
  const int a0 = at.empty() ? -1 : at[0];
  const bool v4 = fam_ == Family::kIPv4;
  uint64_t v = 0;
  Status st;
  switch (id) {
    case kSrc:
    case kDst: {
      IpAddr addr;
      if (!(st = Address(a, a0, &addr)).ok()) return st;
      (id == kSrc ? s->src : s->dst) = addr;
      return st;
    }
    case kProto: return Protocol(a, a0, s);
    case kTtl:
      if (!(st = Number(a, a0, 255, v4 ? "TTL" : "hop limit", &v)).ok()) return st;
      s->ttl = static_cast<uint8_t>(v);
      return st;
    case kTos:
      if (!(st = Number(a, a0, 255, v4 ? "TOS" : "traffic class", &v)).ok()) return st;
      s->tos = static_cast<uint8_t>(v);
      return st;
    case kId:
      if (!(st = Number(a, a0, v4 ? 0xffff : 0xffffffff,
                        v4 ? "IP ID" : "fragment identification", &v))
               .ok())
        return st;
      s->id = static_cast<uint32_t>(v);
      return st;
    case kDf:
      if (!v4) return Status::Error("--df is for IPv4 packets (IPv6 has no DF bit)", kOptWord);
      s->df = true;
      return st;
    case kCe:
      if (!v4) return Status::Error("--ce is for IPv4 packets", kOptWord);
      s->ce = true;
      return st;
    case kMf:
      s->mf = true;
      return st;
    case kFrag:
      if (!(st = Number(a, a0, 8191 * 8, "fragment offset", &v)).ok()) return st;
      if (v % 8)
        return Status::Error("fragment offset " + Quote(a) +
                                 " is not a multiple of 8 (the offset is in bytes)",
                             a0);
      s->frag_offset = static_cast<uint16_t>(v);
      return st;
    case kFlowLabel:
      if (v4) return Status::Error("--flowlabel is for IPv6 packets", kOptWord);
      if (!(st = Number(a, a0, 0xfffff, "flow label", &v)).ok()) return st;
      s->flowlabel = static_cast<uint32_t>(v);
      return st;
    case kIpOptionHex: return OptionBytes(id, opt_word, a, a0, s);
    case kExtHdr:
      if (v4)
        return Status::Error("--ext-hdr is for IPv6 packets (IPv4: --ip-option-hex)", kOptWord);
      return ReadExtHdrs(a, a0, &s->ext_hdrs);
    case kLen:
      if (!(st = Number(a, a0, v4 ? 0xffff : 0xffff + 40, "length", &v)).ok()) return st;
      s->len = static_cast<uint32_t>(v);
      return st;
    case kPayload:
    case kPayloadHex:
      if (given[kPayload] >= 0 && given[kPayloadHex] >= 0)
        return Status::Error("only one of --payload and --payload-hex", kOptWord);
      return ReadPayload(id, a, a0, &s->payload);
    default:
      return st;
  }
}

// The transport header: ports, TCP, ICMP, AH/ESP.
Status Parser::HandleTransport(Opt id, const std::string& opt_word,
                               std::span<const std::string_view> args, std::span<const int> at,
                               PacketSpec* s, Given& given) {
  const std::string_view a = args.empty() ? std::string_view() : args[0];
  const int a0 = at.empty() ? -1 : at[0];
  const bool v4 = fam_ == Family::kIPv4;
  uint64_t v = 0;
  Status st;
  switch (id) {
    case kSport: return Port(a, a0, &s->sport);
    case kDport: return Port(a, a0, &s->dport);
    case kSyn:
      if (given[kTcpFlags] >= 0)
        return Status::Error("only one of --syn and --tcp-flags", kOptWord);
      s->tcp_flags = tcpflag::kSyn;
      return st;
    case kTcpFlags: {
      if (given[kSyn] >= 0)
        return Status::Error("only one of --syn and --tcp-flags", kOptWord);
      uint16_t mask, comp;
      std::string why;
      if (!ParseTcpFlagList(args[0], &mask, &why)) return Status::Error(why, at[0]);
      if (!ParseTcpFlagList(args[1], &comp, &why)) return Status::Error(why, at[1]);
      s->tcp_flags = comp;
      return st;
    }
    case kSeq:
      if (!(st = Number(a, a0, 0xffffffff, "sequence number", &v)).ok()) return st;
      s->seq = static_cast<uint32_t>(v);
      return st;
    case kAck:
      if (!(st = Number(a, a0, 0xffffffff, "acknowledgement number", &v)).ok()) return st;
      s->ack = static_cast<uint32_t>(v);
      return st;
    case kWindow:
      if (!(st = Number(a, a0, 0xffff, "window", &v)).ok()) return st;
      s->window = static_cast<uint16_t>(v);
      return st;
    case kUrgp:
      if (!(st = Number(a, a0, 0xffff, "urgent pointer", &v)).ok()) return st;
      s->urgp = static_cast<uint16_t>(v);
      return st;
    case kTcpOptionHex: return OptionBytes(id, opt_word, a, a0, s);
    case kIcmpType:
    case kIcmpv6Type: return IcmpType(id, a, a0, s);
    case kIcmpId:
    case kIcmpSeq:
      if (!(st = Number(a, a0, 0xffff, id == kIcmpId ? "ICMP id" : "ICMP sequence", &v)).ok())
        return st;
      (id == kIcmpId ? s->icmp_id : s->icmp_seq) = static_cast<uint16_t>(v);
      return st;
    case kMtu:
      if (!(st = Number(a, a0, v4 ? 0xffff : 0xffffffff, "MTU", &v)).ok()) return st;
      s->mtu = static_cast<uint32_t>(v);
      return st;
    case kPointer:
      if (!(st = Number(a, a0, v4 ? 0xff : 0xffffffff, "pointer", &v)).ok()) return st;
      s->pointer = static_cast<uint32_t>(v);
      return st;
    case kGateway: {
      if (!v4) return Status::Error("--gateway is for IPv4 ICMP redirects", kOptWord);
      IpAddr gw;
      if (!(st = Address(a, a0, &gw)).ok()) return st;
      s->gateway = gw;
      return st;
    }
    case kSpi:
      if (!(st = Number(a, a0, 0xffffffff, "SPI", &v)).ok()) return st;
      s->spi = static_cast<uint32_t>(v);
      return st;
    default:
      return st;
  }
}

// What the skb carries besides the datagram.
Status Parser::HandleMetadata(Opt id, std::span<const std::string_view> args,
                              std::span<const int> at, PacketSpec* s) {
  const std::string_view a = args.empty() ? std::string_view() : args[0];
  const int a0 = at.empty() ? -1 : at[0];
  uint64_t v = 0;
  Status st;
  switch (id) {
    case kIn: return Interface(a, a0, &s->in);
    case kOut: return Interface(a, a0, &s->out);
    case kPhysIn: return Interface(a, a0, &s->phys_in);
    case kPhysOut: return Interface(a, a0, &s->phys_out);
    case kMacSrc:
    case kMacDst:
      if (!ParseMacEtherAton(a, id == kMacSrc ? &s->mac_src : &s->mac_dst))
        return Status::Error("invalid MAC address " + Quote(a) + " (XX:XX:XX:XX:XX:XX)", a0);
      return st;
    case kTime: return ReadTime(a, a0, &s->time);
    case kMark:
      if (!(st = Number(a, a0, 0xffffffff, "mark", &v)).ok()) return st;
      s->mark = static_cast<uint32_t>(v);
      return st;
    case kUid:
    case kGid:
      if (!(st = Number(a, a0, 0xffffffff, id == kUid ? "UID" : "GID", &v)).ok()) return st;
      (id == kUid ? s->uid : s->gid) = static_cast<uint32_t>(v);
      return st;
    case kCtState: return ReadCtStates(a, a0, &s->ctstate);
    case kConnected:
      s->connected = true;
      return st;
    default:
      return st;
  }
}

}  // namespace iptsim::packet_options
