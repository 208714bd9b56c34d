#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"

#include "cli/options.h"
#include "loader/host_file.h"
#include "loader/ipset_file.h"

namespace iptsim::cli {

namespace {

// A read-only private mapping of a whole file.
struct Mapping {
  void* addr = MAP_FAILED;
  size_t size = 0;
  ~Mapping() {
    if (addr != MAP_FAILED) munmap(addr, size);
  }
};

bool Fail(const std::string& what, const std::string& path) {
  fprintf(stderr, "iptsim: error: cannot %s '%s': %s\n", what.c_str(), path.c_str(),
          strerror(errno));
  return false;
}

bool NulByte(const std::string& path, const char* what) {
  fprintf(stderr, "iptsim: error: '%s' contains a NUL byte: not %s\n", path.c_str(), what);
  return false;
}

bool TooLarge(const std::string& path, const char* what) {
  fprintf(stderr, "iptsim: error: '%s' is larger than %zu MiB: not %s\n", path.c_str(),
          kMaxInputBytes >> 20, what ? what : "an input iptsim reads");
  return false;
}

// Appends a piece read from a pipe or a device; false (with a message) on a
// NUL byte in a text, or past kMaxInputBytes: /dev/zero or an endless pipe
// ends at once or at the limit, not when memory runs out.
bool TakeChunk(const std::string& path, const char* what, const char* buf, size_t n,
               std::string* s) {
  if (what && memchr(buf, '\0', n)) return NulByte(path, what);
  if (s->size() + n > kMaxInputBytes) return TooLarge(path, what);
  s->append(buf, n);
  return true;
}

}  // namespace

std::shared_ptr<const void> ReadInput(const std::string& path, std::string_view* text,
                                      const char* what) {
  std::shared_ptr<const void> owner;
  if (path != "-") {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      Fail("open", path);
      return nullptr;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      if (what && static_cast<uint64_t>(st.st_size) > kMaxInputBytes) {
        close(fd);
        TooLarge(path, what);
        return nullptr;
      }
      // Mapped and populated in one go: no copy, and far fewer page faults
      // than reading 16 MB through a buffer.
      auto m = std::make_shared<Mapping>();
      m->size = static_cast<size_t>(st.st_size);
      m->addr = mmap(nullptr, m->size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      close(fd);
      if (m->addr == MAP_FAILED) {
        Fail("map", path);
        return nullptr;
      }
      *text = std::string_view(static_cast<const char*>(m->addr), m->size);
      owner = m;
    } else {
      // Pipes, devices, empty files: read them.
      auto s = std::make_shared<std::string>();
      char buf[1 << 16];
      ssize_t n;
      while ((n = read(fd, buf, sizeof buf)) > 0)
        if (!TakeChunk(path, what, buf, static_cast<size_t>(n), s.get())) {
          close(fd);
          return nullptr;
        }
      int err = n < 0 ? errno : 0;
      close(fd);
      if (err) {
        errno = err;
        Fail("read", path);
        return nullptr;
      }
      *text = *s;
      owner = s;
    }
  } else {
    auto s = std::make_shared<std::string>();
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
      if (!TakeChunk(path, what, buf, n, s.get())) return nullptr;
    if (ferror(stdin)) {
      Fail("read", path);
      return nullptr;
    }
    *text = *s;
    owner = s;
  }
  if (what && memchr(text->data(), '\0', text->size())) {
    NulByte(path, what);
    return nullptr;
  }
  return owner;
}

LinesRead ReadLines(const std::string& path, const char* what,
                    const std::function<bool(std::string_view)>& line) {
  int fd = 0;
  if (path != "-" && (fd = open(path.c_str(), O_RDONLY | O_CLOEXEC)) < 0) {
    Fail("open", path);
    return LinesRead::kFailed;
  }
  auto done = [&](LinesRead r) {
    if (fd != 0) close(fd);
    return r;
  };
  std::string carry;      // the start of a line cut by the end of a block
  bool too_long = false;  // the current line is past kMaxStreamedLine: dropped
  std::vector<char> buf(1 << 16);
  ssize_t n;
  while ((n = read(fd, buf.data(), buf.size())) > 0) {
    const std::string_view block(buf.data(), static_cast<size_t>(n));
    if (memchr(block.data(), '\0', block.size())) {
      NulByte(path, what);
      return done(LinesRead::kFailed);
    }
    for (size_t pos = 0; pos < block.size();) {
      const size_t nl = block.find('\n', pos);
      const std::string_view piece =
          block.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
      if (!too_long && carry.size() + piece.size() > kMaxStreamedLine) {
        too_long = true;
        carry = std::string();
      }
      if (nl == std::string_view::npos) {
        if (!too_long) carry += piece;
        break;
      }
      pos = nl + 1;
      bool go;
      if (too_long) {
        go = line({});
      } else if (carry.empty()) {
        go = line(piece);
      } else {
        carry += piece;
        go = line(carry);
        carry.clear();
      }
      too_long = false;
      if (!go) return done(LinesRead::kStopped);
    }
  }
  if (n < 0) {
    Fail("read", path);
    return done(LinesRead::kFailed);
  }
  if ((!carry.empty() || too_long) && !line(too_long ? std::string_view() : carry))
    return done(LinesRead::kStopped);
  return done(LinesRead::kRead);
}

std::string PartialRulesetNote(const LoadResult& r) {
  return "partial ruleset: " + std::to_string(r.skipped_lines) +
         (r.skipped_lines == 1 ? " line of " : " lines of ") + r.ruleset.file +
         " did not load and " + (r.skipped_lines == 1 ? "was" : "were") +
         " skipped (--skip-bad-rules)";
}

const LoadResult* LoadRulesFile(const std::string& path, std::optional<Family> family,
                                LoadOptions options) {
  static std::vector<std::unique_ptr<LoadResult>> loaded;
  std::string_view text;
  std::shared_ptr<const void> owner = ReadInput(path, &text);
  if (!owner) return nullptr;
  options.family = family;
  LoadResult r = LoadRuleset(std::move(owner), text, path == "-" ? "<stdin>" : path, options);
  if (!r.diagnostics.diagnostics().empty()) std::cerr << r.diagnostics.Format();
  if (r.diagnostics.dropped())
    std::cerr << "iptsim: note: --max-errors 0 shows every diagnostic\n";
  if (r.partial()) std::cerr << "iptsim: note: " << PartialRulesetNote(r) << "\n";
  loaded.push_back(std::make_unique<LoadResult>(std::move(r)));
  return loaded.back().get();
}

bool LoadIpsetFiles(const std::vector<std::string>& paths, IpsetDb* db) {
  bool ok = true;
  for (const std::string& path : paths) {
    std::string_view text;
    std::shared_ptr<const void> owner = ReadInput(path, &text, "an ipset save file");
    if (!owner) return false;
    DiagnosticSink diags;
    if (!ParseIpsetSave(text, path == "-" ? "<stdin>" : path, db, &diags)) ok = false;
    if (!diags.diagnostics().empty()) std::cerr << diags.Format();
  }
  return ok;
}

bool LoadRunEnvironment(const CommandLine& cl, RunEnvironment* env) {
  env->settings.seed = cl.seed;
  env->settings.assumptions = cl.assumptions;
  if (!cl.host_file.empty()) {
    DiagnosticSink diags;
    if (!LoadHostFile(cl.host_file, &env->host, &diags)) {
      fputs(diags.Format().c_str(), stderr);
      return false;
    }
    env->settings.host = &env->host;
  }
  if (!cl.ipset_files.empty()) {
    if (!LoadIpsetFiles(cl.ipset_files, &env->ipsets)) return false;
    env->settings.ipsets = &env->ipsets;
  }
  return true;
}

void UsageError(const std::string& command, const std::string& message) {
  fprintf(stderr, "iptsim %s: error: %s\nTry 'iptsim help' for usage.\n", command.c_str(),
          message.c_str());
}

bool OutputWritten(const std::string& command, bool close) {
  static bool reported = false;
  if (reported) return false;
  errno = 0;
  bool ok = fflush(stdout) == 0;
  int err = errno;
  if (ok && ferror(stdout)) {
    // An earlier write failed: stdio dropped what it could not write and
    // errno has moved on.  One more write (a newline, to output that is
    // already cut short) gives the reason again.
    ok = false;
    clearerr(stdout);
    errno = 0;
    if (fputc('\n', stdout) == EOF || fflush(stdout) != 0) err = errno;
  }
  if (ok && close && fclose(stdout) != 0) {  // a file system may report only now
    ok = false;
    err = errno;
  }
  if (ok) return true;
  reported = true;
  fprintf(stderr, "%s: error: writing the output: %s\n",
          command.empty() ? "iptsim" : ("iptsim " + command).c_str(),
          err ? strerror(err) : "an I/O error");
  return false;
}

}  // namespace iptsim::cli
