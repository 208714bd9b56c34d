#include "loader/packet_spec.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

#include "matchers/icmp_types.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

enum Opt : uint8_t {
  kIn, kOut, kPhysIn, kPhysOut, kSrc, kDst, kProto, kSport, kDport, kSyn, kTcpFlags, kSeq, kAck,
  kWindow, kUrgp, kTcpOptionHex, kIcmpType, kIcmpv6Type, kIcmpId, kIcmpSeq, kMtu, kPointer,
  kGateway, kSpi, kTtl, kTos, kId, kDf, kCe, kFrag, kMf, kFlowLabel, kIpOptionHex, kExtHdr, kLen,
  kPayload, kPayloadHex, kMacSrc, kMacDst, kTime, kMark, kUid, kGid, kCtState, kConnected, kInner,
  kNumOpts
};

struct OptDef {
  std::string_view name;  // long name without "--"
  char short_name;        // 0 if none
  uint8_t nargs;
  Opt id;
};

// Every spelling; several may share an id (aliases).
constexpr OptDef kOpts[] = {
    {"in-interface", 'i', 1, kIn},      {"out-interface", 'o', 1, kOut},
    {"physdev-in", 0, 1, kPhysIn},      {"physdev-out", 0, 1, kPhysOut},
    {"source", 's', 1, kSrc},           {"src", 0, 1, kSrc},
    {"destination", 'd', 1, kDst},      {"dst", 0, 1, kDst},
    {"protocol", 'p', 1, kProto},       {"sport", 0, 1, kSport},
    {"source-port", 0, 1, kSport},      {"dport", 0, 1, kDport},
    {"destination-port", 0, 1, kDport}, {"syn", 0, 0, kSyn},
    {"tcp-flags", 0, 2, kTcpFlags},     {"seq", 0, 1, kSeq},
    {"ack", 0, 1, kAck},                {"window", 0, 1, kWindow},
    {"urgp", 0, 1, kUrgp},              {"tcp-option-hex", 0, 1, kTcpOptionHex},
    {"icmp-type", 0, 1, kIcmpType},     {"icmpv6-type", 0, 1, kIcmpv6Type},
    {"icmp-id", 0, 1, kIcmpId},         {"icmp-seq", 0, 1, kIcmpSeq},
    {"mtu", 0, 1, kMtu},                {"pointer", 0, 1, kPointer},
    {"gateway", 0, 1, kGateway},        {"spi", 0, 1, kSpi},
    {"ttl", 0, 1, kTtl},                {"hoplimit", 0, 1, kTtl},
    {"tos", 0, 1, kTos},                {"id", 0, 1, kId},
    {"df", 0, 0, kDf},                  {"ce", 0, 0, kCe},
    {"frag", 0, 1, kFrag},              {"mf", 0, 0, kMf},
    {"flowlabel", 0, 1, kFlowLabel},    {"ip-option-hex", 0, 1, kIpOptionHex},
    {"ext-hdr", 0, 1, kExtHdr},         {"len", 0, 1, kLen},
    {"payload", 0, 1, kPayload},        {"payload-hex", 0, 1, kPayloadHex},
    {"mac-src", 0, 1, kMacSrc},         {"mac-dst", 0, 1, kMacDst},
    {"time", 0, 1, kTime},              {"mark", 0, 1, kMark},
    {"uid", 0, 1, kUid},                {"gid", 0, 1, kGid},
    {"ctstate", 0, 1, kCtState},        {"inner", 0, 0, kInner},
    {"connected", 0, 0, kConnected},
};

// Options that describe the skb rather than the datagram: not for the
// packet embedded in an ICMP error.
bool IsMetadata(Opt o) {
  switch (o) {
    case kIn: case kOut: case kPhysIn: case kPhysOut: case kMacSrc: case kMacDst: case kTime:
    case kMark: case kUid: case kGid: case kCtState: case kConnected:
      return true;
    default:
      return false;
  }
}

