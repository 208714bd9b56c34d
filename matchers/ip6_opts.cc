#include "matchers/ip6_opts.h"

#include "matchers/header_eval.h"
#include "matchers/parse_util.h"

namespace iptsim {

Status Ip6OptsMatch::Parse(int option, bool invert, std::span<const Arg> args,
                           const ParseContext&) {
  Status s = given_.Add(option, info().options);
  if (!s.ok()) return s;
  if (option == kOptLen) {
    inv_len_ = invert;
    return ParseUIntArgT(args, 0, 0, 0xffffffff, "header length", &len_);
  }
  // TYPE[:LEN][,TYPE[:LEN]...]: both numbers as strtoul reads them, keeping
  // the low 8 bits (as iptables does: 256 is type 0).
  const std::string all(args[0].text);
  std::string_view list = all;
  while (true) {
    if (opts_.size() == kMaxOpts)
      return Status::Error("too many options in '" + all + "' (at most 16)", 0);
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    size_t colon = item.find(':');
    std::string_view type_text = item.substr(0, colon);
    uint64_t type, len = 0xff;
    if (!hdr::Strtoul(type_text, &type))
      return Status::Error("invalid option type '" + std::string(type_text) + "' in '" + all +
                               "' (expected TYPE[:LENGTH],...)",
                           0);
    if (colon != std::string_view::npos) {
      // iptables' own limit: the 16th option cannot carry a length.
      if (opts_.size() == kMaxOpts - 1)
        return Status::Error("too many options in '" + all +
                                 "' (the 16th option cannot have a length)",
                             0);
      if ((type & 0xff) == 0)
        return Status::Error("option type 0 (Pad1) has no length in '" + all + "'", 0);
      std::string_view len_text = item.substr(colon + 1);
      if (!hdr::Strtoul(len_text, &len))
        return Status::Error("invalid option length '" + std::string(len_text) + "' in '" + all +
                                 "'",
                             0);
    }
    opts_.push_back(static_cast<uint16_t>((type & 0xff) << 8 | (len & 0xff)));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return {};
}

// The header (hop-by-hop 0 / destination options 60) found by ipv6_find_hdr
// (a broken chain or a header cut off drops the packet; none: no match; a
// header longer than the packet: no match); then --PREFIX-len, then the
// listed options in order from the header's first option ("strict": the
// kernel refuses not-strict).  The list may run past the header's end: the
// loop then stops and the match fails, except that the last option's step
// is not checked.
Tri Ip6OptsMatch::Evaluate(const PacketView& v, EvalContext& ctx) const {
  size_t ptr = 0;
  int err = header_eval::FindIpv6Hdr(v, prefix_ == "hbh" ? 0 : 60, &ptr);
  if (err < 0) {
    if (err != header_eval::kENOENT) ctx.hotdrop = true;
    return Tri::kFalse;
  }
  if (!header_eval::Have(v, ptr, 2)) {
    ctx.hotdrop = true;
    return Tri::kFalse;
  }
  const uint32_t skblen = static_cast<uint32_t>(v.size());
  uint32_t hdrlen = (static_cast<uint32_t>(v.data()[ptr + 1]) + 1) * 8;
  if (skblen - ptr < hdrlen) return Tri::kFalse;
  const bool ret = !has_len() || ((len_ == hdrlen) != inv_len_);
  if (!given_.Has(kOptOpts)) return ToTri(ret);
  // The kernel's unsigned arithmetic, kept as it is.
  uint32_t p = static_cast<uint32_t>(ptr) + 2;
  hdrlen -= 2;
  size_t temp = 0;
  const size_t n = opts_.size();
  for (; temp < n; ++temp) {
    if (hdrlen < 1) break;
    if (!header_eval::Have(v, p, 1)) break;
    const uint8_t type = v.data()[p];
    if (type != (opts_[temp] >> 8)) return Tri::kFalse;
    uint32_t optlen;
    if (type) {
      if (hdrlen < 2) break;
      if (!header_eval::Have(v, p + 1, 1)) break;
      const uint8_t len = v.data()[p + 1];
      const uint16_t spec = opts_[temp] & 0xff;
      if (spec != 0xff && spec != len) return Tri::kFalse;
      optlen = static_cast<uint32_t>(len) + 2;
    } else {
      optlen = 1;
    }
    if ((p > skblen - optlen || hdrlen < optlen) && temp < n - 1) break;
    p += optlen;
    hdrlen -= optlen;
  }
  return temp == n ? ToTri(ret) : Tri::kFalse;
}

void Ip6OptsMatch::Save(std::string& out, const SaveContext&) const {
  if (has_len()) SaveOpt(out, std::string(prefix_) + "-len", std::to_string(len_), inv_len_);
  if (given_.Has(kOptOpts)) {
    std::string v;
    for (uint16_t o : opts_) {
      if (!v.empty()) v += ',';
      v += std::to_string(o >> 8);
      if ((o & 0xff) != 0xff) v += ":" + std::to_string(o & 0xff);
    }
    SaveOpt(out, std::string(prefix_) + "-opts", v);
  }
}

}  // namespace iptsim
