// iptsim replay [OPTIONS] RULES LOG
// Replays a whole kernel log (dmesg, journalctl -k, syslog, /dev/kmsg,
// xtables-monitor --trace) through the ruleset and compares every packet's
// logged lines with the simulated ones (output/replay.h).
#include <cstdio>
#include <string>

#include "cli/options.h"
#include "output/replay.h"

namespace iptsim::cli {

int ReplayCommand(const CommandLine& cl) {
  const std::vector<std::string>& words = cl.packet_groups.front();
  if (cl.packet_groups.size() != 1 || words.size() != 1) {
    UsageError("replay", words.empty() && cl.packet_groups.size() == 1
                             ? "LOG is missing (iptsim replay RULES LOG; LOG is a file or -)"
                             : "takes one RULES and one LOG, then nothing else (iptsim replay "
                               "RULES LOG)");
    return kExitError;
  }
  const std::string& log_path = words[0];
  if (log_path == "-" && cl.rules == "-") {
    UsageError("replay", "RULES and LOG cannot both be stdin");
    return kExitError;
  }
  RunEnvironment env;
  if (!LoadRunEnvironment(cl, &env)) return kExitError;
  const LoadResult* r = LoadRulesFile(cl.rules, cl.family, cl.load);
  if (!r || !r->ok()) return kExitError;
  // The log is streamed: packets are reported as they close, and memory
  // holds only the open ones (output/replay.h).
  const std::string log_name = log_path == "-" ? "<stdin>" : log_path;
  LogReplay replay(r->ruleset, env.settings, log_name, stdout);
  Diagnostic error;
  const LinesRead read = ReadLines(log_path, "a log file", [&](std::string_view line) {
    return replay.Line(line, &error);
  });
  if (read == LinesRead::kFailed) return kExitError;
  if (read == LinesRead::kRead && replay.records() == 0) {
    fprintf(stderr,
            "iptsim replay: %s: no kernel TRACE/LOG line, xtables-monitor line or lost-lines "
            "note in %zu line%s\n",
            log_name.c_str(), replay.lines(), replay.lines() == 1 ? "" : "s");
    return kExitError;
  }
  if (read == LinesRead::kStopped || !replay.Finish(&error)) {
    replay.ReportSoFar();
    fflush(stdout);
    error.file = log_name;
    fputs(FormatDiagnostic(error).c_str(), stderr);
    return kExitError;
  }
  return replay.status();
}

}  // namespace iptsim::cli