// Options that write the transport header (meaningless for a later fragment).
bool IsTransport(Opt o) {
  switch (o) {
    case kSport: case kDport: case kSyn: case kTcpFlags: case kSeq: case kAck: case kWindow:
    case kUrgp: case kTcpOptionHex: case kIcmpType: case kIcmpv6Type: case kIcmpId: case kIcmpSeq:
    case kMtu: case kPointer: case kGateway: case kSpi: case kInner:
      return true;
    default:
      return false;
  }
}

// Status::Error's word index for "the option word itself".
constexpr int kOptWord = -2;

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// "Did you mean": the closest candidate by optimal string alignment distance
// (a swap of two neighbours counts 1: "dprot" -> "dport"), if it is within
// max(1, len/3) edits; else "".
std::string Suggest(std::string_view name, std::span<const std::string_view> candidates) {
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i)
      for (size_t j = 1; j <= b.size(); ++j) {
        size_t cost = tolower(static_cast<unsigned char>(a[i - 1])) ==
                              tolower(static_cast<unsigned char>(b[j - 1]))
                          ? 0
                          : 1;
        d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
          d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    return d[a.size()][b.size()];
  };
  if (name.size() > 64) return "";
  size_t best = SIZE_MAX;
  std::string_view pick;
  for (std::string_view c : candidates) {
    size_t dist = distance(name, c);
    if (dist < best) {
      best = dist;
      pick = c;
    }
  }
  if (best <= std::max<size_t>(1, name.size() / 3)) return std::string(pick);
  return "";
}

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

