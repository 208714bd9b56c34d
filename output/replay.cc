// Grouping a log's records into packets, rebuilding and simulating each
// (output/replay.h).  The comparison and its report: output/replay_report.cc.
#include "output/replay.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstdlib>
#include <unordered_map>

#include "engine/host.h"
#include "engine/packet_builder.h"
#include "engine/simulator.h"
#include "loader/log_packet.h"
#include "loader/log_text.h"
#include "loader/monitor_trace.h"
#include "output/answer.h"
#include "output/explain_why.h"
#include "output/formats.h"
#include "output/replay_internal.h"
#include "output/replay_monitor.h"

namespace iptsim {
namespace replay_internal {

std::string_view FieldBefore(std::string_view text, std::string_view name, size_t end) {
  size_t p = text.find(name);
  while (p != std::string_view::npos && p < end && p > 0 && text[p - 1] != ' ')
    p = text.find(name, p + 1);
  if (p == std::string_view::npos || p >= end) return {};
  p += name.size();
  size_t e = text.find(' ', p);
  return text.substr(p, (e == std::string_view::npos ? text.size() : e) - p);
}

std::string HeaderKey(std::string_view text) {
  const size_t end = std::min(text.find('['), text.size());
  std::string key;
  for (std::string_view f : {"SRC=", "DST=", "ID=", "PROTO=", "SPT=", "DPT="}) {
    key += FieldBefore(text, f, end);
    key += '|';
  }
  return key;
}

bool ParseTraceLabel(std::string_view text, LoggedLabel* out) {
  static const RE2* re = new RE2(R"(TRACE: ([a-z]+):([^ :]+):(rule|return|policy):(\d+) )");
  re2::StringPiece in(text.data(), text.size());
  std::string table, chain, type;
  uint32_t number = 0;
  if (!RE2::Consume(&in, *re, &table, &chain, &type, &number)) return false;
  *out = {table, chain, type, number};
  return true;
}

int KernelPosition(std::string_view text) {
  LoggedLabel l;
  TableId table;
  if (!ParseTraceLabel(text, &l) || !ParseTableName(l.table, &table)) return -1;
  int rank;
  bool late_nat;  // nat at priority 100 (SNAT side) rather than -100
  if (l.chain == "PREROUTING" || l.chain == "OUTPUT") {
    rank = 0;
    late_nat = false;
  } else if (l.chain == "INPUT" || l.chain == "FORWARD") {
    rank = 1;
    late_nat = true;
  } else if (l.chain == "POSTROUTING") {
    rank = 2;
    late_nat = true;
  } else {
    return -1;  // a user chain: its hook is not in the line
  }
  int priority = 0;  // the table's hook priority (NF_IP_PRI_*)
  switch (table) {
    case TableId::kRaw: priority = -300; break;
    case TableId::kMangle: priority = -150; break;
    case TableId::kNat: priority = late_nat ? 100 : -100; break;
    case TableId::kFilter: priority = 0; break;
    case TableId::kSecurity: priority = 50; break;
  }
  return rank * 1000 + priority + 300;
}

bool MonitorIds(std::string_view text, int* family, std::string* id) {
  size_t p = FindMonitorPacket(text);
  size_t word = 8;  // "PACKET: "
  if (p == std::string_view::npos) {
    p = FindMonitorEvent(text);
    word = 7;  // "TRACE: "
  }
  if (p == std::string_view::npos) return false;
  size_t f = p + word;
  while (f < text.size() && text[f] == ' ') ++f;
  size_t sp = text.find(' ', f);
  if (sp == std::string_view::npos) return false;
  *family = std::atoi(std::string(text.substr(f, sp - f)).c_str());
  *id = std::string(text.substr(sp + 1, 8));
  return true;
}

}  // namespace replay_internal

namespace {

using namespace replay_internal;

// A FILE whose text goes to a string the caller empties (fopencookie): what
// one packet's simulation printed is taken and the memory used again, so a
// long log does not pile up its simulated text.
class StringStream {
 public:
  StringStream() {
    cookie_io_functions_t io{};
    io.write = [](void* self, const char* buf, size_t n) -> ssize_t {
      static_cast<StringStream*>(self)->text_.append(buf, n);
      return static_cast<ssize_t>(n);
    };
    file_ = fopencookie(this, "w", io);
  }
  ~StringStream() { fclose(file_); }
  StringStream(const StringStream&) = delete;
  StringStream& operator=(const StringStream&) = delete;
  FILE* file() const { return file_; }
  // What was printed since the last call.
  std::string Take() {
    fflush(file_);
    std::string out;
    out.swap(text_);
    return out;
  }

