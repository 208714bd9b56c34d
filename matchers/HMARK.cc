// Extension: HMARK (target, IPv4 IPv6)
// Synopsis: -j HMARK --hmark-mod N --hmark-rnd VALUE
//   [--hmark-tuple ct|src|dst|sport|dport|proto|spi[,...]]
//   [--hmark-src-prefix LEN] [--hmark-dst-prefix LEN] [--hmark-sport-mask M]
//   [--hmark-dport-mask M] [--hmark-spi-mask M] [--hmark-sport V]
//   [--hmark-dport V] [--hmark-spi V] [--hmark-proto-mask M]
//   [--hmark-offset OFFSET]
// Semantics: skb->mark = hash(addresses masked to their prefixes, ports
//   masked then ORed, protocol masked; seeded with --hmark-rnd) % N + OFFSET,
//   taken from the packet or, with "ct" in --hmark-tuple, from the conntrack
//   original tuple; then the rule continues.  The --hmark-tuple words
//   (abbreviations allowed) stand for full masks: src/dst a /32 (/128)
//   prefix, sport/dport 0xffff, proto 0xffff, spi 0xffffffff.  --hmark-mod,
//   --hmark-rnd and at least one field are required; every option at most
//   once (a tuple word counts as its option).  An SPI mask excludes port
//   masks; the kernel also refuses --hmark-spi with --hmark-sport/--hmark-dport.
//   A prefix may also be written as a netmask; a value iptables cannot turn
//   into a prefix becomes a full mask.
// Example: -t mangle -A PREROUTING -j HMARK --hmark-tuple src,dst,proto
//   --hmark-mod 4 --hmark-rnd 0xcafe --hmark-offset 1
// Evaluation: yes (the packet's tuple, or with --hmark-tuple ct the connection's original and reply sources, hashed as the kernel does: jhash_3words, reciprocal_scale; ICMP/ICMPv6 errors by their inner header)
#include <arpa/inet.h>
#include <cstring>
#include <strings.h>

#include <cstdio>

#include <optional>
#include <utility>
#include <vector>

#include "engine/conntrack.h"
#include "base/bytes.h"
#include "base/jhash.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

// In iptables' order (getopt abbreviations depend on it).
constexpr OptionSpec kOptions[] = {
    {"hmark-tuple", 1, false},      {"hmark-src-prefix", 1, false},
    {"hmark-dst-prefix", 1, false}, {"hmark-sport-mask", 1, false},
    {"hmark-dport-mask", 1, false}, {"hmark-spi-mask", 1, false},
    {"hmark-sport", 1, false},      {"hmark-dport", 1, false},
    {"hmark-spi", 1, false},        {"hmark-proto-mask", 1, false},
    {"hmark-rnd", 1, false},        {"hmark-mod", 1, false},
    {"hmark-offset", 1, false},
};

// XT_HMARK_* flag bits (also iptables' option ids; the tuple option is 13).
enum Field : uint8_t {
  kSaddrMask = 0, kDaddrMask, kSpi, kSpiMask, kSport, kDport, kSportMask, kDportMask,
  kProtoMask, kRnd, kModulus, kOffset, kCt, kTuple,
};
constexpr Field kOptionField[] = {kTuple,    kSaddrMask, kDaddrMask, kSportMask, kDportMask,
                                  kSpiMask,  kSport,     kDport,     kSpi,       kProtoMask,
                                  kRnd,      kModulus,   kOffset};
constexpr uint32_t Bit(Field f) { return 1u << f; }
constexpr uint32_t kPacketFields = Bit(kSaddrMask) | Bit(kDaddrMask) | Bit(kSpiMask) |
                                   Bit(kSportMask) | Bit(kDportMask) | Bit(kProtoMask) |
                                   Bit(kSport) | Bit(kDport) | Bit(kSpi);

// Tuple words, in the order iptables tries them (a word may abbreviate).
constexpr std::pair<std::string_view, Field> kTupleWords[] = {
    {"ct", kCt},       {"src", kSaddrMask},   {"dst", kDaddrMask}, {"sport", kSportMask},
    {"dport", kDportMask}, {"proto", kProtoMask}, {"spi", kSpiMask},
};

