// xtables-monitor lines grouped into packets as the log streams by
// (output/replay.h): the lines of one trace id are one packet's, a new one
// where the id's events start again at an earlier hook or table (the
// kernel reuses ids); an id's PACKET lines join the group of its next
// event.  A group is complete once a restart replaced it, once kWindow log
// lines passed without a line of it, or at the end of the log; the
// replay then takes it at its first line, in log order, so that only the
// lines of the last kWindow lines are held.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/model.h"
#include "loader/log_scanner.h"

namespace iptsim::replay_internal {

class MonitorGroups {
 public:
  static constexpr uint32_t kWindow = 10000;  // log lines

  explicit MonitorGroups(Family family) : family_(family) {}

  // The record numbered `seq` (numbers increase by one from 0), a monitor
  // record; false when it belongs to no packet (another family: counted
  // in `other_family`, or not a well-formed line).
  bool Add(size_t seq, const LogRecord& r, size_t* other_family);

  // What to do with the held monitor record `seq`, the oldest held one,
  // when the log has come to line `now` (`ending`: the log ended):
  enum class Front {
    kSkip,   // nothing: its group was taken at an earlier line
    kWait,   // its group may still grow
    kGroup,  // it starts a complete group: `id` and `records` (ascending)
  };
  Front AtFront(size_t seq, uint32_t now, bool ending, std::string* id,
                std::vector<size_t>* records);
  // The end of the log: PACKET lines no event followed join their id's
  // open group (or make their own).
  void End();

 private:
  struct Group {
    std::string id;
    std::vector<size_t> records;
    int last_position = -1;
    uint32_t last_line = 0;
    bool replaced = false;  // a restart of its id started a new group
  };
  struct Pending {  // an id's PACKET lines before its next event
    std::vector<size_t> records;
    uint32_t last_line = 0;
  };
  // The open group of `id` that a line at `line` may still join, or nullptr.
  Group* Current(const std::string& id, uint32_t line);
  // Moves `id`'s pending PACKET lines into group `g`.
  void TakePending(const std::string& id, uint64_t g);
  uint64_t NewGroup(const std::string& id);

  Family family_;
  uint64_t next_group_ = 0;
  std::unordered_map<uint64_t, Group> groups_;
  std::unordered_map<std::string, uint64_t> current_;  // id -> its latest group
  std::unordered_map<std::string, Pending> pending_;
  std::unordered_map<size_t, uint64_t> group_of_;      // held record -> group
  std::unordered_map<size_t, std::string> pending_of_;  // held PACKET line -> id
};

}  // namespace iptsim::replay_internal
