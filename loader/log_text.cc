#include "loader/log_text.h"

#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "loader/log_packet.h"
#include "loader/monitor_trace.h"

namespace iptsim {
namespace {

struct Line {
  std::string_view text;
  uint32_t number;
};

std::vector<Line> SplitLines(std::string_view text) {
  std::vector<Line> lines;
  uint32_t n = 0;
  for (size_t pos = 0; pos < text.size();) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back({line, ++n});
  }
  return lines;
}

// One trace id's packet being put together.
struct Building {
  size_t index;       // in LogText::packets (kept in line order)
  int last_position;  // the furthest hook/table its events reached
};

class TextReader {
 public:
  TextReader(Family family, bool single_line, LogText* out)
      : family_(family), single_(single_line), out_(out) {}
  bool Read(const std::vector<Line>& lines, Diagnostic* error);

 private:
  bool KernelLine(const Line& l, Diagnostic* error);
  bool PacketLine(const Line& l, int position, Diagnostic* error);
  void Event(const MonitorEvent& e);

  Family family_;
  bool single_;
  LogText* out_;
  // Packets of xtables-monitor lines, resolved at the end.
  std::vector<std::optional<MonitorPacketLine>> monitor_;
  std::unordered_map<uint32_t, Building> current_;  // by trace id
  std::unordered_set<uint32_t> other_ids_;           // of the other family
};

bool TextReader::KernelLine(const Line& l, Diagnostic* error) {
  LogLine parsed;
  if (!ParseLogLine(l.text, single_ ? std::optional<Family>(family_) : std::nullopt, &parsed,
                    error)) {
    error->line = l.number;
    return false;
  }
  ++out_->lines_read;
  if (parsed.spec.family != family_) {
    ++out_->other_family;
    return true;
  }
  out_->packets.push_back({std::move(parsed.spec), l.number});
  monitor_.emplace_back();
  return true;
}

bool TextReader::PacketLine(const Line& l, int position, Diagnostic* error) {
  MonitorPacketLine p;
  if (!ParseMonitorPacketLine(l.text, single_ ? std::optional<Family>(family_) : std::nullopt, &p,
                              error)) {
    error->line = l.number;
    return false;
  }
  ++out_->lines_read;
  if (p.spec.family != family_) {
    if (other_ids_.insert(p.trace_id).second) ++out_->other_family;
    return true;
  }
  auto it = current_.find(p.trace_id);
  if (it != current_.end() && (position < 0 || position > it->second.last_position)) {
    // The same packet in a later chain: only its OUT= may be new.
    MonitorPacketLine& first = *monitor_[it->second.index];
    if (first.spec.out.empty()) first.spec.out = p.spec.out;
    if (position >= 0) it->second.last_position = position;
    return true;
  }
  const size_t index = out_->packets.size();
  out_->packets.push_back({PacketSpec(), l.number});
  monitor_.emplace_back(p);
  current_[p.trace_id] = {index, position};
  return true;
}

void TextReader::Event(const MonitorEvent& e) {
  auto it = current_.find(e.trace_id);
  if (it == current_.end() || e.family != family_) return;
  MonitorPacketLine& p = *monitor_[it->second.index];
  if (e.proto && !p.hint_proto) p.hint_proto = e.proto;
  if (e.icmp && !p.hint_icmp) p.hint_icmp = e.icmp;
  it->second.last_position = std::max(it->second.last_position, e.position);
}

bool TextReader::Read(const std::vector<Line>& lines, Diagnostic* error) {
  // Where each PACKET line's chain runs: the position of the next TRACE
  // line of its id (the monitor prints the packet before its chain's events).
  std::vector<int> position(lines.size(), -1);
  std::vector<std::optional<MonitorEvent>> events(lines.size());
  std::unordered_map<uint32_t, int> next;
  for (size_t i = lines.size(); i-- > 0;) {
    MonitorEvent e;
    if (ParseMonitorEvent(lines[i].text, &e)) {
      events[i] = e;
      next[e.trace_id] = e.position;
      continue;
    }
    uint32_t id = 0;
    if (FindMonitorPacket(lines[i].text, &id) == std::string_view::npos) continue;
    auto it = next.find(id);
    if (it != next.end()) position[i] = it->second;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    const Line& l = lines[i];
    if (events[i]) {
      ++out_->lines_read;
      Event(*events[i]);
    } else if (FindMonitorPacket(l.text) != std::string_view::npos) {
      if (!PacketLine(l, position[i], error)) return false;
    } else if (l.text.find("IN=") != std::string_view::npos &&
               l.text.find(" OUT=") != std::string_view::npos) {
      if (!KernelLine(l, error)) return false;
    }
  }
  for (size_t i = 0; i < monitor_.size(); ++i) {
    if (!monitor_[i]) continue;
    monitor_[i]->Resolve();
    out_->packets[i].spec = std::move(monitor_[i]->spec);
  }
  return true;
}

}  // namespace

bool ReadLogText(std::string_view text, Family family, bool single_line, LogText* out,
                 Diagnostic* error) {
  *out = LogText();
  *error = Diagnostic();
  std::vector<Line> lines = SplitLines(text);
  if (single_line) {
    // One line given as such: it must be a packet (the kernel parser's
    // error says what is missing).
    std::string_view l = lines.empty() ? std::string_view() : lines[0].text;
    if (FindMonitorPacket(l) == std::string_view::npos) {
      LogLine parsed;
      if (!ParseLogLine(l, family, &parsed, error)) {
        error->line = 1;
        if (FindMonitorEvent(l) != std::string_view::npos)
          error->message = "an xtables-monitor TRACE line: the packet is on the PACKET line "
                           "before it (give both, or the whole output as a file)";
        return false;
      }
      out->packets.push_back({std::move(parsed.spec), 1});
      out->lines_read = 1;
      return true;
    }
  }
  TextReader reader(family, single_line, out);
  return reader.Read(lines, error);
}

}  // namespace iptsim
