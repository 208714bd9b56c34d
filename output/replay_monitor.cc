// xtables-monitor lines grouped into packets as the log streams by
// (output/replay_monitor.h).
#include "output/replay_monitor.h"

#include <algorithm>

#include "loader/monitor_trace.h"
#include "output/replay_internal.h"

namespace iptsim::replay_internal {

uint64_t MonitorGroups::NewGroup(const std::string& id) {
  const uint64_t g = next_group_++;
  groups_[g].id = id;
  auto it = current_.find(id);
  if (it != current_.end()) {
    auto old = groups_.find(it->second);
    if (old != groups_.end()) old->second.replaced = true;
  }
  current_[id] = g;
  return g;
}

MonitorGroups::Group* MonitorGroups::Current(const std::string& id, uint32_t line) {
  auto it = current_.find(id);
  if (it == current_.end()) return nullptr;
  auto g = groups_.find(it->second);
  if (g == groups_.end() || g->second.replaced || line - g->second.last_line > kWindow)
    return nullptr;
  return &g->second;
}

void MonitorGroups::TakePending(const std::string& id, uint64_t g) {
  auto p = pending_.find(id);
  if (p == pending_.end()) return;
  Group& group = groups_[g];
  for (size_t seq : p->second.records) {
    group.records.push_back(seq);
    group_of_[seq] = g;
    pending_of_.erase(seq);
  }
  group.last_line = std::max(group.last_line, p->second.last_line);
  pending_.erase(p);
}

bool MonitorGroups::Add(size_t seq, const LogRecord& r, size_t* other_family) {
  int family;
  std::string id;
  if (!MonitorIds(r.text, &family, &id)) return false;
  if ((family == 10) != (family_ == Family::kIPv6)) {
    ++*other_family;
    return false;
  }
  if (FindMonitorPacket(r.text) != std::string_view::npos) {
    Pending& p = pending_[id];
    p.records.push_back(seq);
    p.last_line = r.line;
    pending_of_[seq] = id;
    return true;
  }
  MonitorEvent e;
  if (!ParseMonitorEvent(r.text, &e)) return false;
  Group* current = Current(id, r.line);
  uint64_t g;
  if (current && !(e.position >= 0 && e.position < current->last_position)) {
    g = current_[id];
  } else {
    g = NewGroup(id);  // a restart, the id's first event, or after a long gap
  }
  TakePending(id, g);
  Group& group = groups_[g];
  group.records.push_back(seq);
  group_of_[seq] = g;
  group.last_line = r.line;
  if (e.position >= 0) group.last_position = e.position;
  return true;
}

void MonitorGroups::End() {
  std::vector<std::string> ids;
  for (const auto& [id, p] : pending_) ids.push_back(id);
  for (const std::string& id : ids) {
    Group* current = Current(id, pending_[id].last_line);
    TakePending(id, current ? current_[id] : NewGroup(id));
  }
}

MonitorGroups::Front MonitorGroups::AtFront(size_t seq, uint32_t now, bool ending,
                                            std::string* id, std::vector<size_t>* records) {
  auto pending = pending_of_.find(seq);
  if (pending != pending_of_.end()) {
    // PACKET lines no event followed for kWindow lines: they join the id's
    // open group, or make one of their own.
    const std::string pid = pending->second;
    const uint32_t last = pending_[pid].last_line;
    if (!ending && now - last <= kWindow) return Front::kWait;
    Group* current = Current(pid, last);
    TakePending(pid, current ? current_[pid] : NewGroup(pid));
  }
  auto in = group_of_.find(seq);
  if (in == group_of_.end()) return Front::kSkip;
  const uint64_t number = in->second;
  auto g = groups_.find(number);
  if (g == groups_.end()) return Front::kSkip;
  Group& group = g->second;
  if (!ending && !group.replaced && now - group.last_line <= kWindow) return Front::kWait;
  std::sort(group.records.begin(), group.records.end());
  *id = group.id;
  *records = std::move(group.records);
  for (size_t r : *records) group_of_.erase(r);
  auto cur = current_.find(group.id);
  if (cur != current_.end() && cur->second == number) current_.erase(cur);
  groups_.erase(g);
  return Front::kGroup;
}

}  // namespace iptsim::replay_internal
