// Extension: connbytes (match, IPv4 IPv6)
// Synopsis: -m connbytes [!] --connbytes FROM[:TO]
//   --connbytes-dir original|reply|both --connbytes-mode packets|bytes|avgpkt
// Semantics: the connection's packet count, byte count or average packet
//   size (conntrack accounting, which the kernel switches on when such a rule
//   is loaded), counted in the given direction, lies in FROM..TO (TO defaults
//   to unlimited).  "!" is stored by swapping FROM and TO, and the kernel then
//   matches values outside the range (so "! --connbytes 5:5" loses its "!", as
//   in iptables).  All three options are mandatory; FROM > TO is refused; no
//   table or hook restriction.  Saved as FROM alone when TO is 0 or unlimited.
// Example: -m connbytes --connbytes 10000: --connbytes-dir both --connbytes-mode bytes
// Evaluation: yes (the counters of the run's connection table)
#include "matchers/ct_common.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"connbytes", 1, true}, {"connbytes-dir", 1, false}, {"connbytes-mode", 1, false}};

constexpr std::string_view kModes[] = {"packets", "bytes", "avgpkt"};
constexpr std::string_view kDirs[] = {"original", "reply", "both"};

class ConnbytesMatch : public Match {
 public:
  using Match::Match;

  enum Mode : uint8_t { kPackets, kBytes, kAvgPkt };
  enum Dir : uint8_t { kOriginal, kReply, kBoth };

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    Status s = OnlyOnce(&given_[option], kOptions[option].name);
    if (!s.ok()) return s;
    std::string_view text = args[0].text;
    switch (option) {
      case 0: {
        uint64_t lo, hi;
        bool two;
        if (Status st = ParseUIntRange(text, UINT64_MAX, "count", &lo, &hi, &two); !st.ok())
          return Status::Error(st.message(), 0);
        from = lo;
        to = two ? hi : UINT64_MAX;
        if (invert) std::swap(from, to);
        return {};
      }
      case 1:
        for (uint8_t i = 0; i < 3; ++i)
          if (text == kDirs[i]) {
            dir = static_cast<Dir>(i);
            return {};
          }
        return Status::Error("unknown direction '" + std::string(text) +
                                 "' (must be original, reply or both)",
                             0);
      case 2:
        for (uint8_t i = 0; i < 3; ++i)
          if (text == kModes[i]) {
            mode = static_cast<Mode>(i);
            return {};
          }
        return Status::Error("unknown mode '" + std::string(text) +
                                 "' (must be packets, bytes or avgpkt)",
                             0);
    }
    return {};
  }

  Status Finish(const ParseContext&) override {
    for (int i = 0; i < 3; ++i)
      if (!given_[i])
        return Status::Error("'--" + std::string(kOptions[i].name) + "' is required");
    return {};
  }

  void Save(std::string& out, const SaveContext&) const override {
    bool inv = from > to;
    uint64_t f = inv ? to : from, t = inv ? from : to;
    std::string v = std::to_string(f);
    if (t != 0 && t != UINT64_MAX) v += ":" + std::to_string(t);
    SaveOpt(out, "connbytes", v, inv);
    SaveOpt(out, "connbytes-mode", kModes[mode]);
    SaveOpt(out, "connbytes-dir", kDirs[dir]);
  }

  // The kernel's representation: from > to means "outside to..from".
  // connbytes_mt: the entry's accounting (the current packet included: it
  // was counted in nf_conntrack_in).
  Tri Evaluate(const PacketView&, EvalContext& ctx) const override {
    if (!ctx.ct || !ctx.ct->entry) return Tri::kFalse;
    const ConntrackEntry& e = *ctx.ct->entry;
    auto sum = [&](const uint64_t* c) {
      return dir == kOriginal ? c[kCtOriginal] : dir == kReply ? c[kCtReply]
                                                               : c[kCtOriginal] + c[kCtReply];
    };
    uint64_t what = 0;
    if (mode == kPackets) {
      what = sum(e.packets);
    } else if (mode == kBytes) {
      what = sum(e.bytes);
    } else {
      uint64_t pkts = sum(e.packets);
      if (pkts) what = sum(e.bytes) / pkts;
    }
    if (to >= from) return ToTri(what <= to && what >= from);
    return ToTri(what < to || what > from);
  }

  uint64_t from = 0, to = UINT64_MAX;
  Mode mode = kPackets;
  Dir dir = kOriginal;

 private:
  bool given_[3] = {};
};

}  // namespace

extern const ExtensionInfo kConnbytesMatch = {
    .name = "connbytes",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .enables_conntrack = true,
    .create = Create<ConnbytesMatch>,
};

}  // namespace iptsim
