// A small JSON reader (RFC 8259) that keeps where every value is written, so
// that a reader of a JSON file can point its own errors at the value they
// are about.  Strict: one JSON text, no comments, no trailing commas, no
// leading zeros, no lone UTF-16 surrogates in \u escapes; numbers are read
// as doubles; nesting deeper than 64 is refused.  Bytes of a string other
// than escapes are taken as they are (UTF-8 is not checked).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace iptsim {

struct JsonValue {
  enum Kind : uint8_t { kNull, kBool, kNumber, kString, kArray, kObject } kind = kNull;
  size_t at = 0, len = 1;  // where the value is written (byte offset, length)
  bool b = false;
  double num = 0;
  std::string str;
  std::vector<JsonValue> items;   // array elements, or object member values
  std::vector<std::string> keys;  // object member names (items[i] is keys[i]'s value)
  std::vector<std::pair<size_t, size_t>> member_at;  // where each member's name is written

  // The value of member `k` of an object (the first, if repeated), or null.
  const JsonValue* Get(std::string_view k) const;
};

// "null", "a boolean", "a number", "a string", "an array", "an object".
const char* JsonKindName(JsonValue::Kind k);

// Reads `text`, one JSON value with optional whitespace around it.  On an
// error the Status says what is wrong and *error_at is the byte offset it is
// about (at most text.size()).
Status ReadJson(std::string_view text, JsonValue* out, size_t* error_at);

}  // namespace iptsim
