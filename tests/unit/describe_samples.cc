#include "tests/unit/describe_samples.h"

#include <random>
#include <regex>
#include <set>

#include "engine/netaddr.h"
#include "engine/packet_builder.h"

namespace iptsim::testing {

CtCases::CtCases() {
  refs_[static_cast<int>(CtCase::kTemplate)].tmpl = true;
  refs_[static_cast<int>(CtCase::kUntracked)].untracked = true;
  refs_[static_cast<int>(CtCase::kUntracked)].info = CtInfo::kUntracked;
  const std::pair<CtCase, CtInfo> with_entry[] = {
      {CtCase::kNew, CtInfo::kNew},
      {CtCase::kEstablished, CtInfo::kEstablished},
      {CtCase::kRelated, CtInfo::kRelated},
      {CtCase::kEstablishedReply, CtInfo::kEstablishedReply},
      {CtCase::kRelatedReply, CtInfo::kRelatedReply},
  };
  for (auto [c, info] : with_entry) {
    refs_[static_cast<int>(c)].entry = &entry_;
    refs_[static_cast<int>(c)].info = info;
  }
}

CtRef* CtCases::Ref(CtCase c) {
  return c == CtCase::kNone ? nullptr : &refs_[static_cast<int>(c)];
}

namespace {

// The values the rules name: every number (decimal or 0x hex) and every
// address of the family, each with its neighbours.
struct Boundaries {
  std::vector<uint32_t> numbers;
  std::vector<IpAddr> addrs;
};

IpAddr Step(IpAddr a, int len, bool up) {
  for (int i = len - 1; i >= 0; --i) {
    if (up ? a.b[i]++ != 0xff : a.b[i]-- != 0) break;
  }
  return a;
}

Boundaries BoundariesOf(Family family, const std::vector<std::string>& rules) {
  std::set<uint32_t> numbers = {0, 1, 255, 256, 65535, 65536, 65575, 0xffffffff};
  std::vector<IpAddr> addrs;
  const std::regex number(R"(0x[0-9a-fA-F]+|\d+)");
  const std::regex word(R"([^\s,/\-]+)");
  for (const std::string& rule : rules) {
    for (std::sregex_iterator it(rule.begin(), rule.end(), number), end; it != end; ++it) {
      uint64_t n = std::stoull(it->str(), nullptr, 0);
      if (n > 0xffffffff) continue;
      for (uint64_t v : {n - 1, n, n + 1})
        if (v <= 0xffffffff) numbers.insert(static_cast<uint32_t>(v));
    }
    for (std::sregex_iterator it(rule.begin(), rule.end(), word), end; it != end; ++it) {
      IpAddr a;
      const std::string w = it->str();
      if (w.find(family == Family::kIPv4 ? '.' : ':') == std::string::npos) continue;
      if (!ParseIpAddr(family, w, &a)) continue;
      const int len = AddrLen(family);
      addrs.push_back(Step(a, len, false));
      addrs.push_back(a);
      addrs.push_back(Step(a, len, true));
    }
  }
  return {{numbers.begin(), numbers.end()}, addrs};
}

class Draw {
 public:
  Draw(uint32_t seed, const Boundaries& b) : rng_(seed), b_(b) {}
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }
  bool Chance(int percent) { return Below(100) < static_cast<uint32_t>(percent); }
  // A value of `bits` bits: a named one (cut to the width) or a random one.
  uint32_t Value(int bits) {
    const uint32_t mask = bits == 32 ? 0xffffffff : (1u << bits) - 1;
    if (Chance(70)) return b_.numbers[Below(static_cast<uint32_t>(b_.numbers.size()))] & mask;
    return static_cast<uint32_t>(rng_()) & mask;
  }
  IpAddr Addr(Family f) {
    IpAddr a;
    if (!b_.addrs.empty() && Chance(60))
      return b_.addrs[Below(static_cast<uint32_t>(b_.addrs.size()))];
    for (int i = 0; i < AddrLen(f); ++i) a.b[i] = static_cast<uint8_t>(rng_());
    return a;
  }