 private:
  FILE* file_;
  std::string text_;
};

// Simulates packets one by one through the log's one Simulator, collecting
// what each format prints for each.
class Replayer {
 public:
  Replayer(const Ruleset& rs, const RunSettings& settings) : rs_(rs), sim_(rs, settings) {
    kernel_ = FindOutputFormat("kernel")->make(rs, kernel_text_.file());
    nft_ = FindOutputFormat("nft")->make(rs, nft_text_.file());
  }

  // Runs `p->packet`; fills p->not_run or the simulated lines of its streams.
  void Run(ReplayPacket* p);

 private:
  const Ruleset& rs_;
  Simulator sim_;
  StringStream kernel_text_, nft_text_;  // before the formats: they write to them to the end
  std::unique_ptr<TraceFormat> kernel_, nft_;
  uint32_t runs_ = 0;
};

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    lines.emplace_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

void Replayer::Run(ReplayPacket* p) {
  TraceFormat* format = p->monitor ? nft_.get() : kernel_.get();
  StringStream& mem = p->monitor ? nft_text_ : kernel_text_;
  JumpTrail trail;
  trail.BeginPacket();
  const std::string origin = "packet " + std::to_string(p->number);
  const PacketInfo info{++runs_, origin, p->packet.in.empty() && p->packet.out.empty() &&
                                             !sim_.settings().host,
                        &trail};
  format->BeginPacket(info);
  TeeObserver tee({format, &trail});
  Packet pkt = p->packet;
  RunResult run = sim_.Run(pkt, &tee);
  if (!run.error.empty()) p->not_run = run.error;
  format->AfterRun(run, info);
  if (p->not_run.empty() && run.sim.verdict == Verdict::kUnknown)
    p->not_run = "undecided: " + run.sim.unknown_reason;
  if (p->not_run.empty() && !run.dropped_before_hooks) format->EndPacket(run, info);
  std::vector<std::string> lines = SplitLines(mem.Take());
  if (!p->monitor) {
    p->streams.resize(1);
    p->streams[0].simulated = std::move(lines);
    return;
  }
  // The monitor's lines by trace id, in the order the ids first appear.
  for (std::string& l : lines) {
    int family;
    std::string id;
    if (!MonitorIds(l, &family, &id)) continue;
    auto s = std::find_if(p->streams.begin(), p->streams.end(),
                          [&](const ReplayStream& r) { return r.sim_id == id; });
    if (s == p->streams.end()) {
      p->streams.emplace_back();
      s = p->streams.end() - 1;
      s->sim_id = id;
    }
    s->simulated.push_back(std::move(l));
  }
}

void AddKey(ReplayPacket* p, std::string key) {
  if (std::find(p->keys.begin(), p->keys.end(), key) == p->keys.end())
    p->keys.push_back(std::move(key));
}

// The chain and rule number of a packet's latest TRACE line.
void NoteChain(ReplayPacket* p, std::string_view text) {
  LoggedLabel l;
  if (!ParseTraceLabel(text, &l)) return;
  p->last_chain = l.table + ":" + l.chain;
  p->last_number = l.number;
}

}  // namespace

class LogReplay::Grouper {
 public:
  Grouper(const Ruleset& rs, const RunSettings& settings, ReplayReporter* reporter)
      : rs_(rs), settings_(settings), reporter_(reporter), replayer_(rs, settings) {}
  // One record; its text views a line that lives only for this call.
  bool Record(const LogRecord& r, Diagnostic* error);
  // The held records grouped and run, every packet reported.
  bool Finish(Diagnostic* error);
  // Every packet so far reported.
  void ReportAll();
  size_t packets() const { return packets_; }
  size_t other_family() const { return other_family_; }

