#include "matchers/nat_npt.h"

#include "matchers/nat_values.h"
#include "matchers/parse_util.h"

namespace iptsim {

const OptionSpec kNptOptions[2] = {{"src-pfx", 1, false}, {"dst-pfx", 1, false}};

Status NptTarget::Parse(int option, bool, std::span<const Arg> args, const ParseContext& ctx) {
  std::string name = "--" + std::string(kNptOptions[option].name);
  if (seen_ & (1u << option)) return Status::Error("'" + name + "' may be given only once");
  seen_ |= 1u << option;
  IpAddr addr, mask;
  int plen;
  std::string why;
  if (!ParseXtHostMask(ctx.family, args[0].text, &addr, &mask, &plen, &why))
    return Status::Error(why, 0);
  // The address is kept as written (host bits included: the kernel refuses
  // them); a mask that is no prefix is length (uint8_t)-1.
  (option == 0 ? src_pfx_ : dst_pfx_) = addr;
  (option == 0 ? src_len_ : dst_len_) = plen >= 0 ? plen : 255;
  return {};
}

Status NptTarget::Finish(const ParseContext&) {
  if (!(seen_ & 1u)) return Status::Error("'--src-pfx' is required");
  if (!(seen_ & 2u)) return Status::Error("'--dst-pfx' is required");
  return {};
}

Status NptTarget::Check(const CheckContext&) const {
  // ip6t_npt_checkentry: prefixes of at most 64 bits, no host bits set.
  auto check = [](const char* what, const IpAddr& a, int len) -> Status {
    if (len > 64)
      return Status::Error(
          std::string("the kernel refuses ") + what + " longer than /64 (got " +
          (len == 255 ? std::string("a mask that is no prefix") : "/" + std::to_string(len)) + ")");
    IpAddr m = PrefixMask(Family::kIPv6, len);
    for (int i = 0; i < 16; ++i)
      if (a.b[i] & ~m.b[i])
        return Status::Error(std::string("the kernel refuses ") + what + " " +
                             FormatIpAddr(Family::kIPv6, a) + "/" + std::to_string(len) +
                             ": bits are set after the prefix");
    return {};
  };
  Status s = check("--src-pfx", src_pfx_, src_len_);
  if (!s.ok()) return s;
  return check("--dst-pfx", dst_pfx_, dst_len_);
}

void NptTarget::Save(std::string& out, const SaveContext& ctx) const {
  // libip6t_[SD]NPT print a prefix only when its length is not 0.
  if (src_len_)
    SaveOpt(out, "src-pfx", FormatIpAddr(ctx.family, src_pfx_) + "/" + std::to_string(src_len_));
  if (dst_len_)
    SaveOpt(out, "dst-pfx", FormatIpAddr(ctx.family, dst_pfx_) + "/" + std::to_string(dst_len_));
}

}  // namespace iptsim
