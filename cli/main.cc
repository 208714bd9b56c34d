// iptsim: the commands and their options are one table (cli/options.cc);
// each command is a few lines calling the library.
#include <cstdio>
#include <cstdlib>

#include "cli/options.h"

int main(int argc, char** argv) {
  int rc = iptsim::cli::RunCommandLine(argc, argv);
  // Skip tearing down a possibly huge model: the process is ending anyway.
  fflush(nullptr);
  _Exit(rc);
}
