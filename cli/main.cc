// iptsim: the commands and their options are one table (cli/options.cc);
// each command is a few lines calling the library.
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string>

#include "cli/commands.h"
#include "cli/options.h"

int main(int argc, char** argv) {
  // "iptsim --version" and the like report as plain "iptsim".
  const std::string command = argc > 1 && argv[1][0] != '-' ? argv[1] : "";
  const std::string who = command.empty() ? "iptsim" : "iptsim " + command;
  int rc;
  try {
    rc = iptsim::cli::RunCommandLine(argc, argv);
  } catch (const std::bad_alloc&) {
    // An input too large for the memory (or `ulimit -v`): a message, not
    // an abort.  Flush what was written first: stdout stays a prefix.
    fflush(stdout);
    fprintf(stderr, "%s: error: out of memory (the input is too large for the memory "
            "iptsim may use)\n", who.c_str());
    rc = iptsim::cli::kExitError;
  }
  // Output that did not reach its file (a full disk) is a failure, whatever
  // the command found.
  if (!iptsim::cli::OutputWritten(command, /*close=*/true)) rc = iptsim::cli::kExitError;
  fflush(stderr);
  // Skip tearing down a possibly huge model: the process is ending anyway.
  _Exit(rc);
}
