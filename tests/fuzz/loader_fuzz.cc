// libFuzzer target for the iptables-save loader.  Besides "no crash, no hang,
// no sanitizer report", it checks the printer against the loader: whatever
// loads must save to text that loads again (same family) and saves to the
// same text.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "loader/loader.h"
#include "loader/printer.h"

using namespace iptsim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string text(reinterpret_cast<const char*>(data), size);
  LoadOptions opts;
  opts.max_errors = 20;
  LoadResult r = LoadRuleset(text, "fuzz", opts);
  for (const Diagnostic& d : r.diagnostics.diagnostics()) (void)FormatDiagnostic(d);
  if (!r.ok()) return 0;
  std::string saved = SaveRuleset(r.ruleset);
  opts.family = r.ruleset.family;
  LoadResult again = LoadRuleset(saved, "saved", opts);
  if (!again.ok()) {
    fprintf(stderr, "saved text does not load:\n%s\n--- input ---\n%s\n--- saved ---\n%s\n",
            again.diagnostics.Format().c_str(), text.c_str(), saved.c_str());
    abort();
  }
  std::string saved2 = SaveRuleset(again.ruleset);
  if (saved2 != saved) {
    fprintf(stderr, "save is not stable:\n--- first ---\n%s\n--- second ---\n%s\n", saved.c_str(),
            saved2.c_str());
    abort();
  }
  return 0;
}
