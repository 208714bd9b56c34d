// Splits iptables-restore input into lines and a command line into words,
// exactly as iptables-restore's add_param_to_argv does: words are separated
// by blanks; a '"' opens a quoted part in which '\' escapes the next
// character; a closing '"' ends the word (so '""' is an empty word); a
// quote left open takes the rest of the line and its newline.  Every word
// keeps the column it started at, for diagnostics.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace iptsim {

struct Token {
  std::string_view text;  // after unquoting: a view into the line, or into the
                          // scratch buffer given to Tokenize for quoted words
  uint32_t col = 0;  // 1-based column of the first source character
  uint32_t len = 0;  // number of source characters (quotes included)
};

struct LexError {
  uint32_t col = 0;
  uint32_t len = 1;
  std::string message;
};

// Longest word iptables-restore accepts (its parameter buffer is 1024 bytes).
constexpr size_t kMaxTokenLength = 1023;
// Most words on one iptables-restore command line (its argv has 255 places,
// 3 taken by "iptables-restore -t TABLE").
constexpr size_t kMaxRestoreWords = 251;

// Splits `line` (no newline) starting at byte `start`.  Words that needed
// unquoting are written to *scratch (its old contents are dropped), so the
// tokens stay valid until the next call with the same scratch.  Returns false
// and fills *err on an over-long word.
bool Tokenize(std::string_view line, size_t start, std::vector<Token>* out, std::string* scratch,
              LexError* err);

// Iterates over the lines of a buffer: line numbers from 1, '\r' before '\n'
// dropped (ended_with_cr() tells, for readers that refuse it).
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  bool Next(std::string_view* line, uint32_t* number);
  // Whether the last line given by Next ended with "\r" (dropped from it).
  bool ended_with_cr() const { return cr_; }
  // Whether the last line given by Next was ended by a newline.
  bool ended_with_newline() const { return pos_ > 0 && text_[pos_ - 1] == '\n'; }
  // Byte offset of the next line, and repositioning (for skipping a region
  // that was read by other means).
  size_t pos() const { return pos_; }
  void Seek(size_t pos, uint32_t lines_before) {
    pos_ = pos;
    line_ = lines_before;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  uint32_t line_ = 0;
  bool cr_ = false;
};

}  // namespace iptsim
