// Extension: ipv6header (match, IPv6)
// Synopsis: -m ipv6header [!] --header HEADER[,HEADER...] [--soft]
// Semantics: HEADERs are hop-by-hop (hop), ipv6-opts (dst), ipv6-route
//   (route), ipv6-frag (frag), ah (auth), esp, ipv6-nonxt (none) and protocol
//   (prot: any upper-layer protocol), or their /etc/protocols names and
//   decimal numbers (no leading zeros).  The set of headers in the packet's
//   chain ("protocol": it ends in an upper-layer header) must equal the
//   list ('!': differ from it); with --soft it must include every listed
//   header ('!': none of them).
// Example: -m ipv6header --header ipv6-frag --soft
// Evaluation: yes
#include "matchers/header_util.h"
#include "matchers/parse_util.h"
#include "matchers/header_eval.h"

namespace iptsim {
namespace {

enum { kOptHeader, kOptSoft };
constexpr OptionSpec kOptions[] = {{"header", 1, true}, {"soft", 0, false}};

// In the kernel's mask order (MASK_HOPOPTS 0x80 ... MASK_PROTO 0x01), with
// the protocol number each stands for and the name iptables-save prints.
constexpr struct {
  uint8_t proto;
  std::string_view name;
} kHeaders[] = {
    {0, "hop-by-hop"}, {60, "ipv6-opts"}, {43, "ipv6-route"}, {44, "ipv6-frag"},
    {51, "ah"},        {50, "esp"},       {59, "ipv6-nonxt"}, {255, "protocol"},
};
// libxtables' own short names.
constexpr struct {
  std::string_view name;
  uint8_t proto;
} kShortNames[] = {
    {"hop-by-hop", 0}, {"protocol", 255}, {"hop", 0},   {"dst", 60},  {"route", 43},
    {"frag", 44},      {"auth", 51},      {"esp", 50},  {"none", 59}, {"prot", 255},
};

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

class Ipv6headerMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    Status s = given_.Add(option, kOptions);
    if (!s.ok()) return s;
    if (option == kOptSoft) return {};
    invert_ = invert;
    std::string_view list = args[0].text;
    uint8_t mask = 0;
    while (true) {
      size_t comma = list.find(',');
      std::string_view w = list.substr(0, comma);
      if (!w.empty()) {
        uint64_t proto = 256;
        uint8_t p8;
        if (AllDigits(w)) {
          // Plain decimal only: iptables refuses leading zeros ("060").
          if ((w.size() > 1 && w[0] == '0') || !ParseUIntDec(w, 0, 255, &proto)) proto = 256;
        } else if (w != "all" && !isdigit(static_cast<unsigned char>(w[0])) &&
                   ParseProtocol(w, &p8)) {
          proto = p8;
        } else {
          for (const auto& n : kShortNames)
            if (n.name == w) proto = n.proto;
        }
        int bit = -1;
        for (size_t i = 0; i < std::size(kHeaders); ++i)
          if (kHeaders[i].proto == proto) bit = 7 - static_cast<int>(i);
        if (bit < 0)
          return Status::Error("unknown extension header '" + std::string(w) +
                                   "' (expected hop-by-hop, ipv6-opts, ipv6-route, ipv6-frag, "
                                   "ah, esp, ipv6-nonxt or protocol)",
                               0);
        mask |= static_cast<uint8_t>(1u << bit);
      }
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    if (!mask) return Status::Error("no header names in '" + std::string(args[0].text) + "'", 0);
    headers_ = mask;
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_.Has(kOptHeader)) return Status::Error("'--header HEADER[,HEADER...]' is required");
    return {};
  }
  // ip6t_ipv6header's ipv6header_mt6: the set of headers in the chain (the
  // walk passes every fragment header, first or not), "protocol" when it
  // ends in anything but ESP or "no next header".
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    if (v.size() < 40) return Tri::kFalse;
    uint8_t nexthdr = v.data()[6];
    size_t ptr = 40;
    long len = static_cast<long>(v.size()) - 40;
    uint8_t temp = 0;
    // nf_ip6_ext_hdr: hop-by-hop, routing, fragment, ESP, AH, none, dst.
    auto ext = [](uint8_t nh) {
      return nh == 0 || nh == 43 || nh == 44 || nh == 50 || nh == 51 || nh == 59 || nh == 60;
    };
    while (ext(nexthdr)) {
      if (nexthdr == 59) {
        temp |= 0x02;
        break;
      }
      if (len < 2) return Tri::kFalse;
      if (nexthdr == 50) {
        temp |= 0x04;
        break;
      }
      if (!header_eval::Have(v, ptr, 2)) {
        ctx.hotdrop = true;
        return Tri::kFalse;
      }
      const uint8_t* hp = v.data() + ptr;
      size_t hdrlen = nexthdr == 44   ? 8
                      : nexthdr == 51 ? (static_cast<size_t>(hp[1]) + 2) * 4
                                      : (static_cast<size_t>(hp[1]) + 1) * 8;
      switch (nexthdr) {
        case 0: temp |= 0x80; break;
        case 43: temp |= 0x20; break;
        case 44: temp |= 0x10; break;
        case 51: temp |= 0x08; break;
        case 60: temp |= 0x40; break;
      }
      nexthdr = hp[0];
      len -= static_cast<long>(hdrlen);
      ptr += hdrlen;
      if (ptr > v.size()) break;
    }
    if (nexthdr != 59 && nexthdr != 50) temp |= 0x01;
    // iptables sets invflags 0xff with '!', modeflag with --soft.
    const uint8_t inv = invert_ ? 0xff : 0;
    if (soft()) return ToTri(((temp ^ headers_ ^ inv) & headers_) == 0);
    return ToTri(invert_ ? temp != headers_ : temp == headers_);
  }
  void Save(std::string& out, const SaveContext&) const override {
    std::string v;
    for (size_t i = 0; i < std::size(kHeaders); ++i)
      if (headers_ & (1u << (7 - i))) {
        if (!v.empty()) v += ',';
        v += kHeaders[i].name;
      }
    SaveOpt(out, "header", v, invert_);
    if (soft()) SaveOpt(out, "soft");
  }
  // MASK_HOPOPTS 0x80, DSTOPTS 0x40, ROUTING 0x20, FRAGMENT 0x10, AH 0x08,
  // ESP 0x04, NONE 0x02, PROTO 0x01.
  uint8_t headers() const { return headers_; }
  bool invert() const { return invert_; }
  bool soft() const { return given_.Has(kOptSoft); }

 private:
  hdr::OptionSet given_;
  uint8_t headers_ = 0;
  bool invert_ = false;
};

}  // namespace

extern const ExtensionInfo kIpv6headerMatch = {
    .name = "ipv6header",
    .kind = ExtKind::kMatch,
    .families = kFamV6,
    .options = kOptions,
    .create = Create<Ipv6headerMatch>,
};

}  // namespace iptsim