 private:
  std::mt19937 rng_;
  const Boundaries& b_;
};

constexpr uint16_t kCommonFlags[] = {
    tcpflag::kSyn, tcpflag::kSyn | tcpflag::kAck, tcpflag::kAck, tcpflag::kFin | tcpflag::kAck,
    tcpflag::kRst, 0, 0xff, tcpflag::kSyn | tcpflag::kEce | tcpflag::kCwr,
    tcpflag::kFin | tcpflag::kPsh | tcpflag::kUrg,
};

bool HasPorts(uint8_t p) { return p == 6 || p == 17 || p == 33 || p == 132 || p == 136; }

std::string Words(const PacketSpec& s, CtCase ct) {
  std::string w = "-p " + std::to_string(*s.proto);
  if (s.src) w += " -s " + FormatIpAddr(s.family, *s.src);
  if (s.dst) w += " -d " + FormatIpAddr(s.family, *s.dst);
  if (s.sport) w += " --sport " + std::to_string(*s.sport) + " --dport " + std::to_string(*s.dport);
  if (s.tcp_flags) w += " --tcp-flags ALL " + std::to_string(*s.tcp_flags);
  if (s.icmp_type)
    w += " --icmp-type " + std::to_string(*s.icmp_type) + "/" + std::to_string(s.icmp_code);
  w += " --ttl " + std::to_string(s.ttl) + " --tos " + std::to_string(s.tos) +
       " --mark " + std::to_string(s.mark);
  if (s.len) w += " --len " + std::to_string(*s.len);
  if (s.mf) w += " --mf";
  if (s.frag_offset) w += " --frag " + std::to_string(s.frag_offset);
  if (!s.ext_hdrs.empty()) w += " --ext-hdr (" + std::to_string(s.ext_hdrs.size()) + ")";
  return w + " (ct case " + std::to_string(static_cast<int>(ct)) + ")";
}

Sample OneSample(Family family, Draw& d) {
  const bool v4 = family == Family::kIPv4;
  const uint8_t protos[] = {6, 6, 17, 132, 33, 136, static_cast<uint8_t>(v4 ? 1 : 58),
                            static_cast<uint8_t>(v4 ? 1 : 58), 47};
  PacketSpec s;
  s.family = family;
  const uint8_t proto = protos[d.Below(sizeof protos)];
  s.proto = proto;
  if (d.Chance(70)) s.src = d.Addr(family);
  if (d.Chance(70)) s.dst = d.Addr(family);
  if (HasPorts(proto)) {
    s.sport = static_cast<uint16_t>(d.Value(16));
    s.dport = static_cast<uint16_t>(d.Value(16));
  }
  if (proto == 6)
    s.tcp_flags = d.Chance(50) ? kCommonFlags[d.Below(sizeof kCommonFlags / sizeof kCommonFlags[0])]
                               : static_cast<uint16_t>(d.Value(8));
  if (proto == 1 || proto == 58) {
    s.icmp_type = static_cast<uint8_t>(d.Chance(30) ? d.Below(v4 ? 20 : 3) + (v4 ? 0 : 1)
                                                    : d.Value(8));
    if (!v4 && d.Chance(30)) s.icmp_type = static_cast<uint8_t>(128 + d.Below(16));
    s.icmp_code = static_cast<uint8_t>(d.Chance(50) ? d.Below(4) : d.Value(8));
  }
  s.ttl = static_cast<uint8_t>(d.Value(8));
  s.tos = static_cast<uint8_t>(d.Value(8));
  s.mark = d.Value(32);
  const uint32_t frag = d.Below(10);
  if (frag == 0) {
    s.mf = true;  // a first fragment
  } else if (frag == 1) {
    s.frag_offset = static_cast<uint16_t>(8 * (1 + d.Below(40)));  // a later one
    s.mf = d.Chance(50);
    for (int i = 0; i < 24; ++i) s.payload.push_back(static_cast<uint8_t>(d.Value(8)));
  }
  if (!v4 && d.Chance(15)) s.ext_hdrs = {d.Chance(50) ? ExtHdr::kHopByHop : ExtHdr::kDstOpts};
  Sample out;
  out.pkt = BuildPacket(s);
  if (d.Chance(25)) {
    // A longer datagram (never a shorter one: a cut header is not a packet
    // the descriptions speak about).
    const uint32_t len = d.Value(17);
    if (len > out.pkt.bytes.size() && len <= (v4 ? 0xffffu : 0xffffu + 40)) {
      s.len = len;
      out.pkt = BuildPacket(s);
    }
  }
  out.ct = static_cast<CtCase>(d.Below(kNumCtCases));
  out.what = Words(s, out.ct);
  return out;
}

}  // namespace

std::vector<Sample> MakeSamples(Family family, const std::vector<std::string>& rules, size_t count,
                                uint32_t seed) {
  const Boundaries b = BoundariesOf(family, rules);
  Draw d(seed, b);
  std::vector<Sample> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) out.push_back(OneSample(family, d));
  return out;
}

}  // namespace iptsim::testing
