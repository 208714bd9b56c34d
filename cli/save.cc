// iptsim save RULES: the canonical iptables-save form of the loaded model.
#include <cstdio>

#include "cli/commands.h"
#include "loader/printer.h"

namespace iptsim::cli {

int SaveCommand(const Args& args) {
  std::optional<Family> family;
  SaveOptions opts;
  std::string path;
  for (const std::string& a : args) {
    if (a == "-4") family = Family::kIPv4;
    else if (a == "-6") family = Family::kIPv6;
    else if (a == "-c" || a == "--counters") opts.counters = true;
    else if (a == "--no-header") opts.header = false;
    else if (a.size() > 1 && a[0] == '-') {
      UsageError("save", "unknown option '" + a + "'");
      return kExitError;
    } else if (path.empty()) path = a;
    else {
      UsageError("save", "more than one RULES file given");
      return kExitError;
    }
  }
  if (path.empty()) {
    UsageError("save", "missing RULES (a file, or - for stdin)");
    return kExitError;
  }
  auto r = LoadRulesFile(path, family);
  if (!r || !r->ok()) return kExitError;
  std::string out = SaveRuleset(r->ruleset, opts);
  fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace iptsim::cli
