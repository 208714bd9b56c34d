// Diagnostics: "file:line:col: error: message", the source line, a caret.
// Only the loader knows positions; everything else reports a message and the
// token it is about, and the loader turns that into a Diagnostic here.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace iptsim {

enum class Severity : uint8_t { kError, kWarning, kNote };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string file;
  uint32_t line = 0;  // 1-based; 0 when not tied to a line
  uint32_t col = 0;   // 1-based; 0 when not tied to a column
  uint32_t len = 1;   // length of the underlined token
  std::string message;
  std::string source_line;  // the line as written, without its newline
};

// "file:line:col: error: message\nsource\n   ^~~~\n" (source and caret only when known).
std::string FormatDiagnostic(const Diagnostic& d);

// Collects diagnostics up to a cap; past the cap it only counts them.
class DiagnosticSink {
 public:
  explicit DiagnosticSink(size_t cap = 50) : cap_(cap) {}
  void Add(Diagnostic d);
  // Appends another sink's diagnostics after ours (for loading in parallel).
  void Merge(DiagnosticSink&& other);
  const std::vector<Diagnostic>& diagnostics() const { return diags_; }
  size_t error_count() const { return errors_; }
  size_t dropped() const { return dropped_; }
  bool full() const { return diags_.size() >= cap_; }
  size_t cap() const { return cap_; }
  // All diagnostics formatted, then "N errors" / "... and N more errors".
  std::string Format() const;

 private:
  size_t cap_;
  size_t errors_ = 0;
  size_t dropped_ = 0;
  std::vector<Diagnostic> diags_;
};

// The "did you mean" finder every message uses (rule options, targets,
// chains, host files, packet options, the command line's commands and
// options).  The distance is the optimal string alignment distance: an
// insertion, a deletion, a substitution or a swap of two neighbouring
// letters ("chekc", "dprot") costs 1; letters are compared ignoring case
// ("accept" is 0 from "ACCEPT").
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `name`, if it is close enough to be a plausible
// typo (distance <= max(1, len/3)); "" when none is, when `name` is one of
// the candidates exactly, or when `name` is too long to be a typo of one.
// Of equally close candidates the first wins.
std::string ClosestName(std::string_view name, std::span<const std::string_view> candidates);
std::string ClosestName(std::string_view name, std::initializer_list<std::string_view> candidates);

}  // namespace iptsim
