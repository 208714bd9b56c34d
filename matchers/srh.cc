// Extension: srh (match, IPv6)
// Synopsis: -m srh [[!] --srh-next-hdr N] [[!] --srh-hdr-len-eq|-gt|-lt N]
//   [[!] --srh-segs-left-eq|-gt|-lt N] [[!] --srh-last-entry-eq|-gt|-lt N]
//   [[!] --srh-tag TAG] [[!] --srh-psid ADDR[/LEN]] [[!] --srh-nsid ADDR[/LEN]]
//   [[!] --srh-lsid ADDR[/LEN]]
// Semantics: the packet has a Segment Routing Header (routing type 4) whose
//   next header, header length, segments left and last entry fields (8-bit)
//   compare as given, whose tag (16-bit) equals TAG, and whose previous,
//   next and last segment IDs lie in the given prefixes.  The -eq/-gt/-lt
//   variants of one field share a single value (the last one given wins, as
//   in the kernel's struct).  Without options it matches any SRH.
// Example: -m srh --srh-segs-left-gt 1 --srh-nsid 2001:db8::/64
// Evaluation: yes (--srh-tag compares byte-swapped, as the kernel does on little-endian machines)
#include <cstdio>

#include "matchers/header_eval.h"
#include "matchers/header_util.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

enum {
  kOptNextHdr,
  kOptLenEq, kOptLenGt, kOptLenLt,
  kOptSegsEq, kOptSegsGt, kOptSegsLt,
  kOptLastEq, kOptLastGt, kOptLastLt,
  kOptTag,
  kOptPsid, kOptNsid, kOptLsid,
  kNumOpts
};
constexpr OptionSpec kOptions[] = {
    {"srh-next-hdr", 1, true},
    {"srh-hdr-len-eq", 1, true},     {"srh-hdr-len-gt", 1, true},     {"srh-hdr-len-lt", 1, true},
    {"srh-segs-left-eq", 1, true},   {"srh-segs-left-gt", 1, true},   {"srh-segs-left-lt", 1, true},
    {"srh-last-entry-eq", 1, true},  {"srh-last-entry-gt", 1, true},  {"srh-last-entry-lt", 1, true},
    {"srh-tag", 1, true},
    {"srh-psid", 1, true},           {"srh-nsid", 1, true},           {"srh-lsid", 1, true},
};

// ADDR[/MASK]: MASK a prefix length (0..128) or an address; the address
// keeps its host bits (xtables' host/mask type).
bool ParseHostMask(std::string_view text, IpPrefix* out) {
  size_t slash = text.find('/');
  if (!ParseIpAddr(Family::kIPv6, text.substr(0, slash), &out->addr)) return false;
  if (slash == std::string_view::npos) {
    out->mask = PrefixMask(Family::kIPv6, 128);
    return true;
  }
  std::string_view m = text.substr(slash + 1);
  uint64_t len;
  if (ParseUInt(m, 0, 128, &len)) {
    out->mask = PrefixMask(Family::kIPv6, static_cast<int>(len));
    return true;
  }
  return ParseIpAddr(Family::kIPv6, m, &out->mask);
}

class SrhMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    Status s = given_.Add(option, kOptions);
    if (!s.ok()) return s;
    invert_[option] = invert;
    switch (option) {
      case kOptNextHdr:
        return ParseUIntArgT(args, 0, 0, 255, "next header", &next_hdr_);
      case kOptLenEq:
      case kOptLenGt:
      case kOptLenLt:
        return ParseUIntArgT(args, 0, 0, 255, "header length", &hdr_len_);
      case kOptSegsEq:
      case kOptSegsGt:
      case kOptSegsLt:
        return ParseUIntArgT(args, 0, 0, 255, "segments left", &segs_left_);
      case kOptLastEq:
      case kOptLastGt:
      case kOptLastLt:
        return ParseUIntArgT(args, 0, 0, 255, "last entry", &last_entry_);
      case kOptTag:
        return ParseUIntArgT(args, 0, 0, 65535, "tag", &tag_);
      case kOptPsid:
      case kOptNsid:
      case kOptLsid: {
        IpPrefix& p = sid_[option - kOptPsid];
        if (!ParseHostMask(args[0].text, &p))
          return Status::Error("invalid segment ID '" + std::string(args[0].text) +
                                   "' (expected IPV6-ADDRESS[/PREFIX-LENGTH])",
                               0);
        return {};
      }
    }
    return {};
  }
  void Save(std::string& out, const SaveContext&) const override {
    for (int o = 0; o < kNumOpts; ++o) {
      if (!given_.Has(o)) continue;
      std::string v;
      if (o == kOptNextHdr) v = std::to_string(next_hdr_);
      else if (o <= kOptLenLt) v = std::to_string(hdr_len_);
      else if (o <= kOptSegsLt) v = std::to_string(segs_left_);
      else if (o <= kOptLastLt) v = std::to_string(last_entry_);
      else if (o == kOptTag) v = std::to_string(tag_);
      else {
        const IpPrefix& p = sid_[o - kOptPsid];
        int len = MaskPrefixLen(Family::kIPv6, p.mask);
        // iptables prints a non-contiguous mask as /128.
        v = FormatIpAddr(Family::kIPv6, p.addr) + "/" + std::to_string(len < 0 ? 128 : len);
      }
      SaveOpt(out, kOptions[o].name, v, invert_[o]);
    }
  }
  // ip6t_srh.c srh1_mt6: the routing header (ipv6_find_hdr; none, or a
  // chain cut short: no match), complete (its length within the packet),
  // of type 4 with segments left <= last entry; then every given field
  // compares (a test that fails, or succeeds under '!', ends in no match);
  // the previous SID needs segments left < last entry, the next SID
  // segments left > 0, and an SID cut off is no match.  --srh-tag: iptables
  // stores the tag in host order and the kernel compares it with the
  // header's network-order field, so on little-endian machines (x86, this
  // model) the tag that matches is the byte-swapped one: --srh-tag 1792
  // (0x0700) matches a header tag of 7 (checked against the kernel:
  // scripts/kernel-check-runstate.sh).
  Tri Evaluate(const PacketView& v, EvalContext&) const override {
    size_t off = 0;
    if (header_eval::FindIpv6Hdr(v, 43, &off) < 0) return Tri::kFalse;
    if (!header_eval::Have(v, off, 8)) return Tri::kFalse;
    const uint8_t* h = v.data() + off;
    const size_t hdrlen = (static_cast<size_t>(h[1]) + 1) * 8;
    if (v.size() - off < hdrlen) return Tri::kFalse;
    const uint8_t next = h[0], len = h[1], type = h[2], segs = h[3], last = h[4];
    const uint16_t tag = GetBe16(h + 6);
    if (type != 4 || segs > last) return Tri::kFalse;
    auto fails = [&](int o, bool cond) { return given_.Has(o) && (!cond != invert_[o]); };
    if (fails(kOptNextHdr, next == next_hdr_) || fails(kOptLenEq, len == hdr_len_) ||
        fails(kOptLenGt, len > hdr_len_) || fails(kOptLenLt, len < hdr_len_) ||
        fails(kOptSegsEq, segs == segs_left_) || fails(kOptSegsGt, segs > segs_left_) ||
        fails(kOptSegsLt, segs < segs_left_) || fails(kOptLastEq, last == last_entry_) ||
        fails(kOptLastGt, last > last_entry_) || fails(kOptLastLt, last < last_entry_) ||
        fails(kOptTag, tag == static_cast<uint16_t>(tag_ << 8 | tag_ >> 8)))
      return Tri::kFalse;
    auto sid = [&](int o, size_t at) {
      if (!header_eval::Have(v, at, 16)) return false;
      const IpPrefix& p = sid_[o - kOptPsid];
      bool in = true;
      for (size_t i = 0; i < 16; ++i) in = in && ((v.data()[at + i] ^ p.addr.b[i]) & p.mask.b[i]) == 0;
      return in != invert_[o];
    };
    if (given_.Has(kOptPsid) && (segs == last || !sid(kOptPsid, off + 8 + (segs + 1u) * 16)))
      return Tri::kFalse;
    if (given_.Has(kOptNsid) && (segs == 0 || !sid(kOptNsid, off + 8 + (segs - 1u) * 16)))
      return Tri::kFalse;
    if (given_.Has(kOptLsid) && !sid(kOptLsid, off + 8)) return Tri::kFalse;
    return Tri::kTrue;
  }

  // Which options were given (the enum above) and their inversion.
  bool has(int option) const { return given_.Has(option); }
  bool inverted(int option) const { return invert_[option]; }
  uint8_t next_hdr() const { return next_hdr_; }
  uint8_t hdr_len() const { return hdr_len_; }
  uint8_t segs_left() const { return segs_left_; }
  uint8_t last_entry() const { return last_entry_; }
  uint16_t tag() const { return tag_; }
  const IpPrefix& psid() const { return sid_[0]; }
  const IpPrefix& nsid() const { return sid_[1]; }
  const IpPrefix& lsid() const { return sid_[2]; }

 private:
  hdr::OptionSet given_;
  bool invert_[kNumOpts] = {};
  uint8_t next_hdr_ = 0, hdr_len_ = 0, segs_left_ = 0, last_entry_ = 0;
  uint16_t tag_ = 0;
  IpPrefix sid_[3];
};

}  // namespace

extern const ExtensionInfo kSrhMatch = {
    .name = "srh",
    .kind = ExtKind::kMatch,
    .families = kFamV6,
    .options = kOptions,
    .create = Create<SrhMatch>,
};

}  // namespace iptsim
