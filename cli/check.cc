// iptsim check RULES: load, validate, summarise.
#include <cstdio>

#include "cli/commands.h"
#include "cli/options.h"

namespace iptsim::cli {

int CheckCommand(const CommandLine& cl) {
  auto r = LoadRulesFile(cl.rules, cl.family, cl.load);
  if (!r) return kExitError;
  if (!r->ok()) return kExitError;
  const Ruleset& rs = r->ruleset;
  size_t user = 0;
  for (const Table& t : rs.tables)
    for (const Chain& c : t.chains) user += !c.builtin;
  std::string tables;
  for (const Table& t : rs.tables) tables += (tables.empty() ? "" : ",") + std::string(TableName(t.id));
  // A partial load says so where "OK" would stand.
  std::string verdict = r->partial() ? "PARTIAL (" + std::to_string(r->skipped_lines) +
                                           (r->skipped_lines == 1 ? " line" : " lines") +
                                           " skipped)"
                                     : "OK";
  printf("%s: %s: %s, %zu table%s (%s), %zu chains (%zu user-defined), %zu rules\n",
         rs.file.c_str(), verdict.c_str(), rs.family == Family::kIPv4 ? "IPv4" : "IPv6", rs.tables.size(),
         rs.tables.size() == 1 ? "" : "s", tables.c_str(), rs.ChainCount(), user, rs.RuleCount());
  return kExitOk;
}

}  // namespace iptsim::cli
