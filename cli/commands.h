// The subcommands of the iptsim binary; each is a few lines calling the library.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <map>
#include <string>
#include <vector>

#include "engine/host.h"
#include "engine/ipset.h"
#include "engine/run_settings.h"
#include "engine/model.h"
#include "loader/loader.h"

namespace iptsim::cli {

// Exit statuses: 0 ok, 1 a difference was found, 2 bad input or usage.
constexpr int kExitOk = 0;
constexpr int kExitDifferent = 1;
constexpr int kExitError = 2;

using Args = std::vector<std::string>;

struct CommandLine;  // cli/options.h
int CheckCommand(const CommandLine& cl);
int SaveCommand(const CommandLine& cl);
int TraceCommand(const CommandLine& cl);
int VerifyCommand(const CommandLine& cl);
int TestCommand(const CommandLine& cl);
int ReplayCommand(const CommandLine& cl);
int DiffCommand(const CommandLine& cl);
int QueryCommand(const CommandLine& cl);

// Shared helpers.
// The contents of a file (mapped when it is a regular file) or of stdin for
// "-"; nullptr (and a message on stderr) on failure.  `text` views the data
// the returned owner keeps alive.  A text (`what` names its kind for the
// message) may not contain NUL bytes; `what` nullptr: binary data.  Over
// kMaxInputBytes (loader/loader.h) is refused, but for a mapped binary file.
std::shared_ptr<const void> ReadInput(const std::string& path, std::string_view* text,
                                      const char* what = "an iptables-save text");
// A text file (or stdin for "-") streamed line by line to `line`, each
// line without its '\n' (memory: one line; a line longer than
// kMaxStreamedLine is given as empty: its text is dropped as it is read).
// `line` returns false to stop.  kFailed, with a message on stderr, when
// the file cannot be opened or read or holds a NUL byte (`what` names the
// kind of text, as for ReadInput).  No size limit: nothing is kept.
enum class LinesRead { kRead, kFailed, kStopped };
constexpr size_t kMaxStreamedLine = size_t{1} << 20;
LinesRead ReadLines(const std::string& path, const char* what,
                    const std::function<bool(std::string_view)>& line);
// Reads and loads RULES, printing diagnostics to stderr, and a note when
// --skip-bad-rules dropped lines.  `options` (--max-errors, --skip-bad-rules,
// --table) with `family` (-4/-6) in place of its own.  The result lives
// until the process exits (main ends with _Exit: a large model is never torn
// down piece by piece); nullptr if the file cannot be read.
const LoadResult* LoadRulesFile(const std::string& path, std::optional<Family> family,
                                LoadOptions options = {});
// The note every command prints on stderr after a partial load, and `save`
// as its first line: "partial ruleset: N lines of FILE did not load ...".
std::string PartialRulesetNote(const LoadResult& r);
void UsageError(const std::string& command, const std::string& message);
// Flushes stdout and says whether everything written to it arrived; if not
// (a full disk, /dev/full), prints "iptsim COMMAND: error: writing the
// output: REASON" once and returns false.  `command` empty: "iptsim:".
// `close`: also closes stdout (at exit), whose errors count too.
bool OutputWritten(const std::string& command, bool close = false);

// Reads ipset save files (--ipset) into *db, printing diagnostics to stderr;
// false on any error.
bool LoadIpsetFiles(const std::vector<std::string>& paths, IpsetDb* db);

// What a simulation runs with from --host, --ipset, --seed and --assume
// NAME=BOOL: the settings, pointing at the host model and ipsets beside
// them (so it is not copied).
struct RunEnvironment {
  HostModel host;
  IpsetDb ipsets;
  RunSettings settings;
  RunEnvironment() = default;
  RunEnvironment(const RunEnvironment&) = delete;
  RunEnvironment& operator=(const RunEnvironment&) = delete;
};
// Loads the files `cl` names into *env; false after printing the errors.
bool LoadRunEnvironment(const CommandLine& cl, RunEnvironment* env);

}  // namespace iptsim::cli
