// libFuzzer target for `iptsim replay` (loader/log_scanner, output/replay):
// any text is scanned; every record must view a part of its own line; the
// records are then grouped, rebuilt and simulated through a small ruleset
// with a TRACE rule and the comparison printed (to nowhere).  Nothing may
// crash, hang or trip a sanitizer.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "loader/loader.h"
#include "loader/log_scanner.h"
#include "output/replay.h"

using namespace iptsim;

namespace {

const LoadResult& Rules() {
  static const LoadResult* r = new LoadResult(LoadRuleset(
      "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -j TRACE\n"
      "-A OUTPUT -j TRACE\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
      ":OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\n"
      "-A INPUT -j LOG --log-prefix \"in: \"\n-A FORWARD -j REJECT\nCOMMIT\n",
      "fuzz.v4"));
  return *r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16 * 1024) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ScannedLog log = ScanLog(text);
  for (const LogRecord& r : log.records) {
    if (r.text.data() < text.data() || r.text.data() + r.text.size() > text.data() + text.size() ||
        r.text.find('\n') != std::string_view::npos) {
      fprintf(stderr, "record of line %u is not inside its line\n", r.line);
      abort();
    }
  }
  if (log.skipped > log.lines) abort();
  if (!Rules().ok()) abort();
  // The replay as the command streams it: line by line, reported to nowhere.
  FILE* null = fopen("/dev/null", "w");
  RunSettings settings;
  bool ok = true;
  Diagnostic error;
  {
    LogReplay replay(Rules().ruleset, settings, "fuzz", null);
    for (size_t pos = 0; ok && pos < text.size();) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      ok = replay.Line(text.substr(pos, nl - pos), &error);
      pos = nl + 1;
    }
    if (ok) ok = replay.Finish(&error);
    if (ok && replay.lines() != log.lines) abort();
  }
  fclose(null);
  if (!ok) {
    error.file = "fuzz";
    (void)FormatDiagnostic(error);
  }
  return 0;
}
