// iptsim check RULES: load, validate, summarise.
#include <cstdio>

#include "cli/commands.h"

namespace iptsim::cli {

int CheckCommand(const Args& args) {
  std::optional<Family> family;
  std::string path;
  for (const std::string& a : args) {
    if (a == "-4") family = Family::kIPv4;
    else if (a == "-6") family = Family::kIPv6;
    else if (a.size() > 1 && a[0] == '-') {
      UsageError("check", "unknown option '" + a + "'");
      return kExitError;
    } else if (path.empty()) path = a;
    else {
      UsageError("check", "more than one RULES file given");
      return kExitError;
    }
  }
  if (path.empty()) {
    UsageError("check", "missing RULES (a file, or - for stdin)");
    return kExitError;
  }
  auto r = LoadRulesFile(path, family);
  if (!r) return kExitError;
  if (!r->ok()) return kExitError;
  const Ruleset& rs = r->ruleset;
  size_t user = 0;
  for (const Table& t : rs.tables)
    for (const Chain& c : t.chains) user += !c.builtin;
  std::string tables;
  for (const Table& t : rs.tables) tables += (tables.empty() ? "" : ",") + std::string(TableName(t.id));
  printf("%s: OK: %s, %zu table%s (%s), %zu chains (%zu user-defined), %zu rules\n",
         rs.file.c_str(), rs.family == Family::kIPv4 ? "IPv4" : "IPv6", rs.tables.size(),
         rs.tables.size() == 1 ? "" : "s", tables.c_str(), rs.ChainCount(), user, rs.RuleCount());
  return kExitOk;
}

}  // namespace iptsim::cli
