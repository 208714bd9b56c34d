// Extension: TCPOPTSTRIP (target, IPv4 IPv6)
// Synopsis: -p tcp -j TCPOPTSTRIP [--strip-options OPT[,OPT...]]
// Semantics: overwrites the listed TCP options of every TCP packet with NOPs
//   (fixing the checksum), then the rule continues.  OPT is a kind number
//   2..255 or a name: mss (2), wscale (3), sack-permitted (4), sack (5),
//   timestamp (8), md5 (19); none listed strips nothing.  Saved as sorted
//   numbers.  The kernel accepts it only in the mangle table, with '-p tcp'.
// Example: -t mangle -A POSTROUTING -p tcp -j TCPOPTSTRIP --strip-options timestamp
// Evaluation: yes
#include <algorithm>
#include <array>
#include <bitset>

#include "base/checksum.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"strip-options", 1, false}};

constexpr std::array<std::pair<std::string_view, uint8_t>, 6> kOptNames = {{
    {"mss", 2}, {"wscale", 3}, {"sack-permitted", 4}, {"sack", 5}, {"timestamp", 8}, {"md5", 19},
}};

class TcpoptstripTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int, bool, std::span<const Arg> args, const ParseContext&) override {
    if (given_) return Status::Error("only one '--strip-options' allowed");
    given_ = true;
    std::string_view list = args[0].text;
    while (true) {
      size_t comma = list.find(',');
      std::string_view w = list.substr(0, comma);
      uint64_t kind = 0;
      bool found = ParseUInt(w, 0, 255, &kind);
      if (!found)
        for (auto& [name, k] : kOptNames)
          if (w == name) {
            kind = k;
            found = true;
          }
      if (!found)
        return Status::Error("unknown TCP option '" + std::string(w) +
                                 "' (a number 2..255, or mss, wscale, sack-permitted, sack, "
                                 "timestamp, md5)",
                             0);
      if (kind <= 1)
        return Status::Error("TCP option " + std::to_string(kind) +
                                 " (end of list / NOP) cannot be stripped",
                             0);
      if (strip_[kind])
        return Status::Error("TCP option '" + std::string(w) + "' is listed twice", 0);
      strip_[kind] = true;
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    return {};
  }
  // TCP options become NOPs (no field; a truncated header, which the
  // symbolic evaluation does not consider, is dropped): the walk goes on.
  TargetEffect DescribeEffect(Family) const override { return describe::Continue(); }
  // xt_TCPOPTSTRIP.c tcpoptstrip_mangle_packet: non-first fragments are left
  // alone; a TCP header that cannot be read whole is NF_DROP; every option
  // to strip becomes NOP bytes, the checksum following byte by byte
  // (inet_proto_csum_replace2 on the byte's half of its 16-bit word).
  TargetVerdict Apply(Packet& pkt, const PacketView& v, EvalContext&) const override {
    if (v.fragoff != 0) return TargetVerdict::kContinue;
    size_t thoff = v.thoff;
    if (pkt.bytes.size() < thoff + 20) return TargetVerdict::kDrop;
    uint8_t* opt = pkt.bytes.data() + thoff;
    size_t hdrlen = static_cast<size_t>(opt[12] >> 4) * 4;
    if (hdrlen < 20 || pkt.bytes.size() < thoff + hdrlen) return TargetVerdict::kDrop;
    for (size_t i = 20, optl; i < hdrlen - 1; i += optl) {
      optl = (opt[i] <= 1 || opt[i + 1] == 0) ? 1 : opt[i + 1];
      if (i + optl > hdrlen) break;
      if (!strip_.test(opt[i])) continue;
      for (size_t j = 0; j < optl; ++j) {
        uint16_t o = opt[i + j], n = 1;  // TCPOPT_NOP
        if ((i + j) % 2 == 0) {
          o = static_cast<uint16_t>(o << 8);
          n = static_cast<uint16_t>(n << 8);
        }
        InetProtoCsumReplace2(opt + 16, o, n);
      }
      std::fill(opt + i, opt + i + optl, uint8_t{1});
    }
    return TargetVerdict::kContinue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    std::string list;
    for (int k = 0; k < 256; ++k)
      if (strip_[k]) {
        if (!list.empty()) list += ',';
        list += std::to_string(k);
      }
    if (!list.empty()) SaveOpt(out, "strip-options", list);
  }

  // Whether option kind k is stripped.
  bool strips(uint8_t k) const { return strip_[k]; }

 private:
  std::bitset<256> strip_;
  bool given_ = false;
};

}  // namespace

extern const ExtensionInfo kTcpoptstripTarget = {
    .name = "TCPOPTSTRIP",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .table = static_cast<int8_t>(TableId::kMangle),
    .proto = 6,
    .create = Create<TcpoptstripTarget>,
};

}  // namespace iptsim
