#include "loader/json.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace iptsim {

namespace {

// A character for a message: '\xNN' when it is not printable.
std::string QuoteChar(char c) {
  if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
    char buf[8];
    snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
    return std::string("'") + buf + "'";
  }
  return std::string("'") + c + "'";
}

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : s_(text) {}
  bool Read(JsonValue* out) {
    Skip();
    if (!Value(out, 0)) return false;
    Skip();
    if (i_ < s_.size()) return Fail("unexpected text after the JSON value");
    return true;
  }

  // The error and where it is; the reader stops at the first one.
  Status error() const { return error_; }
  size_t error_at() const { return std::min(i_, s_.size()); }

 private:
  bool Fail(std::string msg) {
    error_ = Status::Error(std::move(msg));
    return false;
  }
  void Skip() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool Lit(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return Fail("invalid literal");
    i_ += w.size();
    return true;
  }
  bool Value(JsonValue* v, int depth) {
    if (depth > 64) return Fail("nested too deeply");
    if (i_ >= s_.size()) return Fail("unexpected end of input");
    v->at = i_;
    char ch = s_[i_];
    bool ok;
    if (ch == '{') ok = Object(v, depth);
    else if (ch == '[') ok = Array(v, depth);
    else if (ch == '"') {
      v->kind = JsonValue::kString;
      ok = String(&v->str);
    } else if (ch == 't') {
      v->kind = JsonValue::kBool;
      v->b = true;
      ok = Lit("true");
    } else if (ch == 'f') {
      v->kind = JsonValue::kBool;
      ok = Lit("false");
    } else if (ch == 'n') {
      ok = Lit("null");
    } else if (ch == '-' || (ch >= '0' && ch <= '9')) {
      ok = Number(v);
    } else {
      return Fail(std::string("unexpected character ") + QuoteChar(s_[i_]));
    }
    v->len = i_ > v->at ? i_ - v->at : 1;
    return ok;
  }
  bool Number(JsonValue* v) {
    size_t b = i_;
    if (s_[i_] == '-') ++i_;
    if (i_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[i_]))) return Fail("invalid number");
    if (s_[i_] == '0') ++i_;
    else while (i_ < s_.size() && isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (i_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[i_]))) return Fail("invalid number");
      while (i_ < s_.size() && isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (i_ >= s_.size() || !isdigit(static_cast<unsigned char>(s_[i_]))) return Fail("invalid number");
      while (i_ < s_.size() && isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    v->kind = JsonValue::kNumber;
    v->num = strtod(std::string(s_.substr(b, i_ - b)).c_str(), nullptr);
    return true;
  }
  bool Hex4(uint32_t* out) {
    if (i_ + 4 > s_.size()) return Fail("invalid \\u escape");
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      char ch = s_[i_++];
      int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
              : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
      if (d < 0) return Fail("invalid \\u escape");
      v = v << 4 | static_cast<uint32_t>(d);
    }
    *out = v;
    return true;
  }
  // After "\u": one character, from a pair of escapes (a high surrogate,
  // then a low one) beyond the BMP.  A lone surrogate is an error, as the
  // rest of the reader is strict: it encodes no character, and written as
  // UTF-8 it would make a string that is not UTF-8.
  bool Unicode(std::string* out) {
    const size_t escape = i_ - 2;  // the backslash
    uint32_t cp = 0;
    if (!Hex4(&cp)) return false;
    if (cp >= 0xdc00 && cp < 0xe000) {
      i_ = escape;
      return Fail("a lone UTF-16 surrogate " + std::string(s_.substr(escape, 6)) +
                  " (a low surrogate must follow the \\u escape of a high one)");
    }
    if (cp >= 0xd800 && cp < 0xdc00) {
      uint32_t lo = 0;
      const bool escaped = s_.substr(i_, 2) == "\\u";
      if (escaped) {
        i_ += 2;
        if (!Hex4(&lo)) return false;
      }
      if (!escaped || lo < 0xdc00 || lo >= 0xe000) {
        i_ = escape;
        return Fail("a lone UTF-16 surrogate " + std::string(s_.substr(escape, 6)) +
                    " (a high surrogate must be followed by the \\u escape of a low one)");
      }
      cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
    }
    AppendUtf8(cp, out);
    return true;
  }
  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xc0 | cp >> 6);
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xe0 | cp >> 12);
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      *out += static_cast<char>(0xf0 | cp >> 18);
      *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      *out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }
  bool String(std::string* out) {
    ++i_;  // "
    while (true) {
      if (i_ >= s_.size()) return Fail("unterminated string");
      char ch = s_[i_];
      if (ch == '"') {
        ++i_;
        return true;
      }
      if (static_cast<unsigned char>(ch) < 0x20) return Fail("control character in a string");
      if (ch != '\\') {
        *out += ch;
        ++i_;
        continue;
      }
      ++i_;
      if (i_ >= s_.size()) return Fail("unterminated string");
      char e = s_[i_++];
      switch (e) {
        case '"': *out += '"'; break;
        case '\\': *out += '\\'; break;
        case '/': *out += '/'; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        case 'n': *out += '\n'; break;
        case 'r': *out += '\r'; break;
        case 't': *out += '\t'; break;
        case 'u':
          if (!Unicode(out)) return false;
          break;
        default:
          --i_;
          return Fail("invalid escape in a string");
      }
    }
  }
  bool Array(JsonValue* v, int depth) {
    v->kind = JsonValue::kArray;
    ++i_;
    Skip();
    if (i_ < s_.size() && s_[i_] == ']') {
      ++i_;
      return true;
    }
    while (true) {
      Skip();
      v->items.emplace_back();
      if (!Value(&v->items.back(), depth + 1)) return false;
      Skip();
      if (i_ >= s_.size()) return Fail("unterminated array");
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] == ']') {
        ++i_;
        return true;
      }
      return Fail("expected ',' or ']'");
    }
  }
  bool Object(JsonValue* v, int depth) {
    v->kind = JsonValue::kObject;
    ++i_;
    Skip();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return true;
    }
    while (true) {
      Skip();
      if (i_ >= s_.size() || s_[i_] != '"') return Fail("expected a member name in double quotes");
      std::string name;
      size_t name_at = i_;
      if (!String(&name)) return false;
      v->member_at.emplace_back(name_at, i_ - name_at);
      Skip();
      if (i_ >= s_.size() || s_[i_] != ':') return Fail("expected ':'");
      ++i_;
      Skip();
      v->keys.push_back(std::move(name));
      v->items.emplace_back();
      if (!Value(&v->items.back(), depth + 1)) return false;
      Skip();
      if (i_ >= s_.size()) return Fail("unterminated object");
      if (s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (s_[i_] == '}') {
        ++i_;
        return true;
      }
      return Fail("expected ',' or '}'");
    }
  }

  std::string_view s_;
  size_t i_ = 0;
  Status error_;
};

}  // namespace

const JsonValue* JsonValue::Get(std::string_view k) const {
  for (size_t i = 0; i < keys.size(); ++i)
    if (keys[i] == k) return &items[i];
  return nullptr;
}

const char* JsonKindName(JsonValue::Kind k) {
  switch (k) {
    case JsonValue::kNull: return "null";
    case JsonValue::kBool: return "a boolean";
    case JsonValue::kNumber: return "a number";
    case JsonValue::kString: return "a string";
    case JsonValue::kArray: return "an array";
    case JsonValue::kObject: return "an object";
  }
  return "";
}

Status ReadJson(std::string_view text, JsonValue* out, size_t* error_at) {
  JsonReader reader(text);
  if (reader.Read(out)) return Status();
  *error_at = reader.error_at();
  return reader.error();
}

}  // namespace iptsim
