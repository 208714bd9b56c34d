#include "matchers/ip6_opts.h"

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