 private:
  bool Process(const LogRecord& r, Diagnostic* error);
  // Takes the held records from the oldest on while they are complete
  // (`ending`: all are).
  bool Drain(bool ending, Diagnostic* error);
  // A new kernel packet from its first line.
  void StartKernelPacket(const LogRecord& r, const LogLine& parsed);
  // Starts the deferred packet, then takes the records held behind it.
  bool Resolve(Diagnostic* error);
  bool KernelRecord(const LogRecord& r, Diagnostic* error);
  // The monitor packet of trace id `id`'s held records `records`.
  bool MonitorGroup(const std::string& id, const std::vector<size_t>& records,
                    Diagnostic* error);
  ReplayPacket* NewPacket(bool monitor);
  // No more lines can join `p`: its grouping state is dropped.
  void Close(ReplayPacket* p);
  // Reports the closed packets at the front, in packet order.
  void ReportClosed();

  const Ruleset& rs_;
  const RunSettings& settings_;
  ReplayReporter* reporter_;
  Replayer replayer_;
  size_t packets_ = 0;
  size_t other_family_ = 0;
  std::deque<std::unique_ptr<ReplayPacket>> unreported_;  // in packet order
  std::vector<ReplayPacket*> open_kernel_;  // the latest kernel packets, oldest first
  std::vector<ReplayPacket*> open_monitor_;  // the latest monitor packets, oldest first
  // From the first xtables-monitor record on, records are held until the
  // monitor groups they belong to or stand behind are complete
  // (output/replay_monitor.h): an id's lines come apart in the log.
  struct HeldRecord {
    LogRecord record;  // viewing `text`
    std::string text;
  };
  std::deque<HeldRecord> held_;
  size_t held_base_ = 0;  // the number of held_.front()
  uint32_t now_ = 0;      // the line of the latest record
  std::unique_ptr<MonitorGroups> monitor_;
  // A packet leaving the host whose first line is a LOG line without
  // --log-uid hides its socket's owner, which its TRACE lines show: its
  // start waits for its next line (at most kLookahead records), which
  // gives the owner; the records in between wait behind it.
  struct Deferred {
    LogLine parsed;
    std::string key;  // HeaderKey of its first line
    std::string text;
    uint32_t line = 0;
    std::deque<std::string> texts;
    std::vector<LogRecord> records;  // viewing `texts`
  };
  static constexpr size_t kLookahead = 16;
  std::unique_ptr<Deferred> deferred_;
};

ReplayPacket* LogReplay::Grouper::NewPacket(bool monitor) {
  unreported_.push_back(std::make_unique<ReplayPacket>());
  ReplayPacket* p = unreported_.back().get();
  p->number = static_cast<uint32_t>(++packets_);
  p->monitor = monitor;
  return p;
}

void LogReplay::Grouper::Close(ReplayPacket* p) {
  p->closed = true;
  for (ReplayStream& s : p->streams) s.normalised = {};
  p->keys = {};
}

void LogReplay::Grouper::ReportClosed() {
  while (!unreported_.empty() && unreported_.front()->closed) {
    reporter_->Packet(*unreported_.front());
    unreported_.pop_front();
  }
}

bool LogReplay::Grouper::MonitorGroup(const std::string& id, const std::vector<size_t>& records,
                                       Diagnostic* error) {
  std::vector<LoggedLine> lines;
  for (size_t seq : records) {
    const LogRecord& r = held_[seq - held_base_].record;
    lines.push_back({r.line, std::string(r.text)});
  }
  const std::string first = NormaliseLogLine(lines.front().text);
  // A packet the kernel sent for an earlier one (a REJECT's reply): an
  // open packet's simulation has a stream starting with this line.
  for (ReplayPacket* p : open_monitor_) {
    for (ReplayStream& s : p->streams) {
      if (!s.log_id.empty() || s.simulated.empty() || NormaliseLogLine(s.simulated[0]) != first)
        continue;
      s.log_id = id;
      s.logged = std::move(lines);
      return true;
    }
  }
  std::string text;
  for (const LoggedLine& l : lines) {
    text += l.text;
    text += '\n';
  }
  LogText parsed;
  if (!ReadLogText(text, rs_.family, false, &parsed, error)) {
    error->line = lines[std::min<size_t>(error->line ? error->line - 1 : 0, lines.size() - 1)].line;
    return false;
  }
  ReplayPacket* p = NewPacket(true);
  if (parsed.packets.empty()) {
    p->not_run = "trace id " + id + " has no PACKET line to rebuild the packet from";
    p->streams.resize(1);
  } else {
    p->packet = BuildPacket(parsed.packets[0].spec);
    replayer_.Run(p);
    if (p->streams.empty()) p->streams.resize(1);
  }
  p->streams[0].log_id = id;
  p->streams[0].logged = std::move(lines);
  // Only the latest monitor packets wait for their replies' lines.
  constexpr size_t kOpenPackets = 64;
  if (open_monitor_.size() == kOpenPackets) {
    Close(open_monitor_.front());
    open_monitor_.erase(open_monitor_.begin());
  }
  open_monitor_.push_back(p);
  ReportClosed();
  return true;
}

bool LogReplay::Grouper::KernelRecord(const LogRecord& r, Diagnostic* error) {
  const std::string_view src = FieldBefore(r.text, "SRC=", r.text.size());
  if ((src.find(':') != std::string_view::npos) != (rs_.family == Family::kIPv6)) {
    ++other_family_;
    return true;
  }
  const std::string norm = NormaliseLogLine(r.text);
  const int position = KernelPosition(r.text);
  LoggedLine logged{r.line, std::string(r.text)};
  // The line iptsim prints next for an open packet.
  for (ReplayPacket* p : open_kernel_) {
    ReplayStream& s = p->streams[0];
    if (s.next < s.normalised.size() && s.normalised[s.next] == norm) {
      ++s.next;
      s.logged.push_back(std::move(logged));
      if (position >= 0) p->last_position = position;
      NoteChain(p, r.text);
      return true;
    }
  }
  // A line of an open packet that iptsim does not print there.
  const std::string key = HeaderKey(r.text);
  LoggedLabel label;
  const bool traced = ParseTraceLabel(r.text, &label);
  const std::string chain = traced ? label.table + ":" + label.chain : "";
  for (auto it = open_kernel_.rbegin(); it != open_kernel_.rend(); ++it) {
    ReplayPacket* p = *it;
    ReplayStream& s = p->streams[0];
    const bool more = s.next < s.simulated.size();
    if (std::find(p->keys.begin(), p->keys.end(), key) == p->keys.end()) continue;
    // The same hook and table again: while the simulation has lines left
    // there, or further down the same chain (a walk that went on longer in
    // the kernel than in iptsim: the packet differs, its lines stay one).
    const bool further = traced && chain == p->last_chain && label.number > p->last_number;
    if (position >= 0 &&
        !(position > p->last_position || (position == p->last_position && (more || further))))
      continue;
    if (more && position >= 0 && KernelPosition(s.simulated[s.next]) == position) ++s.next;
    s.logged.push_back(std::move(logged));
    if (position >= 0) p->last_position = position;
    if (traced) p->last_chain = chain, p->last_number = label.number;
    AddKey(p, key);
    return true;
  }
  // A new packet.
  LogLine parsed;
  if (!ParseLogLine(r.text, rs_.family, &parsed, error)) {
    error->line = r.line;
    return false;
  }
  if (!parsed.spec.uid && parsed.spec.in.empty() && !parsed.spec.out.empty() &&
      !r.text.starts_with("TRACE:")) {
    deferred_ = std::make_unique<Deferred>();
    deferred_->parsed = std::move(parsed);
    deferred_->key = key;
    deferred_->text = std::string(r.text);
    deferred_->line = r.line;
    return true;
  }
  StartKernelPacket(r, parsed);
  return true;
}

void LogReplay::Grouper::StartKernelPacket(const LogRecord& r, const LogLine& parsed_line) {
  LogLine parsed = parsed_line;
  const std::string norm = NormaliseLogLine(r.text);
  const int position = KernelPosition(r.text);
  const std::string key = HeaderKey(r.text);
  LoggedLine logged{r.line, std::string(r.text)};
  // A local packet to a local address leaves on lo in the kernel's log
  // (its route's device) without its socket being bound to lo, which for
  // IPv6 could not send it: with a host model, its routing chooses.
  if (settings_.host && parsed.spec.in.empty() && parsed.spec.out == "lo" && parsed.spec.dst &&
      settings_.host->IsLocalAddress(rs_.family, *parsed.spec.dst))
    parsed.spec.out.clear();
  ReplayPacket* p = NewPacket(false);
  p->packet = BuildPacket(parsed.spec);
  replayer_.Run(p);
  if (p->streams.empty()) p->streams.resize(1);
  ReplayStream& s = p->streams[0];
  for (const std::string& l : s.simulated) s.normalised.push_back(NormaliseLogLine(l));
  if (!s.normalised.empty() && s.normalised[0] == norm) s.next = 1;
  s.logged.push_back(std::move(logged));
  p->last_position = position;
  NoteChain(p, r.text);
  AddKey(p, key);
  for (const std::string& l : s.simulated) AddKey(p, HeaderKey(l));
  // Only the latest packets stay open: a log's concurrent traces are few,
  // the search stays short over a long log, and a packet that leaves the
  // window is reported and freed.
  constexpr size_t kOpenPackets = 64;
  if (open_kernel_.size() == kOpenPackets) {
    Close(open_kernel_.front());
    open_kernel_.erase(open_kernel_.begin());
  }
  open_kernel_.push_back(p);
  ReportClosed();
}

bool LogReplay::Grouper::Resolve(Diagnostic* error) {
  std::unique_ptr<Deferred> d = std::move(deferred_);
  StartKernelPacket({LogRecordKind::kKernel, d->line, d->text}, d->parsed);
  for (const LogRecord& r : d->records)
    if (!Record(r, error)) return false;
  return true;
}

bool LogReplay::Grouper::Process(const LogRecord& r, Diagnostic* error) {
  switch (r.kind) {
    case LogRecordKind::kLost: reporter_->Lost(r); break;
    case LogRecordKind::kKernel: return KernelRecord(r, error);
    case LogRecordKind::kMonitor: break;
  }
  return true;
}

bool LogReplay::Grouper::Drain(bool ending, Diagnostic* error) {
  while (!held_.empty()) {
    const LogRecord& r = held_.front().record;
    if (r.kind == LogRecordKind::kMonitor) {
      std::string id;
      std::vector<size_t> records;
      const auto front = monitor_->AtFront(held_base_, now_, ending, &id, &records);
      if (front == MonitorGroups::Front::kWait) break;
      if (front == MonitorGroups::Front::kGroup && !MonitorGroup(id, records, error))
        return false;
    } else if (!Process(r, error)) {
      return false;
    }
    held_.pop_front();
    ++held_base_;
  }
  return true;
}

bool LogReplay::Grouper::Record(const LogRecord& r, Diagnostic* error) {
  if (deferred_ && r.kind == LogRecordKind::kMonitor && !Resolve(error)) return false;
  if (deferred_) {
    deferred_->texts.emplace_back(r.text);
    deferred_->records.push_back(r);
    deferred_->records.back().text = deferred_->texts.back();
    const bool next_line = r.kind == LogRecordKind::kKernel && HeaderKey(r.text) == deferred_->key;
    LogLine later;
    Diagnostic ignored;
    if (next_line && ParseLogLine(r.text, rs_.family, &later, &ignored) && later.spec.uid) {
      deferred_->parsed.spec.uid = later.spec.uid;
      deferred_->parsed.spec.gid = later.spec.gid;
    }
    if (next_line || deferred_->records.size() >= kLookahead) return Resolve(error);
    return true;
  }
  if (r.kind == LogRecordKind::kMonitor && !monitor_)
    monitor_ = std::make_unique<MonitorGroups>(rs_.family);
  if (!monitor_) return Process(r, error);
  HeldRecord& h = held_.emplace_back();
  h.text = std::string(r.text);
  h.record = r;
  h.record.text = h.text;
  now_ = r.line;
  if (r.kind == LogRecordKind::kMonitor)
    monitor_->Add(held_base_ + held_.size() - 1, h.record, &other_family_);
  return Drain(false, error);
}

bool LogReplay::Grouper::Finish(Diagnostic* error) {
  if (deferred_ && !Resolve(error)) return false;
  if (monitor_) {
    monitor_->End();
    if (!Drain(true, error)) return false;
  }
  ReportAll();
  return true;
}

void LogReplay::Grouper::ReportAll() {
  for (auto& p : unreported_) Close(p.get());
  open_kernel_.clear();
  open_monitor_.clear();
  ReportClosed();
}

std::string NormaliseLogLine(std::string_view line) {
  static const RE2* icmp_error = new RE2(
      R"( IN=(?:lo)? [^\[]*PREC=0xC0 TTL=\d+ ID=\d+ (?:DF )?PROTO=ICMP TYPE=(?:3|4|5|11|12) )");
  static const RE2* icmp6_error = new RE2(R"( IN=(?:lo)? [^\[]*PROTO=ICMPv6 TYPE=[1-4] )");
  static const RE2* ip_id = new RE2(R"( ID=\d+ )");
  static const RE2* flow_label = new RE2(R"( FLOWLBL=\d+ )");
  static const RE2* mac = new RE2(R"( MAC=[0-9a-f:]+ )");
  std::string s(line);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  s += ' ';  // the patterns end in a blank, as every field of the dump does
  if (RE2::PartialMatch(s, *icmp_error)) RE2::Replace(&s, *ip_id, " ID=* ");
  if (RE2::PartialMatch(s, *icmp6_error)) RE2::Replace(&s, *flow_label, " FLOWLBL=* ");
  if (s.find(":POSTROUTING:") != std::string::npos) {
    const size_t end = s.size();
    std::string_view in = replay_internal::FieldBefore(s, "IN=", end);
    std::string_view out = replay_internal::FieldBefore(s, "OUT=", end);
    if (!in.empty() && in == out) RE2::Replace(&s, *mac, " MAC=* ");
  }
  int family;
  std::string id;
  if (replay_internal::MonitorIds(s, &family, &id)) {
    size_t p = s.find(id);
    if (p != std::string::npos) s.replace(p, id.size(), "*");
  }
  s.pop_back();
  return s;
}

LogReplay::LogReplay(const Ruleset& rs, const RunSettings& settings, std::string log_name,
                     FILE* out)
    : reporter_(std::make_unique<ReplayReporter>(rs, settings, std::move(log_name), out)),
      grouper_(std::make_unique<Grouper>(rs, settings, reporter_.get())) {}

LogReplay::~LogReplay() = default;

bool LogReplay::Line(std::string_view line, Diagnostic* error) {
  ++lines_;
  LogRecord r;
  if (!ScanLogLine(line, static_cast<uint32_t>(lines_), &r)) return true;
  ++records_;
  return grouper_->Record(r, error);
}

bool LogReplay::Finish(Diagnostic* error) {
  if (!grouper_->Finish(error)) return false;
  reporter_->Finish(grouper_->packets(), lines_, lines_ - records_, grouper_->other_family());
  return true;
}

void LogReplay::ReportSoFar() { grouper_->ReportAll(); }

int LogReplay::status() const { return reporter_->status(); }

}  // namespace iptsim
