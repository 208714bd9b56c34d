// Extension: mac (match, IPv4 IPv6)
// Synopsis: -m mac [!] --mac-source XX:XX:XX:XX:XX:XX
// Semantics: the Ethernet source address of the received frame.  Only
//   packets that came in on an interface have one: the kernel allows the
//   match only in PREROUTING, INPUT and FORWARD.
// Example: -m mac --mac-source 00:11:22:33:44:55
// Evaluation: yes
#include <array>
#include <cstdio>

#include "base/mac.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"mac-source", 1, true}};

class MacMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int, bool invert, std::span<const Arg> args, const ParseContext&) override {
    if (given_) return Status::Error("option '--mac-source' may be given only once");
    given_ = true;
    invert_ = invert;
    std::string_view t = args[0].text;
    if (!ParseMacStrict(t, &mac_))
      return Status::Error("invalid MAC address '" + std::string(t) +
                               "' (expected six hex bytes separated by ':')",
                           0);
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_) return Status::Error("'--mac-source ADDRESS' is required");
    return {};
  }
  // xt_mac's mac_mt: only on an Ethernet device (ARPHRD_ETHER: not lo, not a
  // tun device without a MAC header), the frame's source address.  No MAC
  // header: no match, whatever '!'.
  Tri Evaluate(const PacketView& v, EvalContext&) const override {
    const Packet& p = *v.pkt;
    if (p.in.empty() || p.mac_len != 14 || p.in == "lo") return Tri::kFalse;
    bool eq = std::equal(mac_.begin(), mac_.end(), p.mac.begin() + 6);
    return ToTri(eq != invert_);
  }
  void Save(std::string& out, const SaveContext&) const override {
    char buf[20];
    snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac_[0], mac_[1], mac_[2], mac_[3],
             mac_[4], mac_[5]);
    SaveOpt(out, "mac-source", buf, invert_);
  }
  const std::array<uint8_t, 6>& mac() const { return mac_; }
  bool invert() const { return invert_; }

 private:
  std::array<uint8_t, 6> mac_{};
  bool invert_ = false, given_ = false;
};

}  // namespace

extern const ExtensionInfo kMacMatch = {
    .name = "mac",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .hooks = HookBit(Hook::kPreRouting) | HookBit(Hook::kLocalIn) | HookBit(Hook::kForward),
    .create = Create<MacMatch>,
};

}  // namespace iptsim
