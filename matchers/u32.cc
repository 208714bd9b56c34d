// Extension: u32 (match, IPv4 IPv6)
// Synopsis: -m u32 [!] --u32 "TEST[&&TEST...]"
//   TEST := LOCATION=VALUE[:VALUE][,VALUE[:VALUE]...]
//   LOCATION := NUMBER[(&|<<|>>|@)NUMBER...]
// Semantics: each TEST reads 4 bytes (big endian) at an offset of the
//   network header, combines it left to right (& mask, << and >> shifts;
//   @ adds the value to the base offset and reads 4 bytes at base + the next
//   number) and checks the result lies in one of the ranges; all tests must
//   hold (a read beyond the packet fails the match).  Numbers are 32-bit
//   (0x hex, 0 octal, decimal).  At most 10 tests, 10 numbers per location
//   and 10 ranges per test.
// Example: -m u32 --u32 "0>>22&0x3C@0>>16=0x0:0x10"
// Evaluation: yes
#include <vector>

#include "matchers/parse_util.h"
#include "base/bytes.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"u32", 1, true}};
constexpr size_t kMaxItems = 10;  // xtables' XT_U32_MAXSIZE

enum class U32Op : uint8_t { kAnd, kLeftShift, kRightShift, kAt };

struct U32Location {
  U32Op op = U32Op::kAnd;  // how this number combines with the value so far (not for the first)
  uint32_t number = 0;
};
struct U32Range {
  uint32_t min = 0, max = 0;
};
struct U32Test {
  std::vector<U32Location> location;
  std::vector<U32Range> ranges;
};

class U32Parser {
 public:
  explicit U32Parser(std::string_view s) : s_(s) {}