bool ParseMac(std::string_view text, std::array<uint8_t, 6>* out) {
  std::array<uint8_t, 6> m{};
  for (int i = 0; i < 6; ++i) {
    size_t n = 0;
    int v = 0;
    while (n < text.size() && n < 2 && isxdigit(static_cast<unsigned char>(text[n]))) {
      char c = static_cast<char>(tolower(static_cast<unsigned char>(text[n])));
      v = v * 16 + (c <= '9' ? c - '0' : c - 'a' + 10);
      ++n;
    }
    if (n == 0) return false;
    m[i] = static_cast<uint8_t>(v);
    text.remove_prefix(n);
    if (i < 5) {
      if (text.empty() || (text[0] != ':' && text[0] != '-')) return false;
      text.remove_prefix(1);
    }
  }
  if (!text.empty()) return false;
  *out = m;
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

// Which protocols an option belongs to (empty: any).
struct ProtoNeed {
  std::array<uint8_t, 5> protos{};
  uint8_t n = 0;
  bool Allows(uint8_t p) const {
    for (uint8_t i = 0; i < n; ++i)
      if (protos[i] == p) return true;
    return n == 0;
  }
  std::string Text() const {
    std::string s;
    for (uint8_t i = 0; i < n; ++i) {
      if (i) s += i + 1 == n ? " or " : ", ";
      s += "-p " + std::string(ProtoMatchName(protos[i]));
    }
    return s;
  }
};

ProtoNeed NeedOf(Opt o, Family f) {
  using namespace ipproto;
  const uint8_t icmp = f == Family::kIPv4 ? kIcmp : kIcmpv6;
  switch (o) {
    case kSport: case kDport: return {{kTcp, kUdp, kUdplite, kSctp, kDccp}, 5};
    case kSyn: case kTcpFlags: case kAck: case kWindow: case kUrgp: case kTcpOptionHex:
      return {{kTcp}, 1};
    case kSeq: return {{kTcp, kDccp}, 2};
    case kIcmpType: return {{kIcmp}, 1};
    case kIcmpv6Type: return {{kIcmpv6}, 1};
    case kIcmpId: case kIcmpSeq: case kMtu: case kPointer: case kInner: return {{icmp}, 1};
    case kGateway: return {{kIcmp}, 1};
    case kSpi: return {{kAh, kEsp}, 2};
    default: return {};
  }
}

std::string OptName(Opt o) {
  for (const OptDef& d : kOpts)
    if (d.id == o) return "--" + std::string(d.name);
  return "?";
}

class Parser {
 public:
  Parser(std::span<const std::string> words, Family family) : w_(words), fam_(family) {}

  Status Parse(size_t begin, PacketSpec* s, bool inner);

 private:
  // Where each option was given (word index of the option), -1 if not.
  using Given = std::array<int, kNumOpts>;

  Status Handle(Opt id, const std::string& opt_word, std::span<const std::string_view> args,
                std::span<const int> arg_at, PacketSpec* s, Given& given);
  Status Finish(PacketSpec* s, const Given& given, bool inner, size_t begin);

  Status Number(std::string_view text, int at, uint64_t max, std::string_view what,
                uint64_t* out) {
    if (ParseUInt(text, 0, max, out)) return Status();
    return Status::Error("invalid " + std::string(what) + " " + Quote(text) + " (0.." +
                             std::to_string(max) + ")",
                         at);
  }
  Status Address(std::string_view text, int at, IpAddr* out);
  Status Interface(std::string_view text, int at, std::string* out);
  Status Port(std::string_view text, int at, std::optional<uint16_t>* out);

  std::span<const std::string> w_;
  Family fam_;
};

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
  if (ParseIpAddr(fam_, addr, out)) return Status();
  Family other = fam_ == Family::kIPv4 ? Family::kIPv6 : Family::kIPv4;
  IpAddr ignored;
  if (ParseIpAddr(other, addr, &ignored))
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

Status Parser::Handle(Opt id, const std::string& opt_word, std::span<const std::string_view> args,
                      std::span<const int> at, PacketSpec* s, Given& given) {
  const std::string_view a = args.empty() ? std::string_view() : args[0];
  const int a0 = at.empty() ? -1 : at[0];
  const bool v4 = fam_ == Family::kIPv4;
  uint64_t v = 0;
  Status st;
  switch (id) {
    case kIn: return Interface(a, a0, &s->in);
    case kOut: return Interface(a, a0, &s->out);
    case kPhysIn: return Interface(a, a0, &s->phys_in);
    case kPhysOut: return Interface(a, a0, &s->phys_out);
    case kSrc:
    case kDst: {
      IpAddr addr;
      if (!(st = Address(a, a0, &addr)).ok()) return st;
      (id == kSrc ? s->src : s->dst) = addr;
      return st;
    }
    case kProto: {
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
      return st;
    }
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
    case kTcpOptionHex:
    case kIpOptionHex: {
      std::vector<uint8_t> bytes;
      std::string why;
      if (!ParseHex(a, &bytes, &why))
        return Status::Error("invalid " + opt_word + " " + Quote(a) + ": " + why, a0);
      if (bytes.size() > 40)
        return Status::Error(std::string(id == kTcpOptionHex ? "TCP" : "IP") +
                                 " options are at most 40 bytes (" + Quote(a) + " has " +
                                 std::to_string(bytes.size()) + ")",
                             a0);
      if (id == kIpOptionHex && !v4)
        return Status::Error("--ip-option-hex is for IPv4 packets (IPv6: --ext-hdr)", kOptWord);
      (id == kTcpOptionHex ? s->tcp_options : s->ip_options) = std::move(bytes);
      return st;
    }
    case kIcmpType:
    case kIcmpv6Type: {
      if (id == kIcmpType && !v4)
        return Status::Error("--icmp-type is for IPv4 packets (IPv6: --icmpv6-type)", kOptWord);
      if (id == kIcmpv6Type && v4)
        return Status::Error("--icmpv6-type is for IPv6 packets (IPv4: --icmp-type)", kOptWord);
      std::string lower = Lower(a);
      if (!lower.empty() && std::string_view("any").starts_with(lower))
        return Status::Error(Quote(a) + " is not one type: a packet has one ICMP type", a0);
      uint8_t type, cmin, cmax;
      std::string why;
      if (!ParseIcmpTypeArg(a, v4 ? IcmpV4TypeNames() : IcmpV6TypeNames(),
                            v4 ? "ICMP" : "ICMPv6", &type, &cmin, &cmax, &why))
        return Status::Error(why, a0);
      bool code_given = a.find('/') != std::string_view::npos;
      if (code_given && cmin != cmax)
        return Status::Error("a packet has one ICMP code, not a range: " + Quote(a), a0);
      s->icmp_type = type;
      s->icmp_code = cmin;
      return st;
    }
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
    case kExtHdr: {
      if (v4)
        return Status::Error("--ext-hdr is for IPv6 packets (IPv4: --ip-option-hex)", kOptWord);
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
      s->ext_hdrs = std::move(list);
      return st;
    }
    case kLen:
      if (!(st = Number(a, a0, v4 ? 0xffff : 0xffff + 40, "length", &v)).ok()) return st;
      s->len = static_cast<uint32_t>(v);
      return st;
    case kPayload:
    case kPayloadHex: {
      if (given[kPayload] >= 0 && given[kPayloadHex] >= 0)
        return Status::Error("only one of --payload and --payload-hex", kOptWord);
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
      s->payload = std::move(bytes);
      return st;
    }
    case kMacSrc:
    case kMacDst:
      if (!ParseMac(a, id == kMacSrc ? &s->mac_src : &s->mac_dst))
        return Status::Error("invalid MAC address " + Quote(a) + " (XX:XX:XX:XX:XX:XX)", a0);
      return st;
    case kTime: {
      std::string t(a);
      char* end = nullptr;
      double d = t.empty() ? -1 : strtod(t.c_str(), &end);
      if (t.empty() || *end || !std::isfinite(d) || d < 0 || isspace(static_cast<unsigned char>(t[0])))
        return Status::Error("invalid time " + Quote(a) + " (seconds, a number >= 0)", a0);
      s->time = d;
      return st;
    }
    case kMark:
      if (!(st = Number(a, a0, 0xffffffff, "mark", &v)).ok()) return st;
      s->mark = static_cast<uint32_t>(v);
      return st;
    case kUid:
    case kGid:
      if (!(st = Number(a, a0, 0xffffffff, id == kUid ? "UID" : "GID", &v)).ok()) return st;
      (id == kUid ? s->uid : s->gid) = static_cast<uint32_t>(v);
      return st;
    case kCtState: {
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
      s->ctstate = norm;
      return st;
    }
    case kConnected:
      s->connected = true;
      return st;
    case kInner:
    case kNumOpts:
      break;
  }
  return st;
}

// Protocol resolution and the checks that need the whole spec.
Status Parser::Finish(PacketSpec* s, const Given& given, bool inner, size_t begin) {
  const bool v4 = fam_ == Family::kIPv4;
  // The protocol: -p, or implied by the first protocol-specific option.
  int implied_by = -1;
  // --spi also sets the SPI of an AH extension header.
  const bool ah_ext =
      std::find(s->ext_hdrs.begin(), s->ext_hdrs.end(), ExtHdr::kAh) != s->ext_hdrs.end();
  auto needs = [&](int o) {
    return (o == kSpi && ah_ext) ? ProtoNeed{} : NeedOf(static_cast<Opt>(o), fam_);
  };
  if (!s->proto) {
    uint8_t proto = kDefaultProto;
    int first = -1;
    for (int o = 0; o < kNumOpts; ++o) {
      if (given[o] < 0) continue;
      ProtoNeed need = needs(o);
      if (need.n == 0 || need.Allows(kDefaultProto)) continue;
      if (first < 0 || given[o] < first) {
        first = given[o];
        implied_by = o;
      }
    }
    if (implied_by >= 0) {
      ProtoNeed need = NeedOf(static_cast<Opt>(implied_by), fam_);
      if (need.n > 1)
        return Status::Error(OptName(static_cast<Opt>(implied_by)) + " needs " + need.Text(),
                             given[implied_by]);
      proto = need.protos[0];
    }
    s->proto = proto;
  }
  for (int o = 0; o < kNumOpts; ++o) {
    if (given[o] < 0) continue;
    ProtoNeed need = needs(o);
    if (need.Allows(*s->proto)) continue;
    std::string pname(ProtoMatchName(*s->proto));
    if (pname.empty()) pname = std::to_string(*s->proto);
    std::string why = given[kProto] >= 0
                          ? "the packet is -p " + pname
                          : (implied_by >= 0 ? OptName(static_cast<Opt>(implied_by)) +
                                                   " made the packet -p " + pname
                                             : "the packet is -p " + pname);
    return Status::Error(OptName(static_cast<Opt>(o)) + " needs " + need.Text() + " (" + why + ")",
                         given[o]);
  }
  const uint8_t proto = *s->proto;
  const bool icmp = proto == (v4 ? ipproto::kIcmp : ipproto::kIcmpv6);
  // ICMP fields that only some types have.
  if (icmp) {
    uint8_t type = s->icmp_type.value_or(v4 ? 8 : 128);
    auto needs_type = [&](Opt o, std::string_view types) {
      return Status::Error(OptName(o) + " is for ICMP" + (v4 ? "" : "v6") + " " +
                               std::string(types) + ", not type " + std::to_string(type),
                           given[o]);
    };
    bool echo_like = v4 ? (type == 0 || type == 8 || (type >= 13 && type <= 18))
                        : (type == 128 || type == 129);
    if (!echo_like && given[kIcmpId] >= 0)
      return needs_type(kIcmpId, v4 ? "echo, timestamp, information and address mask messages"
                                    : "echo messages (128, 129)");
    if (!echo_like && given[kIcmpSeq] >= 0)
      return needs_type(kIcmpSeq, v4 ? "echo, timestamp, information and address mask messages"
                                     : "echo messages (128, 129)");
    if (given[kMtu] >= 0 && (v4 ? !(type == 3 && s->icmp_code == 4) : type != 2))
      return needs_type(kMtu, v4 ? "fragmentation-needed (3/4)" : "packet-too-big (2)");
    if (given[kPointer] >= 0 && type != (v4 ? 12 : 4))
      return needs_type(kPointer, v4 ? "parameter-problem (12)" : "parameter-problem (4)");
    if (given[kGateway] >= 0 && type != 5) return needs_type(kGateway, "redirect (5)");
    if (given[kInner] >= 0 && !IcmpTypeIsError(fam_, type))
      return needs_type(kInner, v4 ? "errors (3, 4, 5, 11, 12)" : "errors (1, 2, 3, 4)");
  }
  if (s->frag_offset) {
    for (int o = 0; o < kNumOpts; ++o)
      if (given[o] >= 0 && IsTransport(static_cast<Opt>(o)))
        return Status::Error(OptName(static_cast<Opt>(o)) + " has no effect on a later fragment (--frag " +
                                 std::to_string(s->frag_offset) +
                                 "): it carries no transport header",
                             given[o]);
  }
  if (!v4 && given[kId] >= 0 && !s->mf && !s->frag_offset &&
      std::find(s->ext_hdrs.begin(), s->ext_hdrs.end(), ExtHdr::kFragment) == s->ext_hdrs.end())
    return Status::Error("--id of an IPv6 packet is the fragment header's identification: add "
                         "--mf, --frag or --ext-hdr frag",
                         given[kId]);
  if (given[kGid] >= 0 && given[kUid] < 0)
    return Status::Error("--gid needs --uid (the socket's owner)", given[kGid]);
  if (given[kConnected] >= 0 && given[kUid] < 0)
    return Status::Error("--connected needs --uid (the socket's owner)", given[kConnected]);
  if (given[kConnected] >= 0 && given[kIn] >= 0)
    return Status::Error("--connected describes the socket a local packet is sent from; a "
                         "received packet (-i) has none",
                         given[kConnected]);
  if (s->len) {
    size_t base = v4 ? 20 + (s->ip_options.size() + 3) / 4 * 4 : 40;
    if (*s->len < base)
      return Status::Error("--len " + std::to_string(*s->len) + " is shorter than the " +
                               (v4 ? "IPv4" : "IPv6") + " header (" + std::to_string(base) +
                               " bytes)",
                           given[kLen]);
  }
  (void)inner;
  (void)begin;
  return Status();
}

Status Parser::Parse(size_t begin, PacketSpec* s, bool inner) {
  s->family = fam_;
  Given given;
  given.fill(-1);
  for (size_t i = begin; i < w_.size(); ++i) {
    const std::string& word = w_[i];
    const int at = static_cast<int>(i);
    if (word == "!")
      return Status::Error("'!' is not allowed here: a packet has values, not conditions", at);
    const OptDef* def = nullptr;
    std::optional<std::string_view> inline_value;
    std::string opt_word;
    if (word.size() > 2 && word[0] == '-' && word[1] == '-') {
      std::string_view name = std::string_view(word).substr(2);
      size_t eq = name.find('=');
      if (eq != std::string_view::npos) {
        inline_value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      for (const OptDef& d : kOpts)
        if (d.name == name) def = &d;
      if (!def) {
        std::vector<const OptDef*> matches;
        for (const OptDef& d : kOpts)
          if (d.name.starts_with(name) &&
              std::none_of(matches.begin(), matches.end(),
                           [&](const OptDef* m) { return m->id == d.id; }))
            matches.push_back(&d);
        if (matches.size() == 1 && !name.empty()) {
          def = matches[0];
        } else if (matches.size() > 1 && !name.empty()) {
          std::string list;
          for (const OptDef* m : matches) list += (list.empty() ? "--" : ", --") + std::string(m->name);
          return Status::Error("option '--" + std::string(name) + "' is ambiguous (" + list + ")",
                               at);
        } else {
          std::vector<std::string_view> names;
          for (const OptDef& d : kOpts) names.push_back(d.name);
          std::string msg = "unknown packet option '--" + std::string(name) + "'";
          std::string near = Suggest(name, names);
          if (!near.empty()) msg += ", did you mean '--" + near + "'?";
          return Status::Error(msg, at);
        }
      }
      opt_word = "--" + std::string(def->name);
    } else if (word.size() >= 2 && word[0] == '-' && word[1] != '-') {
      char c = word[1];
      for (const OptDef& d : kOpts)
        if (d.short_name == c) def = &d;
      if (!def) {
        switch (c) {
          case 'm':
          case 'j':
          case 'g':
            return Status::Error(Quote(word) + " belongs to a rule, not to a packet: give the "
                                               "packet's values instead",
                                 at);
          case 'f':
            return Status::Error("'-f' describes rules; for a packet give --frag OFFSET [--mf]", at);
          default:
            return Status::Error("unknown packet option " + Quote(word), at);
        }
      }
      if (word.size() > 2) inline_value = std::string_view(word).substr(2);
      opt_word = std::string("-") + c;
    } else {
      return Status::Error("unexpected " + Quote(word) + ": packet options start with '-'", at);
    }

    if (inner && IsMetadata(def->id))
      return Status::Error(opt_word + " is not for the embedded packet (after --inner): "
                                      "interfaces and metadata belong to the outer packet",
                           at);
    if (given[def->id] >= 0) {
      std::string msg = "option " + opt_word + " given twice";
      if (def->id == kTtl) msg = "the " + std::string(fam_ == Family::kIPv4 ? "TTL" : "hop limit") +
                                 " is already set (--ttl and --hoplimit are the same field)";
      return Status::Error(msg, at);
    }
    if (def->nargs == 0 && inline_value)
      return Status::Error("option " + opt_word + " takes no value", at);
    given[def->id] = at;

    if (def->id == kInner) {
      PacketSpec in;
      Status st = Parse(i + 1, &in, true);
      if (!st.ok()) return st;
      s->inner.push_back(std::move(in));
      break;
    }

    std::array<std::string_view, 2> args{};
    std::array<int, 2> arg_at{};
    size_t n = 0;
    if (inline_value && def->nargs > 0) {
      args[n] = *inline_value;
      arg_at[n++] = at;
    }
    while (n < def->nargs) {
      if (i + 1 >= w_.size())
        return Status::Error("option " + opt_word + " needs " +
                                 (def->nargs == 1 ? std::string("a value")
                                                  : std::to_string(def->nargs) + " values"),
                             at);
      ++i;
      args[n] = w_[i];
      arg_at[n++] = static_cast<int>(i);
    }
    Status st = Handle(def->id, opt_word, std::span(args.data(), n), std::span(arg_at.data(), n), s,
                       given);
    if (!st.ok()) {
      // Errors about the option itself (kOptWord) point at the option word.
      if (st.arg() < 0) return Status::Error(st.message(), at);
      if (n && st.arg() == arg_at[0] - 1) return Status::Error(st.message(), at);
      return st;
    }
  }
  return Finish(s, given, inner, begin);
}

}  // namespace

Status ParsePacketSpec(std::span<const std::string> words, Family family, PacketSpec* out) {
  PacketSpec s;
  Parser p(words, family);
  Status st = p.Parse(0, &s, false);
  if (st.ok()) *out = std::move(s);
  return st;
}

bool SplitPacketLine(std::string_view line, std::vector<SpecWord>* words, std::string* why,
                     uint32_t* why_col) {
  words->clear();
  size_t i = 0;
  while (i < line.size()) {
    if (isspace(static_cast<unsigned char>(line[i]))) {
      ++i;
      continue;
    }
    if (line[i] == '#') break;
    SpecWord w;
    w.col = static_cast<uint32_t>(i + 1);
    while (i < line.size() && !isspace(static_cast<unsigned char>(line[i]))) {
      char c = line[i];
      if (c == '\'' || c == '"') {
        size_t open = i++;
        while (i < line.size() && line[i] != c) {
          if (c == '"' && line[i] == '\\' && i + 1 < line.size() &&
              (line[i + 1] == '"' || line[i + 1] == '\\'))
            ++i;
          w.text += line[i++];
        }
        if (i >= line.size()) {
          *why = std::string("unterminated ") + (c == '"' ? "double" : "single") + " quote";
          *why_col = static_cast<uint32_t>(open + 1);
          return false;
        }
        ++i;
      } else if (c == '\\' && i + 1 < line.size()) {
        w.text += line[i + 1];
        i += 2;
      } else {
        w.text += c;
        ++i;
      }
    }
    w.len = static_cast<uint32_t>(i + 1 - w.col);
    words->push_back(std::move(w));
  }
  return true;
}

bool ParsePacketLine(std::string_view line, Family family, PacketSpec* out, Diagnostic* error) {
  std::vector<SpecWord> words;
  std::string why;
  uint32_t why_col = 0;
  *error = Diagnostic();
  error->source_line = std::string(line);
  if (!SplitPacketLine(line, &words, &why, &why_col)) {
    error->col = why_col;
    error->len = 1;
    error->message = why;
    return false;
  }
  std::vector<std::string> texts;
  texts.reserve(words.size());
  for (const SpecWord& w : words) texts.push_back(w.text);
  Status st = ParsePacketSpec(texts, family, out);
  if (st.ok()) return true;
  error->message = st.message();
  if (st.arg() >= 0 && static_cast<size_t>(st.arg()) < words.size()) {
    error->col = words[st.arg()].col;
    error->len = std::max<uint32_t>(1, words[st.arg()].len);
  }
  return false;
}

}  // namespace iptsim
