// iptsim: a table of subcommands, each a few lines calling the library.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cli/commands.h"

namespace iptsim::cli {
namespace {

int HelpCommand(const Args& args);

struct Command {
  const char* name;
  const char* synopsis;
  const char* help;
  int (*run)(const Args&);
};

constexpr Command kCommands[] = {
    {"check", "check [-4|-6] RULES",
     "load and validate RULES (a file or - for stdin); print a summary, or the errors "
     "(file:line:col) and exit 2",
     CheckCommand},
    {"save", "save [-4|-6] [-c] [--no-header] RULES",
     "print the canonical iptables-save form of the loaded ruleset (-c: with rule counters)",
     SaveCommand},
    {"trace", "trace [-4|-6] [--format kernel|nft|explain|json] [--trace-all] [--assume NAME=BOOL] [--host FILE] [--seed N] [--explore] [--ipset FILE]... RULES [PACKET...]",
     "simulate packets (iptables filter syntax, e.g. -i eth0 -p tcp --dport 22; several "
     "packets separated by --) and print the kernel's TRACE lines; --format nft: what "
     "xtables-monitor --trace shows for iptables-nft (trace ids are deterministic), explain: "
     "every matched rule with file:line, json: one JSON object per event and the verdict; "
     "--host: route by the host's interfaces and routes (docs/host.md) instead of -i/-o; "
     "--seed N draws random matches reproducibly, --explore prints every outcome of them "
     "with its probability, --ipset FILE loads ipsets (ipset save format) for -m set/-j SET. "
     "Packets also from --packets FILE (a packet per line, - for stdin), --from-log "
     "'LINE' (a kernel TRACE/LOG line), --pcap FILE (then the words after RULES are -i/-o "
     "...); all in one run; --packet-headers prints '== packet N' before each. "
     "--why TABLE:CHAIN:N says why a packet did not reach that rule; --expect also exits 1",
     TraceCommand},
    {"verify",
     "verify [-4|-6] [--host FILE] [--backend legacy|nft] [--keep] [--assume NAME=BOOL] "
     "[--seed N] [--timeout S] [--settle MS] [--no-trace-rule] [--packets FILE] [-v] RULES "
     "[PACKET...]",
     "(root) run the packets (as for trace) through the simulation and through the real "
     "kernel in a throw-away network namespace, and print a unified diff per packet "
     "(- kernel, + iptsim); exit 0 when they agree, 1 when they differ, 2 on error "
     "(bad input, not root, no namespaces, lab failure); --keep leaves the lab for "
     "inspection, --host FILE gives the lab's interfaces/routes/forwarding",
     VerifyCommand},
    {"help", "help", "show this help", HelpCommand},
};

int HelpCommand(const Args&) {
  printf("usage: iptsim COMMAND [OPTIONS]\n\ncommands:\n");
  for (const Command& c : kCommands) printf("  iptsim %s\n      %s\n", c.synopsis, c.help);
  printf("\nexit status: 0 ok, 1 a difference was found, 2 bad input or usage\n");
  return kExitOk;
}

}  // namespace
}  // namespace iptsim::cli

int main(int argc, char** argv) {
  using namespace iptsim::cli;
  if (argc < 2) {
    HelpCommand({});
    return kExitError;
  }
  std::string name = argv[1];
  if (name == "-h" || name == "--help") return HelpCommand({});
  Args args(argv + 2, argv + argc);
  for (const Command& c : kCommands) {
    if (name == c.name) {
      int rc = c.run(args);
      // Skip tearing down a possibly huge model: the process is ending anyway.
      fflush(nullptr);
      _Exit(rc);
    }
  }
  fprintf(stderr, "iptsim: error: unknown command '%s'\nTry 'iptsim help' for usage.\n",
          name.c_str());
  return kExitError;
}
