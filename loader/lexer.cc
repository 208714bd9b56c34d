#include "loader/lexer.h"

namespace iptsim {

bool Tokenize(std::string_view line, size_t start, std::vector<Token>* out, LexError* err) {
  out->clear();
  size_t i = start;
  const size_t n = line.size();
  while (i < n) {
    char c = line[i];
    if (c == ' ' || c == '\t') {
      ++i;
      continue;
    }
    Token t;
    t.col = static_cast<uint32_t>(i + 1);
    size_t begin = i;
    bool in_quote = false;
    while (i < n) {
      c = line[i];
      if (in_quote) {
        if (c == '\\' && i + 1 < n) {
          t.text += line[i + 1];
          i += 2;
          continue;
        }
        if (c == '\\') {  // backslash at end of line: the line ends inside quotes
          ++i;
          continue;
        }
        if (c == '"') {
          // A closing quote ends the word, even when more text follows.
          ++i;
          in_quote = false;
          break;
        }
        t.text += c;
        ++i;
        continue;
      }
      if (c == '"') {
        in_quote = true;
        ++i;
        continue;
      }
      if (c == ' ' || c == '\t') break;
      t.text += c;
      ++i;
    }
    t.len = static_cast<uint32_t>(i - begin);
    if (in_quote) {
      err->col = t.col;
      err->len = t.len;
      err->message = "unterminated quote";
      return false;
    }
    if (t.text.size() > kMaxTokenLength) {
      err->col = t.col;
      err->len = t.len;
      err->message = "argument too long (" + std::to_string(t.text.size()) +
                     " characters; iptables-restore accepts at most " +
                     std::to_string(kMaxTokenLength) + ")";
      return false;
    }
    out->push_back(std::move(t));
  }
  return true;
}

bool LineReader::Next(std::string_view* line, uint32_t* number) {
  if (pos_ >= text_.size()) return false;
  size_t nl = text_.find('\n', pos_);
  size_t end = nl == std::string_view::npos ? text_.size() : nl;
  std::string_view l = text_.substr(pos_, end - pos_);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  pos_ = nl == std::string_view::npos ? text_.size() : nl + 1;
  *line = l;
  *number = ++line_;
  return true;
}

}  // namespace iptsim
