// The tokenizer follows iptables-restore's add_param_to_argv (checked with
// iptables-legacy-restore 1.8.9: '"a"b' is two words, '""' an empty word).
#include <catch2/catch.hpp>

#include "loader/lexer.h"

using namespace iptsim;

namespace {

std::string Words(std::string_view line) {
  std::vector<Token> toks;
  std::string scratch;
  LexError err;
  if (!Tokenize(line, 0, &toks, &scratch, &err))
    return "ERROR " + std::to_string(err.col) + ":" + std::to_string(err.len) + " " + err.message;
  std::string out;
  for (const Token& t : toks)
    out += "[" + std::string(t.text) + "]@" + std::to_string(t.col) + "+" + std::to_string(t.len) + " ";
  return out;
}

}  // namespace

TEST_CASE("tokenizer: words, quotes, escapes, columns", "[lexer]") {
  CHECK(Words("-A INPUT  -j\tACCEPT") == "[-A]@1+2 [INPUT]@4+5 [-j]@11+2 [ACCEPT]@14+6 ");
  CHECK(Words("--comment \"a b\"") == "[--comment]@1+9 [a b]@11+5 ");
  CHECK(Words("\"\"") == "[]@1+2 ");
  CHECK(Words("\"a\"b") == "[a]@1+3 [b]@4+1 ");
  CHECK(Words("x\"a b\"") == "[xa b]@1+6 ");
  CHECK(Words("\"a\\\"b\\\\c\\'d\"") == "[a\"b\\c'd]@1+12 ");
  CHECK(Words("a\\b") == "[a\\b]@1+3 ");  // outside quotes a backslash is literal
  CHECK(Words("  ") == "");
  // iptables-restore 1.8.9 takes an open quote to the end of the line, with
  // the newline ("-m comment --comment \"abc" saves as "abc\n").
  CHECK(Words("\"open") == "[open\n]@1+5 ");
  CHECK(Words("\"ends with backslash\\") == "[ends with backslash\n]@1+21 ");
  CHECK(Words(std::string(1024, 'x')) ==
        "ERROR 1:1024 argument too long (1024 characters; iptables-restore accepts at most 1023)");
  CHECK(Words(std::string(1023, 'x')).size() > 1023);
}

TEST_CASE("line reader: numbers, CRLF, last line without newline", "[lexer]") {
  LineReader r("a\r\nb\n\nc");
  std::string_view line;
  uint32_t n;
  std::string out;
  while (r.Next(&line, &n)) out += std::to_string(n) + ":" + std::string(line) + ";";
  CHECK(out == "1:a;2:b;3:;4:c;");
}

TEST_CASE("line reader: which lines ended in CR, and with a newline", "[lexer]") {
  LineReader r("a\r\nb\n\r\nc");
  std::string_view line;
  uint32_t n;
  std::string out;
  while (r.Next(&line, &n))
    out += std::string(line) + (r.ended_with_cr() ? "+cr" : "") +
           (r.ended_with_newline() ? "+nl" : "") + ";";
  CHECK(out == "a+cr+nl;b+nl;+cr+nl;c;");
}
