// Loading iptables-save / ip6tables-save text into a Ruleset, with the
// checks iptables-restore and the kernel apply at load time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/model.h"
#include "base/diagnostics.h"

namespace iptsim {

struct LoadOptions {
  std::optional<Family> family;  // forced by -4/-6; else detected from content
  size_t max_errors = 50;        // diagnostics kept (the rest are counted)
  // Threads for large sections of "-A" lines (0: up to 4, as the machine
  // has cores; 1: never).  The result is the same either way.
  unsigned threads = 0;
};

struct LoadResult {
  Ruleset ruleset;
  DiagnosticSink diagnostics;
  bool ok() const { return diagnostics.error_count() == 0; }
};

// Loads `text`; `file` names it in diagnostics.  Never throws; every problem
// becomes a diagnostic and loading goes on with the next line.
LoadResult LoadRuleset(std::string_view text, std::string file, const LoadOptions& options = {});
// The same without copying the text: `owner` keeps `text` alive and the
// ruleset keeps `owner`.
LoadResult LoadRuleset(std::shared_ptr<const void> owner, std::string_view text, std::string file,
                       const LoadOptions& options = {});

// IPv6 when the text says so (an ip6tables-save header, IPv6 addresses,
// ICMPv6), else IPv4.
Family DetectFamily(std::string_view text);

}  // namespace iptsim
