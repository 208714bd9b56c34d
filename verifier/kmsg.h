// Reading what the kernel says about a lab's packets.
//
// Legacy iptables: TRACE and LOG lines go to the kernel log, read from
// /dev/kmsg (records "PRIO,SEQ,USEC,FLAGS;TEXT").  The log is shared with the
// rest of the machine, so only lines that belong to the lab are kept: TRACE
// lines and LOG-format lines (`<prefix>IN=<dev> OUT=<dev> ...`) whose devices
// are the lab's (its ports and lo).  Labs are serialized machine-wide (see
// lab.h), so another lab cannot interleave lines with the same device names.
//
// nf_tables (iptables-nft): trace events go to netlink; `xtables-monitor
// --trace` is run inside the host namespace (netlink is per namespace, so
// every event it prints is the lab's) and its PACKET:/TRACE: lines are kept.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace iptsim::verifier {

class Lab;

struct KmsgRecord {
  uint64_t seq = 0;
  int level = 0;       // syslog level (priority & 7): TRACE is 4, LOG --log-level N is N
  uint64_t usec = 0;   // time stamp, microseconds since boot
  std::string text;    // the message, \xNN escapes of /dev/kmsg undone, no newline
};

// Parses one /dev/kmsg record; false if malformed.
bool ParseKmsgRecord(std::string_view raw, KmsgRecord* out);

// True for a TRACE line or a LOG line (prefix + "IN=... OUT=... ") whose
// input or output device is in `devices` (the other one empty or in
// `devices` too).
bool IsLabLogLine(std::string_view text, const std::vector<std::string>& devices);

// When to stop reading after a packet: `quiet` without a new kept line (but at
// least `min_wait` in total), or at `deadline`.
struct Settle {
  std::chrono::milliseconds quiet{150};
  std::chrono::milliseconds min_wait{0};
  std::chrono::milliseconds deadline{3000};
};

class KmsgReader {
 public:
  KmsgReader() = default;
  ~KmsgReader();
  KmsgReader(const KmsgReader&) = delete;
  KmsgReader& operator=(const KmsgReader&) = delete;

  // Opens /dev/kmsg (non-blocking).  "" on success.
  std::string Open();
  // Reads everything already logged and returns the last sequence number
  // (0 for an empty log): records after it are "new".
  uint64_t Mark();
  // Records with seq > after_seq accepted by `keep`, read until `settle` says
  // stop.  Records lost to ring-buffer overwrites are skipped.
  std::vector<KmsgRecord> ReadSince(uint64_t after_seq, const Settle& settle,
                                    const std::function<bool(const KmsgRecord&)>& keep);
  uint64_t last_seq() const { return last_seq_; }

 private:
  // Reads one record; 1 = got one, 0 = none available now, -1 = error.
  int ReadOne(KmsgRecord* rec);
  int fd_ = -1;
  uint64_t last_seq_ = 0;
};

// `xtables-monitor --trace` inside a lab's host namespace.
class XtablesMonitor {
 public:
  XtablesMonitor() = default;
  ~XtablesMonitor();  // Stop()
  XtablesMonitor(const XtablesMonitor&) = delete;
  XtablesMonitor& operator=(const XtablesMonitor&) = delete;

  // Starts it and waits (up to timeout_ms) until it listens to the trace
  // netlink group, so that no early event is lost.  "" on success.
  std::string Start(Lab& lab, int timeout_ms);
  // Its PACKET:/TRACE: lines that arrive until `settle` says stop.  Other
  // output (errors of xtables-monitor itself) goes to *errors if given.
  std::vector<std::string> Read(const Settle& settle, std::vector<std::string>* errors = nullptr);
  void Stop();

 private:
  Lab* lab_ = nullptr;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string partial_;
  std::string err_partial_;
};

}  // namespace iptsim::verifier
