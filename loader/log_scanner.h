// The records of a whole log (`iptsim replay RULES LOG`): kernel TRACE/LOG
// lines, `xtables-monitor --trace` lines and the kernel's notes of lost
// lines, found in what the usual tools print, with their prefixes taken
// off.  Every line is matched with re2 (linear time, whatever the input):
//
//   /dev/kmsg        "6,1234,5678,-;TRACE: ..."   (PRIORITY,SEQ,USEC,FLAGS;)
//   dmesg            "[  12.345678] TRACE: ..."  or none, or -T's
//                    "[Mon Dec  7 20:29:25 2026] TRACE: ..."
//   journalctl -k    short ("Dec 07 20:29:25 host kernel: ..."), short-iso
//                    ("2026-12-07T20:29:25+0000 host kernel: ..."),
//                    short-precise ("Dec 07 20:29:25.123456 host ..."),
//                    short-full ("Mon 2026-12-07 20:29:25 UTC host ..."), cat
//   syslog files     "Dec  7 20:29:25 HOST PROGRAM[PID]: ..." (any host and
//                    program; RFC 3339 times as rsyslog writes them), with or
//                    without a dmesg timestamp after the program
//
// What is left of a line is a kernel record when it has a packet part
// ("IN=... OUT="), an xtables-monitor record when it is a PACKET or TRACE
// line of the monitor (loader/monitor_trace.h), and a lost-lines note when
// it is "NAME: N callbacks suppressed" (printk's rate limit: N messages of
// NAME's were not printed) or "** N printk messages dropped **"; every
// other line is skipped and counted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace iptsim {

enum class LogRecordKind : uint8_t {
  kKernel,   // a TRACE or LOG line of the kernel
  kMonitor,  // a PACKET or TRACE line of xtables-monitor --trace
  kLost,     // the kernel says lines were not printed
};

struct LogRecord {
  LogRecordKind kind;
  uint32_t line;          // 1-based line number in the log
  std::string_view text;  // the record with the line's prefixes removed
  uint64_t lost = 0;      // kLost: how many lines (0 when the note does not say)
};

struct ScannedLog {
  std::vector<LogRecord> records;  // in log order
  size_t lines = 0;                // lines read
  size_t skipped = 0;              // lines that are none of the records
};

// The record part of one line: `line` without its kmsg / syslog / journal
// header and dmesg timestamp (the line itself when it has none).
std::string_view StripLogPrefix(std::string_view line);

// One line of a log, without its '\n' (a '\r' before it is taken off):
// whether it is a record, then filled in `out` as line `number` (its text
// views `line`).  A stream of lines is scanned line by line with it.
bool ScanLogLine(std::string_view line, uint32_t number, LogRecord* out);

// Scans `text` (views into it are kept: it must outlive the result).
ScannedLog ScanLog(std::string_view text);

}  // namespace iptsim
