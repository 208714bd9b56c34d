#include "loader/log_scanner.h"

#include <re2/re2.h>

#include <string>

#include "loader/monitor_trace.h"

namespace iptsim {
namespace {

// The patterns, compiled once.  Each is anchored at the start of what is
// left of the line and consumes only the prefix it recognises.
struct Patterns {
  // /dev/kmsg: "PRIORITY,SEQUENCE,MICROSECONDS,FLAGS[,...];".
  RE2 kmsg{R"(\d+,\d+,\d+(?:,[^;,]*)*;)"};
  // A syslog or journal header: a time, a host, a program with an optional
  // [pid], ": ".  Times: "Dec  7 20:29:25" (syslog, journal short),
  // "Dec 07 20:29:25.123456" (short-precise), RFC 3339 (short-iso, rsyslog),
  // "Mon 2026-12-07 20:29:25 UTC" (short-full).
  RE2 header{
      R"((?:[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d(?:\.\d+)?)"
      R"(|(?:[A-Z][a-z]{2} )?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?)"
      R"((?:Z|[+-]\d\d:?\d\d| [A-Z]{2,5})?))"
      R"( +[^ :]+ +[^ :\[]+(?:\[\d+\])?: )"};
  // dmesg's timestamp: "[  12.345678] " or -T's "[Mon Dec  7 20:29:25 2026] ".
  RE2 dmesg{R"(\[(?: *\d+\.\d+|[A-Z][a-z]{2} [A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d \d{4})\] ?)"};
  // A packet part of nf_log_syslog's dump.
  RE2 packet{R"(IN=[^ ]* OUT=)"};
  // printk's rate limit and its dropped-messages note.
  RE2 suppressed{R"([^ ]+: (\d+) callbacks suppressed)"};
  RE2 dropped{R"(\*\* (\d+) printk messages dropped \*\*)"};
};

const Patterns& Re() {
  static const Patterns* p = new Patterns();  // never destroyed: used until exit
  return *p;
}

// Removes a match of `re` at the start of `*s`; whether there was one.
bool Consume(const RE2& re, std::string_view* s) {
  re2::StringPiece in(s->data(), s->size());
  if (!RE2::Consume(&in, re)) return false;
  *s = std::string_view(in.data(), in.size());
  return true;
}

}  // namespace

std::string_view StripLogPrefix(std::string_view line) {
  const Patterns& re = Re();
  if (!Consume(re.kmsg, &line)) Consume(re.header, &line);
  Consume(re.dmesg, &line);
  return line;
}

bool ScanLogLine(std::string_view line, uint32_t number, LogRecord* out) {
  const Patterns& re = Re();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::string_view body = StripLogPrefix(line);
  re2::StringPiece piece(body.data(), body.size());
  uint64_t lost = 0;
  if (RE2::PartialMatch(piece, re.packet)) {
    // A monitor PACKET line shows no "IN=... OUT=" pair in this order
    // only when it has both; it is told apart by its family and id.
    LogRecordKind kind = FindMonitorPacket(body) != std::string_view::npos
                             ? LogRecordKind::kMonitor
                             : LogRecordKind::kKernel;
    *out = {kind, number, body};
  } else if (FindMonitorPacket(body) != std::string_view::npos ||
             FindMonitorEvent(body) != std::string_view::npos) {
    *out = {LogRecordKind::kMonitor, number, body};
  } else if (RE2::FullMatch(piece, re.suppressed, &lost) ||
             RE2::FullMatch(piece, re.dropped, &lost)) {
    *out = {LogRecordKind::kLost, number, body, lost};
  } else {
    return false;
  }
  return true;
}

ScannedLog ScanLog(std::string_view text) {
  ScannedLog out;
  uint32_t number = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++number;
    ++out.lines;
    LogRecord r;
    if (ScanLogLine(line, number, &r))
      out.records.push_back(r);
    else
      ++out.skipped;
  }
  return out;
}

}  // namespace iptsim
