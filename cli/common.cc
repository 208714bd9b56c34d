#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "cli/commands.h"

namespace iptsim::cli {

bool ReadInput(const std::string& path, std::string* out) {
  FILE* f = path == "-" ? stdin : fopen(path.c_str(), "rb");
  if (!f) {
    fprintf(stderr, "iptsim: error: cannot open '%s': %s\n", path.c_str(), strerror(errno));
    return false;
  }
  out->clear();
  char buf[1 << 16];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out->append(buf, n);
  bool err = ferror(f);
  if (f != stdin) fclose(f);
  if (err) {
    fprintf(stderr, "iptsim: error: cannot read '%s': %s\n", path.c_str(), strerror(errno));
    return false;
  }
  if (out->find('\0') != std::string::npos) {
    fprintf(stderr, "iptsim: error: '%s' contains a NUL byte: not an iptables-save text\n",
            path.c_str());
    return false;
  }
  return true;
}

std::optional<LoadResult> LoadRulesFile(const std::string& path, std::optional<Family> family) {
  std::string text;
  if (!ReadInput(path, &text)) return std::nullopt;
  LoadOptions opts;
  opts.family = family;
  LoadResult r = LoadRuleset(text, path == "-" ? "<stdin>" : path, opts);
  if (!r.diagnostics.diagnostics().empty()) std::cerr << r.diagnostics.Format();
  return r;
}

void UsageError(const std::string& command, const std::string& message) {
  fprintf(stderr, "iptsim %s: error: %s\nTry 'iptsim help' for usage.\n", command.c_str(),
          message.c_str());
}

}  // namespace iptsim::cli
