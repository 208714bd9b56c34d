// Extension: TCPOPTSTRIP (target, IPv4 IPv6)
// Synopsis: -p tcp -j TCPOPTSTRIP [--strip-options OPT[,OPT...]]
// Semantics: overwrites the listed TCP options of every TCP packet with NOPs
//   (fixing the checksum), then the rule continues.  OPT is a kind number
//   2..255 or a name: mss (2), wscale (3), sack-permitted (4), sack (5),
//   timestamp (8), md5 (19); none listed strips nothing.  Saved as sorted
//   numbers.  The kernel accepts it only in the mangle table, with '-p tcp'.
// Example: -t mangle -A POSTROUTING -p tcp -j TCPOPTSTRIP --strip-options timestamp
#include <array>
#include <bitset>

#include "matchers/parse_util.h"

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
