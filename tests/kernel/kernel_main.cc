// The kernel tests' runner (Catch2's implementation lives in this file,
// compiled without optimisation: it is the slowest file of the build and its
// speed does not matter).
//
// Needs root and network namespaces.  Without them main() prints a loud SKIP
// line with the reason and exits 77 (ctest SKIP_RETURN_CODE): never a silent
// pass.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>

#include "verifier/lab.h"

int main(int argc, char** argv) {
  iptsim::verifier::LabStatus st = iptsim::verifier::Lab::CheckSupport();
  if (!st.ok()) {
    fprintf(stderr,
            "\n*** SKIP: kernel tests not run: %s ***\n"
            "*** (they need root and network namespaces; nothing was checked) ***\n\n",
            st.message.c_str());
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
