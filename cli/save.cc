// iptsim save RULES: the canonical iptables-save form of the loaded model.
#include <cstdio>

#include "cli/commands.h"
#include "cli/options.h"
#include "loader/printer.h"

namespace iptsim::cli {

int SaveCommand(const CommandLine& cl) {
  auto r = LoadRulesFile(cl.rules, cl.family, cl.load);
  if (!r || !r->ok()) return kExitError;
  std::string out = SaveRuleset(r->ruleset, cl.save);
  // iptables-restore skips comment lines: the saved text still loads.
  if (r->partial()) out = "# iptsim: " + PartialRulesetNote(*r) + "\n" + out;
  fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace iptsim::cli
