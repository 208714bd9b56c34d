// Extension: mh (match, IPv6)
// Synopsis: -p mobility-header -m mh [[!] --mh-type TYPE[:TYPE]]
// Semantics: the Mobility Header type lies in the inclusive range (default
//   0:255); TYPE is a number or a name (binding-refresh-request/brr 0,
//   home-test-init/hoti 1, careof-test-init/coti 2, home-test/hot 3,
//   careof-test/cot 4, binding-update/bu 5, binding-acknowledgement/ba 6,
//   binding-error/be 7; unique prefixes accepted).  '!' inverts.  Non-first
//   fragments never match; a truncated header, or a payload protocol field
//   other than 59 (no next header), is dropped.  The kernel (ip6t_mh) refuses
//   the match unless the rule has '-p mobility-header' (135, not inverted).
// Example: -p mobility-header -m mh --mh-type binding-update
// Evaluation: yes
#include <array>

#include "matchers/parse_util.h"
#include "matchers/header_eval.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"mh-type", 1, true}};

struct MhName {
  std::string_view name;
  uint8_t type;
};
constexpr std::array<MhName, 16> kMhNames = {{
    {"binding-refresh-request", 0}, {"brr", 0}, {"home-test-init", 1}, {"hoti", 1},
    {"careof-test-init", 2},        {"coti", 2}, {"home-test", 3},      {"hot", 3},
    {"careof-test", 4},             {"cot", 4},  {"binding-update", 5}, {"bu", 5},
    {"binding-acknowledgement", 6}, {"ba", 6},   {"binding-error", 7},  {"be", 7},
}};

bool PrefixNoCase(std::string_view full, std::string_view prefix) {
  if (prefix.size() > full.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (tolower(static_cast<unsigned char>(full[i])) !=
        tolower(static_cast<unsigned char>(prefix[i])))
      return false;
  return true;
}

// A name (the first one the text is a prefix of, unless a later one equals
// it) or a number 0..255.
bool ParseMhType(std::string_view text, uint8_t* out) {
  const MhName* match = nullptr;
  for (const MhName& n : kMhNames)
    if (PrefixNoCase(n.name, text) && (!match || n.name.size() == text.size())) match = &n;
  if (match) {
    *out = match->type;
    return true;
  }
  uint64_t v;
  if (!ParseUInt(text, 0, 255, &v)) return false;
  *out = static_cast<uint8_t>(v);
  return true;
}

class MhMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int, bool invert, std::span<const Arg> args, const ParseContext&) override {
    if (given_) return Status::Error("only one '--mh-type' allowed");
    std::string_view t = args[0].text;
    auto bad = [&](std::string_view part) {
      return Status::Error("invalid MH type '" + std::string(part) +
                               "' (a number 0..255 or a name such as binding-update)",
                           0);
    };
    size_t colon = t.find(':');
    if (colon == std::string_view::npos) {
      if (!ParseMhType(t, &min_)) return bad(t);
      max_ = min_;
    } else {
      std::string_view a = t.substr(0, colon), b = t.substr(colon + 1);
      min_ = 0;
      max_ = 255;
      if (!a.empty() && !ParseMhType(a, &min_)) return bad(a);
      if (!b.empty() && !ParseMhType(b, &max_)) return bad(b);
      if (min_ > max_)
        return Status::Error("invalid MH type range '" + std::string(t) +
                                 "': start is greater than end",
                             0);
    }
    invert_ = invert;
    given_ = true;
    return {};
  }

  // ip6t_mh's mh_mt6: not for later fragments; the 6-byte header must be
  // readable and its payload proto must be 59, else the packet is dropped.
  Tri Evaluate(const PacketView& v, EvalContext& ctx) const override {
    if (v.fragoff != 0) return Tri::kFalse;
    if (!header_eval::Have(v, v.thoff, 6) || v.transport()[0] != 59) {
      ctx.hotdrop = true;
      return Tri::kFalse;
    }
    const uint8_t type = v.transport()[2];
    return ToTri((type >= min_ && type <= max_) != invert_);
  }
  void Save(std::string& out, const SaveContext&) const override {
    // libip6t_mh prints nothing for the full range, inverted or not.
    if (min_ == 0 && max_ == 255) return;
    std::string v = std::to_string(min_);
    if (min_ != max_) v += ":" + std::to_string(max_);
    SaveOpt(out, "mh-type", v, invert_);
  }

  uint8_t type_min() const { return min_; }
  uint8_t type_max() const { return max_; }
  bool invert() const { return invert_; }

 private:
  uint8_t min_ = 0, max_ = 255;
  bool invert_ = false, given_ = false;
};

}  // namespace

extern const ExtensionInfo kMhMatch = {
    .name = "mh",
    .kind = ExtKind::kMatch,
    .families = kFamV6,
    .options = kOptions,
    .proto = 135,
    .create = Create<MhMatch>,
};

}  // namespace iptsim
