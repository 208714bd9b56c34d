#include "matchers/nat_npt.h"

#include <algorithm>
#include <vector>

#include "base/bytes.h"
#include "base/checksum.h"
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
  if (Status s = ParseXtHostMask(ctx.family, args[0].text, &addr, &mask, &plen); !s.ok())
    return Status::Error(s.message(), 0);
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

namespace iptsim {
namespace {

// The one's complement sum of an address's 16-bit words (the order of the
// bytes does not matter to it, so network-order words give the kernel's
// result).
uint16_t OnesSum(const IpAddr& a) {
  uint16_t s = 0;
  for (int i = 0; i < 16; i += 2) s = Csum16Add(s, GetBe16(&a.b[i]));
  return s;
}

}  // namespace

// ip6t_npt_map_pfx: the first max(src, dst) prefix bits of the address
// become --dst-pfx's, then one 16-bit word of the interface identifier
// (the 4th word for prefixes up to /48, else the first of words 5..8 that
// is not 0xffff) gets the adjustment sum(src-pfx) - sum(dst-pfx) added in
// one's complement, which keeps every checksum over the address valid
// (0xffff becomes 0).  False when no word can take it.
bool NptTarget::MapPrefix(uint8_t* addr) const {
  const int len = std::max(src_len_, dst_len_);
  for (int i = 0; i < len; i += 32) {
    uint32_t mask = len - i >= 32 ? 0 : (1u << (i - len + 32)) - 1;
    uint8_t* w = addr + i / 8;
    const uint32_t dv = GetBe32(dst_pfx_.b.data() + i / 8);
    PutBe32(w, (GetBe32(w) & mask) | (~mask & dv));
  }
  int idx = 3;
  if (len > 48) {
    for (idx = 4; idx < 8; ++idx)
      if (GetBe16(addr + 2 * idx) != 0xffff) break;
    if (idx == 8) return false;
  }
  const uint16_t adjustment = Csum16Add(OnesSum(src_pfx_), static_cast<uint16_t>(~OnesSum(dst_pfx_)));
  uint16_t sum = Csum16Add(GetBe16(addr + 2 * idx), adjustment);
  if (sum == 0xffff) sum = 0;
  PutBe16(addr + 2 * idx, sum);
  return true;
}

// SNPT maps the source address, DNPT the destination; a packet whose
// address has no word to adjust is dropped (the kernel also sends an
// ICMPv6 parameter problem, not simulated).  Then, for an ICMPv6 error
// right after the IPv6 header, the embedded packet's destination (SNPT) or
// source (DNPT) is mapped too when it lies in --src-pfx.  The rule
// continues.
TargetVerdict NptTarget::Apply(Packet& pkt, const PacketView&, EvalContext&) const {
  const bool snat = info().name == "SNPT";
  std::vector<uint8_t>& b = pkt.bytes;
  if (b.size() < 40) return TargetVerdict::kContinue;
  if (!MapPrefix(b.data() + (snat ? 8 : 24))) return TargetVerdict::kDrop;
  // icmpv6_bounced_ipv6hdr: next header ICMPv6, an error type (< 128), the
  // embedded header complete.
  if (b[6] == 58 && b.size() >= 48 + 40 && b[40] < 128) {
    uint8_t* inner = b.data() + 48 + (snat ? 24 : 8);
    IpAddr have, want = PrefixMask(Family::kIPv6, src_len_);
    std::copy(inner, inner + 16, have.b.begin());
    bool in = true;
    for (int i = 0; i < 16; ++i) in = in && (have.b[i] & want.b[i]) == src_pfx_.b[i];
    if (in) MapPrefix(inner);
  }
  return TargetVerdict::kContinue;
}

}  // namespace iptsim
