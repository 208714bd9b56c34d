// Extension: tcp (match, IPv4 IPv6)
// Synopsis: -p tcp [-m tcp] [[!] --sport|--source-port PORT[:PORT]]
//   [[!] --dport|--destination-port PORT[:PORT]] [[!] --tcp-flags MASK COMP]
//   [[!] --syn] [[!] --tcp-option NUMBER]
// Semantics: source/destination port ranges (inclusive), the flags of MASK
//   that are set must be exactly COMP (FIN SYN RST PSH ACK URG, ALL, NONE),
//   --syn is --tcp-flags FIN,SYN,RST,ACK SYN, --tcp-option tests that the
//   option kind is present.  Needs -p tcp (xt_tcpudp refuses other
//   protocols); the kernel drops non-first fragments' evaluation (no match).
// Example: -p tcp -m tcp --dport 22 --tcp-flags FIN,SYN,RST,ACK SYN
// Evaluation: yes
#include <array>

#include "base/bytes.h"
#include "matchers/describe_util.h"
#include "matchers/parse_util.h"
#include "matchers/port_range.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"source-port", 1, true},      {"sport", 1, true},     {"destination-port", 1, true},
    {"dport", 1, true},            {"tcp-flags", 2, true}, {"syn", 0, true},
    {"tcp-option", 1, true},
};

constexpr std::array<std::pair<std::string_view, uint8_t>, 6> kFlagNames = {{
    {"FIN", 0x01}, {"SYN", 0x02}, {"RST", 0x04}, {"PSH", 0x08}, {"ACK", 0x10}, {"URG", 0x20},
}};

bool ParseFlags(std::string_view s, uint8_t* out) {
  uint8_t v = 0;
  while (true) {
    size_t comma = s.find(',');
    std::string_view w = s.substr(0, comma);
    auto eq = [&](std::string_view n) {
      if (n.size() != w.size()) return false;
      for (size_t i = 0; i < n.size(); ++i)
        if (toupper(static_cast<unsigned char>(w[i])) != n[i]) return false;
      return true;
    };
    if (eq("ALL")) v |= 0x3f;
    else if (eq("NONE")) v |= 0;
    else {
      bool found = false;
      for (auto& [name, bit] : kFlagNames)
        if (eq(name)) {
          v |= bit;
          found = true;
        }
      if (!found) return false;
    }
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  *out = v;
  return true;
}

std::string FlagsText(uint8_t f) {
  if (!f) return "NONE";
  std::string s;
  for (auto& [name, bit] : kFlagNames)
    if (f & bit) {
      if (!s.empty()) s += ',';
      s += name;
    }
  return s;
}

class TcpMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext& ctx) override {
    switch (option) {
      case 0:
      case 1:
        return sport_.Parse(args, "tcp", invert, "source-port");
      case 2:
      case 3:
        return dport_.Parse(args, "tcp", invert, "destination-port");
      case 4:
      case 5: {
        if (flags_given_) return Status::Error("only one of '--tcp-flags' and '--syn' allowed");
        flags_given_ = true;
        inv_flags_ = invert;
        if (option == 5) {
          mask_ = 0x17;  // FIN,SYN,RST,ACK
          cmp_ = 0x02;
          return {};
        }
        if (!ParseFlags(args[0].text, &mask_))
          return Status::Error("unknown TCP flag in '" + std::string(args[0].text) + "'", 0);
        if (!ParseFlags(args[1].text, &cmp_))
          return Status::Error("unknown TCP flag in '" + std::string(args[1].text) + "'", 1);
        return {};
      }
      case 6: {
        if (option_given_) return Status::Error("only one '--tcp-option' allowed");
        option_given_ = true;
        inv_option_ = invert;
        return ParseUIntArgT(args, 0, 1, 255, "TCP option", &option_);
      }
    }
    return {};
  }

  // xt_tcpudp's tcp_mt.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    if (v.fragoff != 0) {
      // A TCP header split across fragments: offset 1 (8 bytes) is dropped.
      if (v.pkt->family == Family::kIPv4 && v.fragoff == 1 && !inv_flags_ && (mask_ || cmp_))
        ctx.hotdrop = true;
      return Tri::kFalse;
    }
    if (v.transport_size() < 20) {
      ctx.hotdrop = true;
      return Tri::kFalse;
    }
    const uint8_t* th = v.transport();
    uint16_t sport = GetBe16(th);
    uint16_t dport = GetBe16(th + 2);
    if (!sport_.Contains(sport) || !dport_.Contains(dport)) return Tri::kFalse;
    if (((th[13] & mask_) == cmp_) == inv_flags_) return Tri::kFalse;
    if (option_) {
      size_t doff = static_cast<size_t>(th[12] >> 4) * 4;
      if (doff < 20 || v.transport_size() < doff) {
        ctx.hotdrop = true;
        return Tri::kFalse;
      }
      bool found = false;
      for (size_t i = 20; i < doff;) {
        if (th[i] == option_) {
          found = true;
          break;
        }
        if (th[i] < 2 || i + 1 >= doff)
          ++i;
        else
          i += th[i + 1] ? th[i + 1] : 1;
      }
      if (found == inv_option_) return Tri::kFalse;
    }
    return Tri::kTrue;
  }

  // Evaluate's tests in its order; --tcp-option reads the options, which
  // are no field: opaque.
  Pred Describe(Family) const override {
    std::vector<Pred> all = {describe::ProtoIs(6), describe::NotLaterFragment(),
                             sport_.Describe(Field::kSport), dport_.Describe(Field::kDport),
                             describe::MaskedEquals(Field::kTcpFlags, cmp_, mask_, inv_flags_)};
    if (option_) all.push_back(Pred::Opaque());
    return describe::AllOf(std::move(all));
  }

  void Save(std::string& out, const SaveContext&) const override {
    sport_.Save(out, "sport");
    dport_.Save(out, "dport");
    if (option_ || inv_option_) SaveOpt(out, "tcp-option", std::to_string(option_), inv_option_);
    if (mask_ || inv_flags_)
      SaveOpt(out, "tcp-flags", FlagsText(mask_) + " " + FlagsText(cmp_), inv_flags_);
  }

 private:
  PortRange sport_, dport_;
  uint8_t mask_ = 0, cmp_ = 0, option_ = 0;
  bool flags_given_ = false, inv_flags_ = false, option_given_ = false, inv_option_ = false;
};

}  // namespace

extern const ExtensionInfo kTcpMatch = {
    .name = "tcp",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .proto = 6,
    .create = Create<TcpMatch>,
};

}  // namespace iptsim
