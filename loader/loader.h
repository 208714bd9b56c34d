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

// The two spellings of a ruleset the loader reads: iptables-save's
// ("*table", ":CHAIN POLICY", "-A ...", COMMIT) and `iptables -S`'s (one
// table, "-P CHAIN POLICY", "-N CHAIN", "-A ...", no table or COMMIT line).
enum class RulesForm { kSave, kRuleSpecs };

// The largest input iptsim reads (a ruleset, host, ipset, packets or log
// file, or a capture from a pipe): 1 GiB, far above any real one, so that
// `check /dev/zero` or an endless pipe ends with a message, not out of memory.
constexpr size_t kMaxInputBytes = size_t{1} << 30;

struct LoadOptions {
  std::optional<Family> family;  // forced by -4/-6; else detected from content
  size_t max_errors = 50;        // diagnostics kept (the rest are counted); 0: all
  // Lines that do not load are dropped, each reported as a warning, and the
  // rest loads (LoadResult::skipped_lines says how many).
  bool skip_bad_rules = false;
  // The table of `iptables -S` text (which does not name it); filter when unset.
  std::optional<TableId> table;
  // Threads for large sections of "-A" lines (0: up to 4, as the machine
  // has cores; 1: never).  The result is the same either way.
  unsigned threads = 0;
};

struct LoadResult {
  Ruleset ruleset;
  DiagnosticSink diagnostics;
  RulesForm form = RulesForm::kSave;
  size_t skipped_lines = 0;  // with skip_bad_rules: the lines dropped
  bool ok() const { return diagnostics.error_count() == 0; }
  bool partial() const { return skipped_lines > 0; }
};

// Loads `text`; `file` names it in diagnostics.  Never throws; every problem
// becomes a diagnostic and loading goes on with the next line.
LoadResult LoadRuleset(std::string_view text, std::string file, const LoadOptions& options = {});
// The same without copying the text: `owner` keeps `text` alive and the
// ruleset keeps `owner`.
LoadResult LoadRuleset(std::shared_ptr<const void> owner, std::string_view text, std::string file,
                       const LoadOptions& options = {});

// IPv6 when the text says so (an ip6tables-save header, IPv6 addresses,
// ICMPv6), else IPv4.  *why (when given) says what decided, for messages:
// "the IPv6 address '2001:db8::1' on line 7".
Family DetectFamily(std::string_view text, std::string* why = nullptr);

// `iptables -S` text when the first line that is not blank or a comment is a
// -P, -N or -A command and no line is a "*table" line; else iptables-save.
RulesForm DetectRulesForm(std::string_view text);

// The hint for an address of the other family in a rule of a ruleset whose
// family `why` explains: "'2001:db8::1' is an IPv6 address in an IPv4
// ruleset (...)", or "" when `text` is no address of the other family.
std::string OtherFamilyAddressHint(Family ruleset, std::string_view why, std::string_view text);

}  // namespace iptsim
