#include "loader/lexer.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>

namespace iptsim {

namespace {

// Character classes for the scanner: 1 = blank (word separator), 2 = '"'.
struct CharClass {
  uint8_t c[256] = {};
  constexpr CharClass() {
    c[static_cast<uint8_t>(' ')] = 1;
    c[static_cast<uint8_t>('\t')] = 1;
    c[static_cast<uint8_t>('"')] = 2;
  }
};
constexpr CharClass kClass;

// The first position at or after i holding a blank or a '"' (or n): eight
// bytes at a time (a word is typically short, a comment long).
inline size_t ScanWord(const char* p, size_t i, size_t n) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
  auto zero_bytes = [](uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  while (std::endian::native == std::endian::little && i + 8 <= n) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    uint64_t hit = zero_bytes(w ^ (kOnes * ' ')) | zero_bytes(w ^ (kOnes * '\t')) |
                   zero_bytes(w ^ (kOnes * '"'));
    if (hit) return i + static_cast<size_t>(__builtin_ctzll(hit) >> 3);
    i += 8;
  }
  while (i < n && kClass.c[static_cast<uint8_t>(p[i])] == 0) ++i;
  return i;
}

// The first position at or after i holding '"' or '\\' (or n).
inline size_t ScanQuoted(const char* p, size_t i, size_t n) {
  constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
  auto zero_bytes = [](uint64_t v) { return (v - kOnes) & ~v & kHighs; };
  while (std::endian::native == std::endian::little && i + 8 <= n) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    uint64_t hit = zero_bytes(w ^ (kOnes * '"')) | zero_bytes(w ^ (kOnes * '\\'));
    if (hit) return i + static_cast<size_t>(__builtin_ctzll(hit) >> 3);
    i += 8;
  }
  while (i < n && p[i] != '"' && p[i] != '\\') ++i;
  return i;
}

bool TooLong(const Token& t, LexError* err) {
  if (t.text.size() <= kMaxTokenLength) return false;
  err->col = t.col;
  err->len = t.len;
  err->message = "argument too long (" + std::to_string(t.text.size()) +
                 " characters; iptables-restore accepts at most " +
                 std::to_string(kMaxTokenLength) + ")";
  return true;
}

}  // namespace

bool Tokenize(std::string_view line, size_t start, std::vector<Token>* out, std::string* scratch,
              LexError* err) {
  out->clear();
  scratch->clear();
  // Unquoted text is never longer than the line: with this capacity the
  // scratch buffer never moves, so views into it stay valid.
  scratch->reserve(line.size() + 1);  // + the newline of an unterminated quote
  const char* const base = line.data();
  const size_t n = line.size();
  size_t i = start;
  while (i < n) {
    if (kClass.c[static_cast<uint8_t>(base[i])] == 1) {
      ++i;
      continue;
    }
    Token t;
    t.col = static_cast<uint32_t>(i + 1);
    const size_t begin = i;
    // Fast path: a word without quotes is a view into the line.
    i = ScanWord(base, i, n);
    if (i == n || base[i] != '"') {
      t.text = std::string_view(base + begin, i - begin);
      t.len = static_cast<uint32_t>(i - begin);
      if (t.len > kMaxTokenLength && TooLong(t, err)) return false;
      out->push_back(t);
      continue;
    }
    // A word with quotes is unquoted into the scratch buffer: outside quotes
    // characters are literal; inside, '\' takes the next character
    // literally and the closing quote ends the word.
    const size_t sbegin = scratch->size();
    scratch->append(base + begin, i - begin);
    bool in_quote = false;
    while (i < n) {
      char c = base[i];
      if (!in_quote) {
        if (c == '"') {
          in_quote = true;
          ++i;
          continue;
        }
        if (c == ' ' || c == '\t') break;
        scratch->push_back(c);
        ++i;
        continue;
      }
      // Inside quotes: copy up to the next '"' or '\' in one piece.
      size_t j = ScanQuoted(base, i, n);
      scratch->append(base + i, j - i);
      i = j;
      if (i == n) break;
      if (base[i] == '\\') {
        if (i + 1 < n) scratch->push_back(base[i + 1]);
        i += 2;  // a backslash at the end of the line leaves the quote open
        continue;
      }
      ++i;  // the closing quote ends the word, even when more text follows
      in_quote = false;
      break;
    }
    if (i > n) i = n;
    // A quote still open at the end of the line takes the newline too, and
    // the word ends there: iptables-restore reads lines with their '\n'.
    if (in_quote) scratch->push_back('\n');
    t.text = std::string_view(*scratch).substr(sbegin);
    t.len = static_cast<uint32_t>(i - begin);
    if (t.len > kMaxTokenLength && TooLong(t, err)) return false;
    out->push_back(t);
  }
  return true;
}

bool LineReader::Next(std::string_view* line, uint32_t* number) {
  if (pos_ >= text_.size()) return false;
  size_t nl = text_.find('\n', pos_);
  size_t end = nl == std::string_view::npos ? text_.size() : nl;
  std::string_view l = text_.substr(pos_, end - pos_);
  cr_ = !l.empty() && l.back() == '\r';
  if (cr_) l.remove_suffix(1);
  pos_ = nl == std::string_view::npos ? text_.size() : nl + 1;
  *line = l;
  *number = ++line_;
  return true;
}

}  // namespace iptsim
