// The command line of every iptsim command, read by one parser from one
// table of options per command (cli/options.cc):
//   iptsim COMMAND [OPTIONS] RULES [PACKET WORDS | OPTIONS]...
// Options come before RULES; after RULES a word that is exactly one of the
// command's option names (never a packet option: the tables share no name
// with docs/packet-options.md) is still read as that option, everything else
// is a packet word ("--" separating packets).  Every option that takes a
// value also takes it as --opt=VALUE (a flag refuses "=VALUE"); -h/--help
// anywhere shows the command's help.  Unknown commands and options get a
// "did you mean", an option of another command or a packet option in the
// wrong place a hint saying where it belongs.  Adding an option is adding a
// row to its command's table: the parser, `iptsim help`, the man page and
// the shell completion (cli/help.cc) all read the tables.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "cli/packet_input.h"
#include "engine/netfilter.h"
#include "loader/printer.h"

namespace iptsim::cli {

// Everything the user chose on the command line, for any command (each
// command's table sets only its own fields).
struct CommandLine {
  std::string command;             // "trace", ... (messages name it)
  std::optional<Family> family;    // -4 / -6
  std::string rules;               // RULES ("" when not given)
  LoadOptions load;                // --max-errors, --skip-bad-rules, --table
  // The words after RULES that are not options, split at "--" (one empty
  // group when there are none).
  std::vector<std::vector<std::string>> packet_groups{1};

  // save
  SaveOptions save;

  // trace and verify
  std::optional<uint64_t> seed;             // --seed N
  std::map<std::string, bool> assumptions;  // --assume NAME=true|false
  // --assume TABLE:CHAIN:N=match|nomatch (trace), resolved with the ruleset.
  std::vector<std::pair<std::string, bool>> rule_assumptions;
  std::string host_file;                    // --host FILE
  PacketInputOptions input;                 // --packets, --from-log, --pcap

  // trace
  std::string format = "kernel";  // --format (a name of cli/output_formats.h)
  bool trace_all = false;
  bool explore = false;
  bool packet_headers = false;
  bool quiet = false;  // --quiet
  std::vector<std::pair<std::string, bool>> why;  // --why / --expect (true)
  std::vector<std::string> ipset_files;

  // verify
  bool nft_backend = false;        // --backend nft
  bool keep_lab = false;           // --keep
  bool add_trace_rules = true;     // --no-trace-rule clears it
  bool verbose = false;            // -v
  std::optional<uint64_t> timeout_s;  // --timeout S
  std::optional<uint64_t> settle_ms;  // --settle MS

  // help
  bool man_page = false;         // --man
  bool bash_completion = false;  // --bash-completion

  bool show_help = false;  // -h / --help, in every command

  // test (the SPEC files are `rules` and the words after it)
  std::string junit_file;                // --junit FILE
  std::vector<std::string> test_select;  // -k PATTERN (any of them)
  bool test_update = false;              // --update
  bool allow_undecided = false;          // --allow-undecided
  std::optional<uint64_t> test_jobs;     // -j N

  // diff
  bool diff_json = false;           // --format json
  bool diff_verdicts_only = false;  // --verdicts-only
  bool diff_traces = false;         // --traces

  // query (the packets asked about are the words after RULES; --format
  // json sets diff_json)
  std::string query_verdict;                // --verdict V
  std::string query_rule;                   // --rule TABLE:CHAIN:N
  bool query_matrix = false;                // --matrix
  std::vector<PacketPath> query_paths;      // --path P (repeatable)
};

// One option of a command: its names, whether it takes a value, the field
// it sets (through `set`, which returns "" or the usage error), its help.
struct OptionSpec {
  const char* name;        // "--format", "-4"
  const char* alias;       // another spelling ("--counters" of -c), or nullptr
  const char* value_name;  // "FILE", "N"...; nullptr: a flag
  std::string (*set)(CommandLine& cl, const std::string& value);
  const char* help;
};

// What an exit status means for one command (help and the man page list them).
struct ExitStatus {
  int code;
  const char* meaning;
};

struct CommandSpec {
  const char* name;
  const char* operands;  // what follows the options: "RULES [PACKET...]"
  const char* summary;   // one line for `iptsim help`
  const char* help;      // the paragraph of `iptsim help COMMAND` and the man page
  std::span<const OptionSpec> options;
  bool takes_packets;  // words after RULES are packets (else one RULES only)
  int (*run)(const CommandLine& cl);
  std::span<const ExitStatus> exit_statuses;
};

// Every command, in the order help lists them.
std::span<const CommandSpec> Commands();
const CommandSpec* FindCommand(const std::string& name);

// The option of `command` a word names ("--format", "--format=json", an
// alias), or nullptr.
const OptionSpec* FindOption(const CommandSpec& command, std::string_view word);
// -h/--help, which every command has besides its table.
const OptionSpec& HelpOption();

// Reads `args` (the words after the command name) into *out; false after
// printing a usage error.
bool ParseCommandLine(const CommandSpec& command, const Args& args, CommandLine* out);

// `iptsim COMMAND ...` as main() gets it; the exit status.
int RunCommandLine(int argc, char** argv);

}  // namespace iptsim::cli