std::string HexW(uint32_t v, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%0*x", width, v);
  return buf;
}

class HmarkTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext& ctx) override {
    Field f = kOptionField[option];
    if (seen_ & Bit(f)) {
      std::string msg = "only one '--" + std::string(kOptions[option].name) + "' allowed";
      if (f != kTuple && f != kRnd && f != kModulus && f != kOffset && (seen_ & Bit(kTuple)))
        msg += " (--hmark-tuple already set it)";
      return Status::Error(msg);
    }
    seen_ |= Bit(f);
    const uint8_t full = ctx.family == Family::kIPv4 ? 32 : 128;
    switch (f) {
      case kTuple:
        return ParseTuple(args, full);
      case kSaddrMask:
      case kDaddrMask: {
        int len;
        if (!ParsePlenMask(ctx.family, args[0].text, &len))
          return Status::Error("invalid prefix '" + std::string(args[0].text) +
                                   "' (a length 0.." + std::to_string(full) +
                                   " or a netmask)",
                               0);
        (f == kSaddrMask ? src_prefix_ : dst_prefix_) = len;
        break;
      }
      case kSportMask:
      case kDportMask:
      case kSport:
      case kDport:
      case kProtoMask: {
        uint16_t v;
        Status s = ParseUIntArgT(args, 0, 0, 0xffff, kOptions[option].name.substr(6), &v);
        if (!s.ok()) return s;
        if (f == kSportMask) sport_mask_ = v;
        else if (f == kDportMask) dport_mask_ = v;
        else if (f == kSport) sport_ = v;
        else if (f == kDport) dport_ = v;
        else proto_mask_ = v;
        break;
      }
      default: {
        uint32_t v;
        Status s = ParseUIntArgT(args, 0, f == kModulus ? 1 : 0, 0xffffffff,
                                 kOptions[option].name.substr(6), &v);
        if (!s.ok()) return s;
        if (f == kSpiMask) spi_mask_ = v;
        else if (f == kSpi) spi_ = v;
        else if (f == kRnd) rnd_ = v;
        else if (f == kModulus) mod_ = v;
        else offset_ = v;
        break;
      }
    }
    flags_ |= Bit(f);
    return {};
  }

  Status Finish(const ParseContext&) override {
    if (!(seen_ & Bit(kModulus))) return Status::Error("'--hmark-mod N' is required");
    if (!(seen_ & Bit(kRnd))) return Status::Error("'--hmark-rnd VALUE' is required");
    if ((seen_ & Bit(kSpiMask)) && (seen_ & (Bit(kSportMask) | Bit(kDportMask))))
      return Status::Error("an SPI mask (--hmark-spi-mask or tuple 'spi') cannot be combined "
                           "with port masks (--hmark-sport-mask/--hmark-dport-mask or tuple "
                           "'sport'/'dport')");
    if (!(seen_ & (kPacketFields | Bit(kCt))))
      return Status::Error("nothing to hash: give --hmark-tuple or at least one of the "
                           "prefix/mask/port/spi options");
    return {};
  }

  Status Check(const CheckContext&) const override {
    if ((flags_ & Bit(kSpi)) && (flags_ & (Bit(kSport) | Bit(kDport))))
      return Status::Error("the kernel refuses --hmark-spi together with --hmark-sport or "
                           "--hmark-dport");
    return {};
  }

  // The mark becomes a hash of the addresses and ports (or stays, for
  // --hmark-ct without an entry): unknown.
  TargetEffect DescribeEffect(Family) const override { return describe::SetUnknown(iptsim::Field::kMark); }
  // xt_HMARK.c hmark_tg_v4/v6: skb->mark = hmark_hash(tuple), the rule
  // continues.  See HashPacket.
  TargetVerdict Apply(Packet& pkt, const PacketView&, EvalContext& ctx) const override {
    if (flags_ & Bit(kCt)) {
      // hmark_ct_set_htuple: the original source and the reply source
      // (ports likewise); no entry: the mark stays.
      if (!ctx.ct || !ctx.ct->entry) return TargetVerdict::kContinue;
      const CtTuple& o = ctx.ct->entry->tuple[kCtOriginal];
      const CtTuple& r = ctx.ct->entry->tuple[kCtReply];
      const IpAddr smask =
          flags_ & Bit(kSaddrMask) ? PrefixMask(pkt.family, src_prefix_) : IpAddr{};
      const IpAddr dmask =
          flags_ & Bit(kDaddrMask) ? PrefixMask(pkt.family, dst_prefix_) : IpAddr{};
      auto word = [&](const IpAddr& a, const IpAddr& m) {
        uint32_t w = 0;
        for (int k = 0; k < (pkt.family == Family::kIPv4 ? 1 : 4); ++k) {
          uint32_t x = 0;
          for (int j = 0; j < 4; ++j) x = x << 8 | (a.b[4 * k + j] & m.b[4 * k + j]);
          w ^= x;
        }
        return w;
      };
      const uint32_t ports =
          o.proto == 1 ? 0 : SwapPorts(uint32_t{o.sport} << 16 | r.sport);
      pkt.mark = Hash(word(o.src, smask), word(r.src, dmask), ports, o.proto);
      return TargetVerdict::kContinue;
    }
    std::optional<uint32_t> mark = HashPacket(pkt);
    if (mark) pkt.mark = *mark;
    return TargetVerdict::kContinue;
  }

  // The packet's tuple (hmark_pkt_set_htuple_ipv4/ipv6) and its hash
  // (hmark_hash); nullopt when the kernel leaves the mark alone (an ICMP
  // error whose inner header is cut off).
  std::optional<uint32_t> HashPacket(const Packet& pkt) const {
    const std::vector<uint8_t>& b = pkt.bytes;
    const bool v4 = pkt.family == Family::kIPv4;
    const IpAddr smask = flags_ & Bit(kSaddrMask) ? PrefixMask(pkt.family, src_prefix_) : IpAddr{};
    const IpAddr dmask = flags_ & Bit(kDaddrMask) ? PrefixMask(pkt.family, dst_prefix_) : IpAddr{};
    // Masked address as the big-endian word ntohl() gives: IPv4 the address,
    // IPv6 the XOR of its four masked words.
    auto word = [&](size_t at, const IpAddr& m) {
      uint32_t w = 0;
      for (int k = 0; k < (v4 ? 1 : 4); ++k) {
        uint32_t x = 0;
        for (int j = 0; j < 4; ++j)
          x = x << 8 | (b[at + 4 * k + j] & m.b[static_cast<size_t>(4 * k + j)]);
        w ^= x;
      }
      return w;
    };
    uint32_t src = 0, dst = 0, ports = 0;
    uint8_t proto = 0;
    if (v4) {
      if (b.size() < 20) return std::nullopt;
      size_t nh = 0;
      if (b[9] == 1) {  // ICMP: an error's inner header is hashed instead
        size_t icmp = (b[0] & 0x0f) * 4u;
        if (icmp + 8 <= b.size() && b[icmp] <= 18 &&
            (b[icmp] == 3 || b[icmp] == 4 || b[icmp] == 11 || b[icmp] == 12 || b[icmp] == 5)) {
          nh = icmp + 8;
          if (nh + 20 > b.size()) return std::nullopt;
        }
      }
      src = word(nh + 12, smask);
      dst = word(nh + 16, dmask);
      proto = b[nh + 9];
      const bool frag = (GetBe16(b.data() + nh + 6) & 0x3fff) != 0;
      if (proto != 1 && !frag) ports = Ports(b, nh + (b[nh] & 0x0f) * 4u, proto);
    } else {
      bool frag = false;
      size_t off = 0;
      int nexthdr = FindHdr6(b, 0, &off, &frag);
      if (nexthdr < 0) return Hash(0, 0, 0, 0);
      size_t ip6 = 0;
      if (!frag && nexthdr == 58 && off + 8 <= b.size() && b[off] != 0 && b[off] < 128) {
        ip6 = off + 8;  // an ICMPv6 error: the inner packet
        if (ip6 + 40 > b.size()) return std::nullopt;
        frag = false;
        nexthdr = FindHdr6(b, ip6, &off, &frag);
        if (nexthdr < 0) return std::nullopt;
      }
      src = word(ip6 + 8, smask);
      dst = word(ip6 + 24, dmask);
      proto = static_cast<uint8_t>(nexthdr);
      if (proto != 58 && !frag) ports = Ports(b, off, proto);
    }
    return Hash(src, dst, ports, proto);
  }

  void Save(std::string& out, const SaveContext&) const override {
    if (flags_ & Bit(kSaddrMask)) SaveOpt(out, "hmark-src-prefix", std::to_string(src_prefix_));
    if (flags_ & Bit(kDaddrMask)) SaveOpt(out, "hmark-dst-prefix", std::to_string(dst_prefix_));
    if (flags_ & Bit(kSportMask)) SaveOpt(out, "hmark-sport-mask", HexW(sport_mask_, 4));
    if (flags_ & Bit(kDportMask)) SaveOpt(out, "hmark-dport-mask", HexW(dport_mask_, 4));
    if (flags_ & Bit(kSpiMask)) SaveOpt(out, "hmark-spi-mask", HexW(spi_mask_, 8));
    if (flags_ & Bit(kSport)) SaveOpt(out, "hmark-sport", HexW(sport_, 4));
    if (flags_ & Bit(kDport)) SaveOpt(out, "hmark-dport", HexW(dport_, 4));
    if (flags_ & Bit(kSpi)) SaveOpt(out, "hmark-spi", HexW(spi_, 8));
    if (flags_ & Bit(kProtoMask)) SaveOpt(out, "hmark-proto-mask", HexW(proto_mask_, 2));
    if (flags_ & Bit(kRnd)) SaveOpt(out, "hmark-rnd", HexW(rnd_, 8));
    if (flags_ & Bit(kModulus)) SaveOpt(out, "hmark-mod", std::to_string(mod_));
    if (flags_ & Bit(kOffset)) SaveOpt(out, "hmark-offset", std::to_string(offset_));
    if (flags_ & Bit(kCt)) SaveOpt(out, "hmark-tuple", std::string_view("ct"));
  }

  // XT_HMARK_* flags present.
  uint32_t flags() const { return flags_; }
  uint8_t src_prefix() const { return src_prefix_; }
  uint8_t dst_prefix() const { return dst_prefix_; }
  uint16_t sport_mask() const { return sport_mask_; }
  uint16_t dport_mask() const { return dport_mask_; }
  uint32_t spi_mask() const { return spi_mask_; }
  uint16_t sport() const { return sport_; }
  uint16_t dport() const { return dport_; }
  uint32_t spi() const { return spi_; }
  uint16_t proto_mask() const { return proto_mask_; }
  uint32_t rnd() const { return rnd_; }
  uint32_t mod() const { return mod_; }
  uint32_t offset() const { return offset_; }
  bool use_conntrack() const { return flags_ & Bit(kCt); }

 private:
  // hmark_set_tuple_ports + hmark_swap_ports: the 4 bytes at the protocol's
  // port offset, masked and ORed (network order), then the larger of the
  // two 16-bit halves high: an endian-independent word.
  uint32_t Ports(const std::vector<uint8_t>& b, size_t l4, uint8_t proto) const {
    int poff;
    switch (proto) {
      case 6: case 17: case 33: case 50: case 132: case 136: poff = 0; break;
      case 51: poff = 4; break;
      default: return 0;
    }
    size_t at = l4 + static_cast<size_t>(poff);
    if (at + 4 > b.size()) return 0;
    return SwapPorts(uint32_t{GetBe16(b.data() + at)} << 16 | GetBe16(b.data() + at + 2));
  }

  // The masked and set port word, the larger half high (hmark_swap_ports).
  uint32_t SwapPorts(uint32_t raw) const {
    uint32_t mask = flags_ & Bit(kSpiMask)
                        ? spi_mask_
                        : (uint32_t{flags_ & Bit(kSportMask) ? sport_mask_ : 0u} << 16) |
                              (flags_ & Bit(kDportMask) ? dport_mask_ : 0u);
    uint32_t set = flags_ & Bit(kSpi)
                       ? spi_
                       : (uint32_t{flags_ & Bit(kSport) ? sport_ : 0u} << 16) |
                             (flags_ & Bit(kDport) ? dport_ : 0u);
    uint32_t hp = (raw & mask) | set;
    uint32_t s = hp >> 16, d = hp & 0xffff;
    return d > s ? (d << 16 | s) : (s << 16 | d);
  }

  // hmark_hash: jhash_3words(lower address, higher address, ports, rnd),
  // XOR the masked protocol, scaled into [0, mod) (reciprocal_scale), plus
  // the offset.
  uint32_t Hash(uint32_t src, uint32_t dst, uint32_t ports, uint8_t proto) const {
    if (dst < src) std::swap(src, dst);
    const uint16_t pmask = flags_ & Bit(kProtoMask) ? proto_mask_ : 0;
    uint32_t h = Jhash3Words(src, dst, ports, rnd_) ^ (proto & pmask);
    return static_cast<uint32_t>((uint64_t{h} * mod_) >> 32) + offset_;
  }


  // ipv6_find_hdr(skb, &off, -1, ..., IP6_FH_F_AUTH) on the IPv6 header at
  // `ip6`: the first header that is not an extension header (or AH, or
  // "no next header"), its offset in *off, *frag set when a fragment header
  // was crossed (a later fragment stops there); -1 when cut off.
  static int FindHdr6(const std::vector<uint8_t>& b, size_t ip6, size_t* off, bool* frag) {
    if (ip6 + 40 > b.size() || (b[ip6] >> 4) != 6) return -1;
    uint8_t nh = b[ip6 + 6];
    size_t start = ip6 + 40;
    for (;;) {
      const bool ext = nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60;
      if (!ext) break;  // also 59, "no next header": returned as the protocol
      if (nh == 51) break;  // AH: hashed with its SPI as the "ports"
      if (start + 8 > b.size()) return -1;
      size_t len;
      if (nh == 44) {
        *frag = true;
        if (GetBe16(b.data() + start + 2) & 0xfff8) {  // a later fragment
          uint8_t next = b[start];
          const bool next_ext = next == 0 || next == 43 || next == 44 || next == 51 || next == 60;
          if (!next_ext) {
            *off = start;
            return next;
          }
          return -1;
        }
        len = 8;
      } else {
        len = (static_cast<size_t>(b[start + 1]) + 1) * 8;
      }
      nh = b[start];
      start += len;
    }
    *off = start;
    return nh;
  }

  Status ParseTuple(std::span<const Arg> args, uint8_t full) {
    std::string_view list = args[0].text;
    auto bad = [&](std::string_view rest) {
      return Status::Error("invalid --hmark-tuple '" + std::string(args[0].text) +
                               "' at '" + std::string(rest) +
                               "' (a comma-separated list of ct, src, dst, sport, dport, "
                               "proto, spi)",
                           0);
    };
    while (true) {
      size_t comma = list.find(',');
      std::string_view w = list.substr(0, comma);
      if (w.empty()) return bad(list);
      bool found = false;
      for (auto& [name, f] : kTupleWords)
        if (w.size() <= name.size() &&
            strncasecmp(std::string(w).c_str(), name.data(), w.size()) == 0) {
          SetFull(f, full);
          found = true;
          break;
        }
      if (!found) return bad(list);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    return {};
  }
  void SetFull(Field f, uint8_t full) {
    switch (f) {
      case kSaddrMask: src_prefix_ = full; break;
      case kDaddrMask: dst_prefix_ = full; break;
      case kSportMask: sport_mask_ = 0xffff; break;
      case kDportMask: dport_mask_ = 0xffff; break;
      case kProtoMask: proto_mask_ = 0xffff; break;
      case kSpiMask: spi_mask_ = 0xffffffff; break;
      default: break;  // kCt
    }
    flags_ |= Bit(f);
    seen_ |= Bit(f);
  }

  uint32_t flags_ = 0;  // XT_HMARK_* bits
  uint32_t seen_ = 0;   // options given (iptables' xflags)
  uint8_t src_prefix_ = 0, dst_prefix_ = 0;
  uint16_t sport_mask_ = 0, dport_mask_ = 0, sport_ = 0, dport_ = 0, proto_mask_ = 0;
  uint32_t spi_mask_ = 0, spi_ = 0, rnd_ = 0, mod_ = 0, offset_ = 0;
};

}  // namespace

extern const ExtensionInfo kHmarkTarget = {
    .name = "HMARK",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<HmarkTarget>,
};

}  // namespace iptsim
