// Extension: dccp (match, IPv4 IPv6)
// Synopsis: -p dccp [-m dccp] [[!] --sport|--source-port PORT[:PORT]]
//   [[!] --dport|--destination-port PORT[:PORT]] [[!] --dccp-types TYPE[,TYPE...]]
//   [[!] --dccp-option NUMBER]
// Semantics: source/destination port ranges (inclusive); --dccp-types: the
//   packet type is one of REQUEST RESPONSE DATA ACK DATAACK CLOSEREQ CLOSE
//   RESET SYNC SYNCACK INVALID; --dccp-option: the DCCP option 1..255 is
//   present.  '!' inverts each test.  Non-first fragments never match; a
//   truncated header is dropped.  The kernel (xt_dccp) refuses the match
//   unless the rule has '-p dccp' (not inverted).  A reversed port range
//   (A:B with A > B) loads, as in iptables 1.8.9, and never matches (always
//   with '!').
// Example: -p dccp -m dccp --dport 5004 --dccp-types REQUEST,RESPONSE
// Evaluation: yes
#include <array>

#include "matchers/describe_util.h"
#include "matchers/parse_util.h"
#include "matchers/port_range.h"
#include "matchers/header_eval.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"source-port", 1, true}, {"sport", 1, true},      {"destination-port", 1, true},
    {"dport", 1, true},       {"dccp-types", 1, true}, {"dccp-option", 1, true},
};

constexpr std::array<std::string_view, 11> kTypeNames = {
    "REQUEST", "RESPONSE", "DATA", "ACK", "DATAACK", "CLOSEREQ",
    "CLOSE",   "RESET",    "SYNC", "SYNCACK", "INVALID",
};

