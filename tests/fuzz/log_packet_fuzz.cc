// libFuzzer target for --from-log (loader/log_packet): any line is parsed;
// a line that parses is built into a packet and dumped again, and that dump
// must parse too and come back unchanged (the round trip is a fixed point).
// Nothing may crash, hang or trip a sanitizer.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/log_format.h"
#include "engine/packet_builder.h"
#include "loader/log_packet.h"

using namespace iptsim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 8 * 1024) return 0;
  std::string line(reinterpret_cast<const char*>(data), size);
  LogLine parsed;
  Diagnostic err;
  if (!ParseLogLine(line, std::nullopt, &parsed, &err)) {
    err.file = "fuzz";
    err.line = 1;
    (void)FormatDiagnostic(err);
    return 0;
  }
  std::string dump = FormatLogPacket(BuildPacket(parsed.spec), parsed.logflags);
  LogLine again;
  if (!ParseLogLine(dump, parsed.spec.family, &again, &err)) {
    fprintf(stderr, "the dump of a parsed line does not parse: %s\n  %s\n  col %u: %s\n",
            line.c_str(), dump.c_str(), err.col, err.message.c_str());
    abort();
  }
  std::string dump2 = FormatLogPacket(BuildPacket(again.spec), again.logflags);
  if (dump2 != dump) {
    fprintf(stderr, "round trip is not a fixed point:\n  in:    %s\n  dump:  %s\n  dump2: %s\n",
            line.c_str(), dump.c_str(), dump2.c_str());
    abort();
  }
  return 0;
}
