// The JSON reader (loader/json.h): values and where they are written, the
// \u escapes, and the errors of text that is not JSON, with their offsets.
#include <catch2/catch.hpp>

#include <string>

#include "loader/json.h"

using namespace iptsim;

namespace {

// The string a JSON text holds, or "error at OFFSET: MESSAGE".
std::string Str(std::string_view text) {
  JsonValue v;
  size_t at = 0;
  Status st = ReadJson(text, &v, &at);
  if (!st.ok()) return "error at " + std::to_string(at) + ": " + st.message();
  REQUIRE(v.kind == JsonValue::kString);
  return v.str;
}

}  // namespace

TEST_CASE("json: values, members and where they are written", "[json]") {
  JsonValue v;
  size_t at = 0;
  REQUIRE(ReadJson(" {\"a\": [1, -2.5e1, true, null], \"b\": {\"c\": \"x\"}} ", &v, &at).ok());
  REQUIRE(v.kind == JsonValue::kObject);
  CHECK(v.at == 1);
  CHECK(v.keys == std::vector<std::string>{"a", "b"});
  CHECK(v.member_at[1] == std::pair<size_t, size_t>{32, 3});
  const JsonValue* a = v.Get("a");
  REQUIRE(a);
  REQUIRE(a->items.size() == 4);
  CHECK(a->at == 7);
  CHECK(a->len == 23);
  CHECK(a->items[1].num == -25);
  CHECK(a->items[1].at == 11);
  CHECK(a->items[1].len == 6);
  CHECK(a->items[2].kind == JsonValue::kBool);
  CHECK(a->items[2].b);
  CHECK(a->items[3].kind == JsonValue::kNull);
  CHECK(v.Get("b")->Get("c")->str == "x");
  CHECK(v.Get("z") == nullptr);
  CHECK(std::string(JsonKindName(JsonValue::kArray)) == "an array");
}

TEST_CASE("json: \\u escapes and surrogate pairs", "[json]") {
  CHECK(Str(R"("\u0041\u00e9\u20ac\n\/")") == "A\xc3\xa9\xe2\x82\xac\n/");
  CHECK(Str(R"("\uD83D\uDE00")") == "\xf0\x9f\x98\x80");
  CHECK(Str(R"("\ud83d\ude00")") == "\xf0\x9f\x98\x80");
  CHECK(Str(R"("\u12G4")") == "error at 6: invalid \\u escape");
}

// A surrogate that is not half of a pair encodes no character: an error at
// its escape (the reader used to drop a following \u escape that was not a
// low surrogate and write the high one as bytes that are not UTF-8).
TEST_CASE("json: a lone surrogate is an error", "[json]") {
  const std::string high =
      " (a high surrogate must be followed by the \\u escape of a low one)";
  CHECK(Str(R"("ab\uD83D\u0041")") == "error at 3: a lone UTF-16 surrogate \\uD83D" + high);
  CHECK(Str(R"("\uD83D")") == "error at 1: a lone UTF-16 surrogate \\uD83D" + high);
  CHECK(Str(R"("\uD83Dx")") == "error at 1: a lone UTF-16 surrogate \\uD83D" + high);
  CHECK(Str(R"("\uD83D\uD83D")") == "error at 1: a lone UTF-16 surrogate \\uD83D" + high);
  CHECK(Str(R"("\uDE00")") ==
        "error at 1: a lone UTF-16 surrogate \\uDE00 (a low surrogate must follow the \\u escape "
        "of a high one)");
  // A broken second escape is reported as such.
  CHECK(Str(R"("\uD83D\u00")") == "error at 9: invalid \\u escape");
}

TEST_CASE("json: text that is not JSON", "[json]") {
  auto error = [](std::string_view text) {
    JsonValue v;
    size_t at = 0;
    Status st = ReadJson(text, &v, &at);
    return st.ok() ? std::string("ok") : std::to_string(at) + ": " + st.message();
  };
  CHECK(error("[1,]") == "3: unexpected character ']'");
  CHECK(error("[01]") == "2: expected ',' or ']'");
  CHECK(error("{\"a\" 1}") == "5: expected ':'");
  CHECK(error("[1] x") == "4: unexpected text after the JSON value");
  CHECK(error("\"a\x01\"") == "2: control character in a string");
  CHECK(error("\"\\x\"") == "2: invalid escape in a string");
  CHECK(error("[\x01]") == "1: unexpected character '\\x01'");
  CHECK(error("tru") == "0: invalid literal");
  CHECK(error("\"abc") == "4: unterminated string");
  CHECK(error("") == "0: unexpected end of input");
  // 65 nested arrays are read (depth 0..64); the 66th is refused where it opens.
  CHECK(error(std::string(65, '[') + std::string(65, ']')) == "ok");
  CHECK(error(std::string(66, '[') + std::string(66, ']')) == "65: nested too deeply");
}
