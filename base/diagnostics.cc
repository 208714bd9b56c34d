#include "base/diagnostics.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <utility>


namespace iptsim {

namespace {

// An error quotes at most kQuoteWidth characters of its line, kQuoteBefore
// of them before the column, so that an error in a 100 MB line does not
// print the whole line.
constexpr size_t kQuoteWidth = 160;
constexpr size_t kQuoteBefore = 60;

// The [begin, end) of a line of `size` characters to quote for column `at`
// (0-based): all of it when short, else kQuoteWidth characters around `at`.
std::pair<size_t, size_t> QuoteWindow(size_t size, size_t at) {
  if (size <= kQuoteWidth) return {0, size};
  size_t begin = std::min(at > kQuoteBefore ? at - kQuoteBefore : 0, size - kQuoteWidth);
  return {begin, begin + kQuoteWidth};
}

}  // namespace

std::string FormatDiagnostic(const Diagnostic& d) {
  std::string out = d.file;
  if (d.line) {
    out += ':' + std::to_string(d.line);
    if (d.col) out += ':' + std::to_string(d.col);
  }
  out += d.severity == Severity::kError     ? ": error: "
         : d.severity == Severity::kWarning ? ": warning: "
                                            : ": note: ";
  out += d.message;
  out += '\n';
  if (d.line && d.col) {
    const std::string& src = d.source_line;
    size_t at = d.col - 1;
    auto [begin, end] = QuoteWindow(src.size(), std::min(at, src.size()));
    const bool cut_begin = begin > 0;
    if (cut_begin) out += "...";
    out.append(src, begin, end - begin);
    if (end < src.size()) out += "...";
    out += '\n';
    if (cut_begin) out += "   ";
    // Keep tabs so the caret lines up under the token in a terminal.
    for (size_t i = begin; i < at && i < end; ++i) out += src[i] == '\t' ? '\t' : ' ';
    out += '^';
    // A cut quote's underline stops where the quote does.
    size_t room = end < src.size() ? (end > at ? end - at : 1) : SIZE_MAX;
    for (size_t i = 1; i < std::min<size_t>(d.len, room); ++i) out += '~';
    out += '\n';
  }
  return out;
}

void DiagnosticSink::Add(Diagnostic d) {
  if (d.severity == Severity::kError) ++errors_;
  if (diags_.size() >= cap_) {
    ++dropped_;
    return;
  }
  diags_.push_back(std::move(d));
}

void DiagnosticSink::Merge(DiagnosticSink&& other) {
  errors_ += other.errors_;
  dropped_ += other.dropped_;
  for (Diagnostic& d : other.diags_) {
    if (diags_.size() >= cap_)
      ++dropped_;
    else
      diags_.push_back(std::move(d));
  }
}

std::string DiagnosticSink::Format() const {
  std::string out;
  for (const Diagnostic& d : diags_) out += FormatDiagnostic(d);
  if (dropped_) out += "... and " + std::to_string(dropped_) + " more diagnostics not shown\n";
  if (errors_) out += std::to_string(errors_) + (errors_ == 1 ? " error\n" : " errors\n");
  return out;
}

namespace {

char Lower(char c) { return static_cast<char>(tolower(static_cast<unsigned char>(c))); }

// Longer words are no typo of an option or a name, and the distance table
// grows with the square of the length.
constexpr size_t kLongestTypo = 64;

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) {
  // Three rows of the distance table: two back for a swap, one back, this one.
  std::vector<size_t> before(b.size() + 1), last(b.size() + 1), row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) last[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = Lower(a[i - 1]) == Lower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({last[j] + 1, row[j - 1] + 1, last[j - 1] + cost});
      if (i > 1 && j > 1 && Lower(a[i - 1]) == Lower(b[j - 2]) &&
          Lower(a[i - 2]) == Lower(b[j - 1]))
        row[j] = std::min(row[j], before[j - 2] + 1);
    }
    std::swap(before, last);
    std::swap(last, row);
  }
  return last[b.size()];
}

std::string ClosestName(std::string_view name, std::span<const std::string_view> candidates) {
  if (name.size() > kLongestTypo) return "";
  size_t best = SIZE_MAX;
  std::string_view best_name;
  for (std::string_view c : candidates) {
    if (c == name) return "";
    size_t d = EditDistance(name, c);
    if (d < best) {
      best = d;
      best_name = c;
    }
  }
  if (best > std::max<size_t>(1, name.size() / 3)) return "";
  return std::string(best_name);
}

std::string ClosestName(std::string_view name, std::initializer_list<std::string_view> candidates) {
  return ClosestName(name, std::span<const std::string_view>(candidates.begin(), candidates.size()));
}

}  // namespace iptsim