  bool Parse(std::vector<U32Test>* tests) {
    while (true) {
      if (tests->size() == kMaxItems) return Fail("too many tests joined with '&&' (at most 10)");
      U32Test t;
      SkipSpace();
      if (pos_ == s_.size()) return Fail("a location is expected (the test is empty)");
      if (s_[pos_] == '=') return Fail("a location is expected before '='");
      U32Location first;
      if (!Number(&first.number)) return false;
      t.location.push_back(first);
      while (true) {
        SkipSpace();
        if (pos_ == s_.size()) return Fail("'=' and a value are expected after the location");
        char c = s_[pos_];
        if (c == '=') {
          ++pos_;
          break;
        }
        U32Location l;
        if (c == '&') {
          l.op = U32Op::kAnd;
          ++pos_;
        } else if (c == '<' || c == '>') {
          if (pos_ + 1 >= s_.size() || s_[pos_ + 1] != c)
            return Fail(std::string("a second '") + c + "' is expected");
          l.op = c == '<' ? U32Op::kLeftShift : U32Op::kRightShift;
          pos_ += 2;
        } else if (c == '@') {
          l.op = U32Op::kAt;
          ++pos_;
        } else {
          return Fail("an operator (&, <<, >>, @) or '=' is expected");
        }
        if (t.location.size() == kMaxItems)
          return Fail("too many operators in one location (at most 10 numbers)");
        SkipSpace();
        if (!Number(&l.number)) return false;
        t.location.push_back(l);
      }
      while (true) {
        SkipSpace();
        if (pos_ == s_.size()) return Fail("a value is expected");
        if (t.ranges.size() == kMaxItems) return Fail("too many values in one test (at most 10)");
        U32Range r;
        if (!Number(&r.min)) return false;
        r.max = r.min;
        SkipSpace();
        if (pos_ < s_.size() && s_[pos_] == ':') {
          ++pos_;
          SkipSpace();
          if (!Number(&r.max)) return false;
          SkipSpace();
        }
        t.ranges.push_back(r);
        if (pos_ == s_.size()) {
          tests->push_back(std::move(t));
          return true;
        }
        if (s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (s_.substr(pos_, 2) == "&&") {
          pos_ += 2;
          break;
        }
        return Fail("',' or '&&' is expected");
      }
      tests->push_back(std::move(t));
    }
  }
  const std::string& error() const { return error_; }

 private:
  void SkipSpace() {
    while (pos_ < s_.size() && isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool Fail(std::string msg) {
    error_ = "at character " + std::to_string(pos_) + ": " + msg;
    return false;
  }
  // A number as strtoul(base 0) reads it; at most 0xffffffff.
  bool Number(uint32_t* out) {
    size_t p = pos_;
    int base = 10;
    if (p + 2 < s_.size() && s_[p] == '0' && (s_[p + 1] == 'x' || s_[p + 1] == 'X') &&
        isxdigit(static_cast<unsigned char>(s_[p + 2]))) {
      base = 16;
      p += 2;
    } else if (p < s_.size() && s_[p] == '0') {
      base = 8;
    }
    size_t start = p;
    uint64_t v = 0;
    bool overflow = false;
    for (; p < s_.size(); ++p) {
      char c = s_[p];
      int d = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : 99;
      if (d >= base) break;
      v = v * base + d;
      if (v > 0xffffffffu) overflow = true;
    }
    if (p == start || overflow) return Fail("a 32-bit number is expected");
    *out = static_cast<uint32_t>(v);
    pos_ = p;
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string error_;
};

class U32Match : public Match {
 public:
  using Match::Match;

  Status Parse(int, bool invert, std::span<const Arg> args, const ParseContext&) override {
    if (given_) return Status::Error("option '--u32' may be given only once");
    given_ = true;
    invert_ = invert;
    U32Parser p(args[0].text);
    if (!p.Parse(&tests_))
      return Status::Error("invalid u32 expression '" + std::string(args[0].text) + "': " +
                               p.error(),
                           0);
    return {};
  }
  Status Finish(const ParseContext&) override {
    if (!given_) return Status::Error("'--u32 TESTS' is required");
    return {};
  }
  // xt_u32's u32_match_it over the packet from the network header.  Shift
  // counts of 32 and more act modulo 32, as the x86 shift instructions do
  // (the C shift is undefined there).
  Tri Evaluate(const PacketView& v, EvalContext&) const override {
    const uint32_t len = static_cast<uint32_t>(v.size());
    auto word = [&](uint32_t off) { return GetBe32(v.data() + off); };
    bool ok = true;
    for (const U32Test& t : tests_) {
      uint32_t at = 0, pos = t.location[0].number;
      if (len < 4 || pos > len - 4) {
        ok = false;
        break;
      }
      uint32_t val = word(pos);
      for (size_t i = 1; ok && i < t.location.size(); ++i) {
        const uint32_t number = t.location[i].number;
        switch (t.location[i].op) {
          case U32Op::kAnd: val &= number; break;
          case U32Op::kLeftShift: val <<= (number & 31); break;
          case U32Op::kRightShift: val >>= (number & 31); break;
          case U32Op::kAt:
            if (at + val < at) {
              ok = false;
              break;
            }
            at += val;
            pos = number;
            if (at + 4 < at || len < at + 4 || pos > len - at - 4) {
              ok = false;
              break;
            }
            val = word(at + pos);
            break;
        }
      }
      if (!ok) break;
      bool in = false;
      for (const U32Range& r : t.ranges)
        if (r.min <= val && val <= r.max) {
          in = true;
          break;
        }
      if (!in) {
        ok = false;
        break;
      }
    }
    return ToTri(ok != invert_);
  }
  void Save(std::string& out, const SaveContext&) const override {
    std::string v = "\"";
    for (size_t i = 0; i < tests_.size(); ++i) {
      const U32Test& t = tests_[i];
      if (i) v += "&&";
      for (size_t k = 0; k < t.location.size(); ++k) {
        if (k) {
          switch (t.location[k].op) {
            case U32Op::kAnd: v += "&"; break;
            case U32Op::kLeftShift: v += "<<"; break;
            case U32Op::kRightShift: v += ">>"; break;
            case U32Op::kAt: v += "@"; break;
          }
        }
        v += Hex(t.location[k].number);
      }
      v += "=";
      for (size_t k = 0; k < t.ranges.size(); ++k) {
        if (k) v += ",";
        v += Hex(t.ranges[k].min);
        if (t.ranges[k].max != t.ranges[k].min) v += ":" + Hex(t.ranges[k].max);
      }
    }
    v += "\"";
    SaveOpt(out, "u32", v, invert_);
  }
  const std::vector<U32Test>& tests() const { return tests_; }
  bool invert() const { return invert_; }

 private:
  std::vector<U32Test> tests_;
  bool invert_ = false, given_ = false;
};

}  // namespace

extern const ExtensionInfo kU32Match = {
    .name = "u32",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<U32Match>,
};

}  // namespace iptsim
