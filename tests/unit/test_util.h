// Helpers shared by the extension unit tests.
#pragma once

#include <string>

#include "loader/loader.h"
#include "loader/printer.h"

namespace iptsim::testing {

// Loads "-A CHAIN RULE" into TABLE (declaring CHAIN when it is not a builtin
// chain) and returns the saved "-A CHAIN ..." lines, or "ERROR: " and the
// first diagnostic, formatted (caret included).
inline std::string Load(const std::string& rule, const char* table = "filter",
                        const char* chain = "INPUT", Family fam = Family::kIPv4) {
  std::string text = std::string("*") + table + "\n";
  std::string c = chain;
  if (c != "INPUT" && c != "OUTPUT" && c != "FORWARD" && c != "PREROUTING" && c != "POSTROUTING")
    text += ":" + c + " - [0:0]\n";
  text += "-A " + c + " " + rule + "\nCOMMIT\n";
  LoadOptions opts;
  opts.family = fam;
  LoadResult r = LoadRuleset(text, "t", opts);
  if (!r.ok()) return "ERROR: " + FormatDiagnostic(r.diagnostics.diagnostics().at(0));
  std::string out;
  for (const Table& t : r.ruleset.tables)
    for (const Chain& ch : t.chains)
      for (const Rule& ru : ch.rules) SaveRule(t, ru, ch.name, fam, out);
  return out;
}

inline std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

}  // namespace iptsim::testing
