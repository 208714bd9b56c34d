#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <vector>

#include <sys/stat.h>

#include "cli/commands.h"

namespace iptsim::cli {

bool ReadInput(const std::string& path, std::string* out) {
  FILE* f = path == "-" ? stdin : fopen(path.c_str(), "rb");
  if (!f) {
    fprintf(stderr, "iptsim: error: cannot open '%s': %s\n", path.c_str(), strerror(errno));
    return false;
  }
  out->clear();
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) out->reserve(st.st_size);
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

const LoadResult* LoadRulesFile(const std::string& path, std::optional<Family> family) {
  static std::vector<std::unique_ptr<LoadResult>> loaded;
  auto text = std::make_shared<std::string>();
  if (!ReadInput(path, text.get())) return nullptr;
  LoadOptions opts;
  opts.family = family;
  LoadResult r = LoadRuleset(std::shared_ptr<const std::string>(std::move(text)),
                             path == "-" ? "<stdin>" : path, opts);
  if (!r.diagnostics.diagnostics().empty()) std::cerr << r.diagnostics.Format();
  loaded.push_back(std::make_unique<LoadResult>(std::move(r)));
  return loaded.back().get();
}

void UsageError(const std::string& command, const std::string& message) {
  fprintf(stderr, "iptsim %s: error: %s\nTry 'iptsim help' for usage.\n", command.c_str(),
          message.c_str());
}

}  // namespace iptsim::cli