bool EqualNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (toupper(static_cast<unsigned char>(a[i])) != toupper(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// " --NAME A[:B]" whenever the option was given (libxt_dccp prints even 0:65535).
void SavePorts(std::string& out, std::string_view name, const PortRange& r) {
  if (!r.given) return;
  std::string v = std::to_string(r.lo);
  if (r.lo != r.hi) v += ":" + std::to_string(r.hi);
  SaveOpt(out, name, v, r.invert);
}

class DccpMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    switch (option) {
      case 0:
      case 1:
        return sport_.Parse(args, "", invert, "source-port", RangeOrder::kAnyOrder);
      case 2:
      case 3:
        return dport_.Parse(args, "", invert, "destination-port", RangeOrder::kAnyOrder);
      case 4: {
        if (types_given_) return Status::Error("only one '--dccp-types' allowed");
        uint16_t mask = 0;
        std::string_view s = args[0].text;
        size_t pos = 0;
        while (pos <= s.size()) {
          size_t comma = s.find(',', pos);
          std::string_view w = s.substr(pos, comma == std::string_view::npos ? s.npos : comma - pos);
          if (!w.empty()) {
            size_t i = 0;
            while (i < kTypeNames.size() && !EqualNoCase(kTypeNames[i], w)) ++i;
            if (i == kTypeNames.size())
              return Status::Error("unknown DCCP packet type '" + std::string(w) +
                                       "' (REQUEST, RESPONSE, DATA, ACK, DATAACK, CLOSEREQ, "
                                       "CLOSE, RESET, SYNC, SYNCACK, INVALID)",
                                   0);
            mask |= static_cast<uint16_t>(1u << i);
          }
          if (comma == std::string_view::npos) break;
          pos = comma + 1;
        }
        types_ = mask;
        types_given_ = true;
        inv_types_ = invert;
        return {};
      }
      case 5: {
        if (option_given_) return Status::Error("only one '--dccp-option' allowed");
        option_given_ = true;
        inv_option_ = invert;
        return ParseUIntArgT(args, 0, 1, 255, "DCCP option", &option_);
      }
    }
    return {};
  }

  // xt_dccp's dccp_mt: not for later fragments; the 12-byte generic header
  // must be readable, else the packet is dropped.  Each given test, '!'
  // inverting it; --dccp-option scans the options after the type-specific
  // header (a data offset below that header, or options cut off, drop the
  // packet; the test's value is then "not found", inverted by '!').
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    if (v.fragoff != 0) return Tri::kFalse;
    if (!header_eval::Have(v, v.thoff, 12)) {
      ctx.hotdrop = true;
      return Tri::kFalse;
    }
    const uint8_t* dh = v.transport();
    if (sport_.given && !sport_.Contains(GetBe16(dh))) return Tri::kFalse;
    if (dport_.given && !dport_.Contains(GetBe16(dh + 2))) return Tri::kFalse;
    const uint8_t type = (dh[8] >> 1) & 0x0f;
    if (types_given_ && ((types_ >> type) & 1) == inv_types_) return Tri::kFalse;
    if (option_given_ && FindOption(v, dh, type, ctx) == inv_option_) return Tri::kFalse;
    return Tri::kTrue;
  }
  // dccp_find_option.
  bool FindOption(const PacketView& v, const uint8_t* dh, uint8_t type, EvalContext& ctx) const {
    // __dccp_hdr_len: 12, + 4 with the X bit (extended sequence numbers),
    // + dccp_packet_hdr_len(type).
    size_t hlen = 12 + ((dh[8] & 1) ? 4 : 0);
    if (type == 2) hlen += 0;                                       // DATA
    else if (type == 0) hlen += 4;                                  // REQUEST
    else if (type == 3 || type == 4 || (type >= 5 && type <= 6) || type == 8 || type == 9)
      hlen += 8;                                                    // acks, close, sync
    else hlen += 12;                                                // RESPONSE, RESET, others
    const size_t doff = static_cast<size_t>(dh[4]) * 4;
    if (doff < hlen) {
      ctx.hotdrop = true;
      return false;
    }
    const size_t optlen = doff - hlen;
    if (!optlen) return false;
    if (!header_eval::Have(v, v.thoff + hlen, optlen)) {
      ctx.hotdrop = true;
      return false;
    }
    const uint8_t* op = dh + hlen;
    for (size_t i = 0; i < optlen;) {
      if (op[i] == option_) return true;
      if (op[i] < 2 || i + 1 >= optlen)
        ++i;
      else
        i += op[i + 1] ? op[i + 1] : 1;
    }
    return false;
  }
  // The ports; the packet type and the options are no fields: opaque.
  Pred Describe(Family) const override {
    std::vector<Pred> all = {describe::ProtoIs(33), describe::NotLaterFragment(),
                             sport_.Describe(Field::kSport), dport_.Describe(Field::kDport)};
    if (types_given_ || option_given_) all.push_back(Pred::Opaque());
    return describe::AllOf(std::move(all));
  }
  void Save(std::string& out, const SaveContext&) const override {
    SavePorts(out, "sport", sport_);
    SavePorts(out, "dport", dport_);
    if (types_given_) {
      std::string v;
      for (size_t i = 0; i < kTypeNames.size(); ++i)
        if (types_ & (1u << i)) {
          if (!v.empty()) v += ',';
          v += kTypeNames[i];
        }
      SaveOpt(out, "dccp-types", v, inv_types_);
    }
    if (option_given_) SaveOpt(out, "dccp-option", std::to_string(option_), inv_option_);
  }

  const PortRange& sport() const { return sport_; }  // .given false: not tested
  const PortRange& dport() const { return dport_; }
  bool types_given() const { return types_given_; }
  uint16_t types() const { return types_; }  // bit N: packet type N
  bool inv_types() const { return inv_types_; }
  bool option_given() const { return option_given_; }
  uint8_t option() const { return option_; }
  bool inv_option() const { return inv_option_; }

 private:
  PortRange sport_, dport_;
  uint16_t types_ = 0;
  uint8_t option_ = 0;
  bool types_given_ = false, inv_types_ = false, option_given_ = false, inv_option_ = false;
};

}  // namespace

extern const ExtensionInfo kDccpMatch = {
    .name = "dccp",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .proto = 33,
    .create = Create<DccpMatch>,
};

}  // namespace iptsim
