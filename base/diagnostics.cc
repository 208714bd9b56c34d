#include "base/diagnostics.h"

#include <algorithm>


namespace iptsim {

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
    out += d.source_line;
    out += '\n';
    // Keep tabs so the caret lines up under the token in a terminal.
    for (uint32_t i = 0; i + 1 < d.col && i < d.source_line.size(); ++i)
      out += d.source_line[i] == '\t' ? '\t' : ' ';
    out += '^';
    for (uint32_t i = 1; i < d.len; ++i) out += '~';
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

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string ClosestName(std::string_view name, const std::vector<std::string_view>& candidates) {
  size_t best = SIZE_MAX;
  std::string_view best_name;
  for (std::string_view c : candidates) {
    size_t d = EditDistance(name, c);
    if (d < best) {
      best = d;
      best_name = c;
    }
  }
  size_t limit = std::max<size_t>(1, name.size() / 3);
  if (best == 0 || best > limit) return "";
  return std::string(best_name);
}

}  // namespace iptsim
