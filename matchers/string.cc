// Extension: string (match, IPv4 IPv6)
// Synopsis: -m string --algo bm|kmp [!] --string TEXT | [!] --hex-string HEX
//   [--from OFFSET] [--to OFFSET] [--icase]
// Semantics: the pattern (at most 128 bytes, not empty) occurs in the packet
//   between byte offsets FROM and TO (0..65535, default 0 and 65535, counted
//   from the start of the network header); --icase ignores case.  HEX mixes
//   text and |hex bytes| ("a|0d 0a|b"); \ quotes the next character outside
//   |...|.  iptables-save prints the pattern as --string "..." when every
//   byte is printable and the last is not '\', else as --hex-string "|..|".
//   Kernel: --algo must name a text search module (bm, kmp), FROM <= TO.
// Example: -m string --string "GET /admin" --algo bm --to 200
// Evaluation: yes (--algo bm is the kernel's own Boyer-Moore, including the occurrences its --icase tables step over)
#include <algorithm>
#include <cstdio>
#include <vector>

#include "base/mac.h"
#include "matchers/header_util.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

enum { kOptFrom, kOptTo, kOptAlgo, kOptString, kOptHexString, kOptIcase };
constexpr OptionSpec kOptions[] = {
    {"from", 1, false},   {"to", 1, false},         {"algo", 1, false},
    {"string", 1, true},  {"hex-string", 1, true},  {"icase", 0, false},
};
constexpr size_t kMaxPattern = 128;  // XT_STRING_MAX_PATTERN_SIZE

// iptables' --hex-string syntax; false with `why` set on error.  One quirk
// kept on purpose: the character right after a '|' is taken as data of the
// new mode even when it is '\\' or '|' ("|41|\\" is 41 5c, as iptables reads it).
bool ParseHexString(std::string_view s, std::string* out, std::string* why) {
  out->clear();
  bool hex = false;
  size_t i = 0;
  while (i < s.size()) {
    bool quoted = false;
    if (s[i] == '\\') {
      if (hex) {
        *why = "'\\' cannot appear inside |hex| data";
        return false;
      }
      quoted = true;
    } else if (s[i] == '|') {
      hex = !hex;
      if (hex)
        while (i + 1 < s.size() && s[i + 1] == ' ') ++i;
      if (i + 1 >= s.size()) break;
      ++i;
    }
    if (quoted) {
      if (i + 1 >= s.size()) {
        *why = "'\\' at the end of the string has nothing to quote";
        return false;
      }
      *out += s[i + 1];
      i += 2;
    } else if (hex) {
      // Two hex digits, followed by more data or the closing '|'.
      if (i + 2 >= s.size()) {
        *why = "unterminated or odd-length |hex| block";
        return false;
      }
      int h = HexDigitValue(s[i]), l = HexDigitValue(s[i + 1]);
      if (h < 0 || l < 0) {
        *why = std::string("invalid hex digit '") + (h < 0 ? s[i] : s[i + 1]) + "'";
        return false;
      }
      *out += static_cast<char>(h * 16 + l);
      i += s[i + 2] == ' ' ? 3 : 2;
    } else {
      *out += s[i];
      ++i;
    }
    if (out->size() > kMaxPattern) {
      *why = "pattern is too long (at most 128 bytes)";
      return false;
    }
  }
  return true;
}

bool Printable(const std::string& p) {
  for (char c : p)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) return false;
  return p.empty() || p.back() != '\\';
}

class StringMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext&) override {
    Status s = given_.Add(option, kOptions);
    if (!s.ok()) return s;
    s = given_.Exclude(option,
                       option == kOptString      ? std::initializer_list<int>{kOptHexString}
                       : option == kOptHexString ? std::initializer_list<int>{kOptString}
                                                 : std::initializer_list<int>{},
                       kOptions);
    if (!s.ok()) return s;
    switch (option) {
      case kOptFrom:
        return ParseUIntArgT(args, 0, 0, 65535, "offset", &from_);
      case kOptTo:
        return ParseUIntArgT(args, 0, 0, 65535, "offset", &to_);
      case kOptAlgo:
        if (args[0].text != "bm" && args[0].text != "kmp")
          return Status::Error("unknown search algorithm '" + std::string(args[0].text) +
                                   "' (the kernel offers bm and kmp)",
                               0);
        algo_ = std::string(args[0].text);
        return {};
      case kOptString:
        if (args[0].text.size() > kMaxPattern)
          return Status::Error("string is too long (" + std::to_string(args[0].text.size()) +
                                   " bytes; at most 128)",
                               0);
        pattern_ = std::string(args[0].text);
        invert_ = invert;
        return {};
      case kOptHexString: {
        std::string why;
        if (!ParseHexString(args[0].text, &pattern_, &why))
          return Status::Error("invalid hex string '" + std::string(args[0].text) + "': " + why,
                               0);
        invert_ = invert;
        return {};
      }
      case kOptIcase:
        icase_ = true;
        return {};
    }
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_.Has(kOptString) && !given_.Has(kOptHexString))
      return Status::Error("'--string TEXT' or '--hex-string HEX' is required");
    if (!given_.Has(kOptAlgo)) return Status::Error("'--algo bm|kmp' is required");
    if (pattern_.empty()) return Status::Error("the pattern is empty (the kernel refuses it)");
    if (from_ > to_)
      return Status::Error("'--from " + std::to_string(from_) + "' is beyond '--to " +
                           std::to_string(to_) + "'");
    return {};
  }
  // xt_string's string_mt: skb_find_text(skb, from, to) over the packet
  // bytes from the network header: the search runs from `from` to the end
  // of the packet (the kernel's block is not cut at `to`), and the first
  // occurrence it finds counts when it ends by `to`.  kmp finds the leftmost
  // occurrence; bm is the kernel's own Boyer-Moore (lib/ts_bm.c, KernelBm),
  // quirks included.  --icase compares with the kernel's toupper, which also
  // folds Latin-1 letters (lib/ctype.c).
  Tri Evaluate(const PacketView& v, EvalContext&) const override {
    const size_t n = v.size(), plen = pattern_.size();
    size_t pos = kNotFound;
    if (from_ < n) {
      const uint8_t* text = v.data() + from_;
      const size_t text_len = n - from_;
      if (algo_ == "bm") {
        pos = KernelBm(text, text_len);
      } else {
        for (size_t s = 0; pos == kNotFound && s + plen <= text_len; ++s) {
          size_t i = 0;
          while (i < plen && Up(text[s + i]) == Up(static_cast<uint8_t>(pattern_[i]))) ++i;
          if (i == plen) pos = s;
        }
      }
    }
    const bool found = pos != kNotFound && pos + plen <= static_cast<size_t>(to_) - from_;
    return ToTri(found != invert_);
  }

  void Save(std::string& out, const SaveContext&) const override {
    std::string v = "\"";
    if (Printable(pattern_)) {
      for (char c : pattern_) {
        if (c == '"' || c == '\\') v += '\\';
        v += c;
      }
      v += '"';
      SaveOpt(out, "string", v, invert_);
    } else {
      v += '|';
      for (char c : pattern_) {
        char buf[4];
        snprintf(buf, sizeof buf, "%02x", static_cast<unsigned char>(c));
        v += buf;
      }
      v += "|\"";
      SaveOpt(out, "hex-string", v, invert_);
    }
    SaveOpt(out, "algo", algo_);
    if (from_ != 0) SaveOpt(out, "from", std::to_string(from_));
    if (to_ != 65535) SaveOpt(out, "to", std::to_string(to_));
    if (icase_) SaveOpt(out, "icase");
  }
  const std::string& pattern() const { return pattern_; }
  const std::string& algo() const { return algo_; }
  uint16_t from() const { return from_; }
  uint16_t to() const { return to_; }
  bool icase() const { return icase_; }
  bool invert() const { return invert_; }

 private:
  hdr::OptionSet given_;
  std::string pattern_, algo_;
  uint16_t from_ = 0, to_ = 65535;
  static constexpr size_t kNotFound = static_cast<size_t>(-1);

  // The kernel's toupper/tolower (lib/ctype.c: Latin-1 letters fold too;
  // 0xdf and 0xff are lower case without an upper one in Latin-1, so
  // toupper gives 0xbf and 0xdf).
  static bool IsLower(uint8_t c) { return (c >= 'a' && c <= 'z') || (c >= 0xdf && c != 0xf7); }
  static bool IsUpper(uint8_t c) {
    return (c >= 'A' && c <= 'Z') || (c >= 0xc0 && c <= 0xde && c != 0xd7);
  }
  uint8_t Up(uint8_t c) const { return icase_ && IsLower(c) ? static_cast<uint8_t>(c - 32) : c; }
  static uint8_t Lower(uint8_t c) { return IsUpper(c) ? static_cast<uint8_t>(c + 32) : c; }

  // lib/ts_bm.c over one linear block: the pattern (toupper'ed with
  // --icase), the bad-character table (with --icase also indexed by
  // tolower of each pattern byte - not by every byte whose toupper it is,
  // so some case-folded occurrences are stepped over, as in the kernel) and
  // the good-suffix table of its subpattern(); returns the offset of the
  // first occurrence found, or kNotFound.
  size_t KernelBm(const uint8_t* text, size_t text_len) const {
    const int m = static_cast<int>(pattern_.size());
    std::vector<uint8_t> pat(pattern_.begin(), pattern_.end());
    for (uint8_t& c : pat) c = Up(c);
    std::vector<int> bad(256, m), good(static_cast<size_t>(m), m);
    for (int i = 0; i < m - 1; ++i) {
      bad[pat[static_cast<size_t>(i)]] = m - 1 - i;
      if (icase_) bad[Lower(pat[static_cast<size_t>(i)])] = m - 1 - i;
    }
    // subpattern(): whether the g bytes ending at i-1+g reoccur ending at
    // j-1+g (with j - 1 < 0 meaning a prefix), preceded by another byte.
    auto subpattern = [&](int i, int j, int g) {
      int x = i + g - 1, y = j + g - 1;
      while (pat[static_cast<size_t>(x--)] == pat[static_cast<size_t>(y--)]) {
        if (y < 0) return true;
        if (--g == 0) return pat[static_cast<size_t>(i - 1)] != pat[static_cast<size_t>(j - 1)];
      }
      return false;
    };
    good[0] = 1;
    for (int i = m - 1, g = 1; i > 0; ++g, --i)
      for (int j = i - 1; j >= 1 - g; --j)
        if (subpattern(i, j, g)) {
          good[static_cast<size_t>(g)] = m - j - g;
          break;
        }
    int shift = m - 1;
    while (static_cast<size_t>(shift) < text_len) {
      int i = 0;
      while (i < m && Up(text[shift - i]) == pat[static_cast<size_t>(m - 1 - i)]) ++i;
      if (i == m) return static_cast<size_t>(shift - (m - 1));
      const int bs = bad[text[shift - i]];
      shift = std::max(shift - i + bs, shift + good[static_cast<size_t>(i)]);
    }
    return kNotFound;
  }

  bool icase_ = false, invert_ = false;
};

}  // namespace

extern const ExtensionInfo kStringMatch = {
    .name = "string",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<StringMatch>,
};

}  // namespace iptsim
