// The comparison of a replayed log with its simulation, and its report
// (output/replay.h): per packet "equal" or the first differing line with
// both versions and the reason in words.
#include <algorithm>
#include <cstdio>
#include <optional>

#include "engine/simulator.h"
#include "loader/monitor_trace.h"
#include "output/explain_why.h"
#include "output/replay.h"
#include "output/replay_internal.h"

namespace iptsim {
namespace {

using namespace replay_internal;

struct Difference {
  uint32_t line = 0;              // where in the log (the last logged line when the kernel's ran out)
  const std::string* kernel = nullptr;  // nullptr: the kernel logged no more
  const std::string* iptsim = nullptr;  // nullptr: iptsim logs no more
  bool kernel_ran_out = false;
};

// Whether the kernel's line is iptsim's, as the comparison sees them
// (NormaliseLogLine).  xtables-monitor cuts a TRACE line short where it
// cannot print the rule (docs/kernel-trace.md §4): such a line is equal to
// the line it starts.
bool SameLine(std::string_view kernel, std::string_view iptsim) {
  const std::string k = NormaliseLogLine(kernel), t = NormaliseLogLine(iptsim);
  if (k == t) return true;
  return FindMonitorEvent(kernel) != std::string_view::npos && t.starts_with(k);
}

// The first line where one stream's logged and simulated lines differ.
std::optional<Difference> FirstDifference(const ReplayStream& s, uint32_t first_line) {
  const size_t n = std::max(s.logged.size(), s.simulated.size());
  for (size_t i = 0; i < n; ++i) {
    Difference d;
    if (i < s.logged.size()) {
      d.line = s.logged[i].line;
      d.kernel = &s.logged[i].text;
    } else {
      d.line = s.logged.empty() ? first_line : s.logged.back().line;
      d.kernel_ran_out = true;
    }
    if (i < s.simulated.size()) d.iptsim = &s.simulated[i];
    if (d.kernel && d.iptsim && SameLine(*d.kernel, *d.iptsim)) continue;
    return d;
  }
  return std::nullopt;
}

// The first word of the packet parts that differs: "TTL=63 (iptsim TTL=64)".
std::string FieldDifference(std::string_view kernel, std::string_view iptsim) {
  auto words = [](std::string_view s) {
    std::vector<std::string_view> w;
    for (size_t i = 0; i < s.size();) {
      size_t e = s.find(' ', i);
      if (e == std::string_view::npos) e = s.size();
      if (e > i) w.push_back(s.substr(i, e - i));
      i = e + 1;
    }
    return w;
  };
  std::vector<std::string_view> k = words(kernel), t = words(iptsim);
  for (size_t i = 0; i < std::max(k.size(), t.size()); ++i) {
    std::string_view a = i < k.size() ? k[i] : "(nothing)";
    std::string_view b = i < t.size() ? t[i] : "(nothing)";
    if (a != b) return "the kernel shows " + std::string(a) + " where iptsim shows " + std::string(b);
  }
  return "the lines differ only in blanks";
}

// Why iptsim's walk did not match the kernel's rule: the --why report of
// TABLE:CHAIN:N for the packet, run alone from a fresh state.
std::vector<std::string> WhyNot(const Ruleset& rs, const RunSettings& settings,
                                const ReplayPacket& p, const LoggedLabel& l) {
  RuleRef ref;
  std::string error;
  const std::string spelled = l.table + ":" + l.chain + ":" + std::to_string(l.number);
  if (!ParseRuleRef(spelled, rs, &ref, &error)) return {"(" + error + ")"};
  RunSettings s = settings;
  s.probes = {ref.probe.get()};
  Simulator sim(rs, s);
  WhyObserver why(rs, ref);
  why.BeginPacket();
  Packet pkt = p.packet;
  RunResult run = sim.Run(pkt, &why);
  std::vector<std::string> lines = why.Report(sim.settings(), run);
  lines.insert(lines.begin(), "iptsim's walk at " + spelled +
                                  " (the packet run again alone, from a fresh state):");
  return lines;
}

// What a condition that failed in iptsim's walk tests when the kernel's
// log does not show it ("" when the log shows it): the rebuilt packet has
// defaults there, so the difference may be the packet's, not RULES'.
// `kernel_line`: the kernel's line at the difference (its protocol).
std::string NotInLog(std::string_view condition, Family family, std::string_view kernel_line) {
  auto word = [&](std::string_view w) {
    const size_t at = condition.find(w);
    return at != std::string_view::npos &&
           (at + w.size() == condition.size() || condition[at + w.size()] == ' ');
  };
  if (word("-m string"))
    return "it tests the payload, which the kernel's log does not show (iptsim's packet has "
           "zero bytes there)";
  if (word("-m u32") || word("-m bpf"))
    return "it reads the packet's bytes, which may lie in the payload or a checksum the "
           "kernel's log does not show (iptsim's packet has zero bytes in the payload)";
  if (word("-m ecn") && condition.find("--ecn-ip-ect") != std::string_view::npos &&
      family == Family::kIPv4)
    return "it tests the ECN bits of the TOS byte, which the kernel's log does not show "
           "(TOS= shows its bits 0x1E only; iptsim's packet has ECN 0)";
  if (word("-m sctp"))
    return "it tests SCTP's ports or chunks, which the kernel's log does not show (it prints "
           "PROTO=132 only)";
  if (word("-m dccp"))
    return "it tests DCCP's ports or packet type, which the kernel's log does not show (it "
           "prints PROTO=33 only)";
  for (std::string_view m : {"-m rt", "-m frag", "-m hbh", "-m dst", "-m mh", "-m ipv6header"})
    if (word(m))
      return "it tests the contents of IPv6 extension headers, which the kernel's log does "
             "not show in full";
  // conntrack's INVALID follows from checksums and header sanity, SCTP's
  // and DCCP's states from their chunks and packet types: none is logged.
  // (Other states follow from earlier packets, which the log shows.)
  const bool sctp_dccp = kernel_line.find(" PROTO=132 ") != std::string_view::npos ||
                         kernel_line.find(" PROTO=33 ") != std::string_view::npos;
  if ((word("-m conntrack") || word("-m state")) &&
      (condition.find("INVALID") != std::string_view::npos || sctp_dccp))
    return "a connection's state follows from what the kernel's log does not show "
           "(checksums, SCTP chunks, DCCP packet types, of this packet and earlier ones), so "
           "it may differ for the rebuilt packets";
  return "";
}

// The "not in the log" line for the first condition that failed in
// iptsim's walk at the kernel's rule (the --why lines), or, when the walk
// did not come to the rule, for the rule itself; "" when the log shows
// what they test.
std::string NotInLogNote(const std::vector<std::string>& why, Family family,
                         std::string_view kernel_line) {
  std::string_view tested;
  for (const std::string& l : why) {
    const size_t at = l.find("  DOES NOT MATCH");
    if (at == std::string::npos) continue;
    tested = std::string_view(l.data(), at);
    while (!tested.empty() && tested.front() == ' ') tested.remove_prefix(1);
    break;
  }
  if (tested.empty()) {
    // "why TABLE:CHAIN:N (FILE:LINE: RULE): ..."
    for (const std::string& l : why) {
      if (!l.starts_with("why ") || l.find("): not reached") == std::string::npos) continue;
      const size_t open = l.find(": -A ");
      const size_t close = l.find("): ", open);
      if (open != std::string::npos && close != std::string::npos)
        tested = std::string_view(l).substr(open + 2, close - open - 2);
      break;
    }
  }
  const std::string what = tested.empty() ? "" : NotInLog(tested, family, kernel_line);
  if (what.empty()) return "";
  return "not in the log: " + std::string(tested) + ": " + what +
         "; the difference may be the rebuilt packet's, not RULES'";
}

// The reason for a difference, in words (a line each).
std::vector<std::string> Reason(const Ruleset& rs, const RunSettings& settings,
                                const ReplayPacket& p, const Difference& d) {
  if (!d.kernel)
    return {"the kernel logged no more lines for this packet (lost, or its walk ended earlier "
            "in the kernel)"};
  LoggedLabel kl, sl;
  const bool kernel_traced = ParseTraceLabel(*d.kernel, &kl);
  const bool iptsim_traced = d.iptsim && ParseTraceLabel(*d.iptsim, &sl);
  if (kernel_traced) {
    TableId id;
    const Table* table = ParseTableName(kl.table, &id) ? rs.FindTable(id) : nullptr;
    if (!table) return {"table " + kl.table + " is not in RULES (the kernel had it loaded)"};
    if (!table->FindChain(kl.chain))
      return {"chain " + kl.chain + " is not in table " + kl.table + " of RULES"};
  }
  std::vector<std::string> why;
  if (kernel_traced && kl.type != "policy") why = WhyNot(rs, settings, p, kl);
  if (const std::string note = NotInLogNote(why, rs.family, *d.kernel); !note.empty())
    why.push_back(note);
  auto with_why = [&](std::string first) {
    why.insert(why.begin(), std::move(first));
    return why;
  };
  const std::string kernel_at = kl.table + ":" + kl.chain + ":" + kl.type + ":" +
                                std::to_string(kl.number);
  if (!d.iptsim)
    return with_why(kernel_traced ? "the kernel came to " + kernel_at +
                                        ", iptsim logs no more lines for this packet"
                                  : "iptsim logs no more lines for this packet");
  if (kernel_traced && iptsim_traced) {
    const std::string iptsim_at = sl.table + ":" + sl.chain + ":" + sl.type + ":" +
                                  std::to_string(sl.number);
    if (kernel_at != iptsim_at) {
      if (kl.table == sl.table && kl.chain == sl.chain)
        return with_why("another rule: the kernel " + kernel_at + ", iptsim " + iptsim_at);
      return with_why("another chain: the kernel " + kernel_at + ", iptsim " + iptsim_at);
    }
  }
  if (kernel_traced != iptsim_traced)
    return {kernel_traced ? "the kernel logged a TRACE line where iptsim logs a LOG line"
                          : "the kernel logged a LOG line where iptsim logs a TRACE line (a LOG "
                            "rule matched in the kernel, or iptsim traces more: is the log's "
                            "TRACE rule in RULES?)"};
  std::vector<std::string> same = {
      "the same place, another packet: " +
      FieldDifference(NormaliseLogLine(*d.kernel), NormaliseLogLine(*d.iptsim))};
  // A LOG line without --log-uid hides the socket's owner that TRACE lines
  // show: a packet whose first line is one takes it from its next line
  // (output/replay.cc), when that comes soon enough.
  if (d.kernel->find(" UID=") != std::string::npos &&
      d.iptsim->find(" UID=") == std::string::npos && !p.streams[0].logged.empty() &&
      p.streams[0].logged[0].text.find(" UID=") == std::string::npos)
    same.push_back("not in the log: the socket's owner (UID=) is neither on the packet's "
                   "first line (a LOG rule without --log-uid) nor on its next line, which "
                   "replay looks for among the 16 records after it");
  return same;
}

}  // namespace

void ReplayReporter::Lost(const LogRecord& r) {
  lost_.push_back({r.line, r.lost, std::string(r.text)});
}

// A lost-lines note between `from` and `to` (log lines), or nullptr.
const ReplayReporter::LostNote* ReplayReporter::LostBetween(uint32_t from, uint32_t to) const {
  for (const LostNote& r : lost_)
    if (r.line >= from && r.line <= to) return &r;
  return nullptr;
}

void ReplayReporter::Packet(const ReplayPacket& p) {
  FILE* out = out_;
  const std::string& log_name = log_name_;
  const uint32_t first = p.streams.empty() || p.streams[0].logged.empty()
                             ? 0
                             : p.streams[0].logged[0].line;
  const std::string name =
      "packet " + std::to_string(p.number) + " (" + log_name + ":" + std::to_string(first) + ")";
  if (!p.not_run.empty()) {
    ++not_run_;
    fprintf(out, "%s: not simulated: %s\n", name.c_str(), p.not_run.c_str());
    return;
  }
  std::optional<Difference> diff;
  size_t lines = 0;
  for (const ReplayStream& s : p.streams) {
    lines += s.logged.size();
    std::optional<Difference> d = FirstDifference(s, first);
    if (d && (!diff || d->line < diff->line)) diff = d;
  }
  if (!diff) {
    ++equal_;
    fprintf(out, "%s: equal (%zu line%s)\n", name.c_str(), lines, lines == 1 ? "" : "s");
    return;
  }
  ++different_;
  fprintf(out, "%s: differs at %s:%u%s\n", name.c_str(), log_name.c_str(), diff->line,
          diff->kernel_ran_out ? " (after its last line)" : "");
  const std::string kernel = diff->kernel ? *diff->kernel : "(no more lines)";
  fprintf(out, "  kernel: %s\n", kernel.c_str());
  fprintf(out, "  iptsim: %s\n", diff->iptsim ? diff->iptsim->c_str() : "(no more lines)");
  std::vector<std::string> reason = Reason(rs_, settings_, p, *diff);
  for (size_t i = 0; i < reason.size(); ++i)
    fprintf(out, "  %s%s\n", i == 0 ? "reason: " : "  ", reason[i].c_str());
  const uint32_t last = p.streams[0].logged.empty() ? first : p.streams[0].logged.back().line;
  if (const LostNote* l = LostBetween(first, last + 1))
    fprintf(out, "  note: the kernel lost lines at %s:%u, within this packet's lines\n",
            log_name.c_str(), l->line);
  else if (const LostNote* e = LostBetween(0, first))
    fprintf(out,
            "  note: the kernel lost lines earlier, at %s:%u: a packet missing from the log "
            "did not change the state (conntrack, limits) this one met\n",
            log_name.c_str(), e->line);
}

void ReplayReporter::Finish(size_t packets, size_t lines, size_t skipped, size_t other_family) {
  FILE* out = out_;
  uint64_t lost_lines = 0;
  for (const LostNote& r : lost_) {
    lost_lines += r.lost;
    fprintf(out, "%s:%u: lines lost: %s\n", log_name_.c_str(), r.line, r.text.c_str());
  }
  fprintf(out, "iptsim replay: %zu packet%s: %zu equal, %zu different", packets,
          packets == 1 ? "" : "s", equal_, different_);
  if (not_run_) fprintf(out, ", %zu not simulated", not_run_);
  fprintf(out, "; %zu log line%s, %zu skipped", lines, lines == 1 ? "" : "s", skipped);
  if (other_family)
    fprintf(out, ", %zu %s (the ruleset is %s)", other_family,
            rs_.family == Family::kIPv4 ? "IPv6" : "IPv4",
            rs_.family == Family::kIPv4 ? "IPv4" : "IPv6");
  if (!lost_.empty())
    fprintf(out, "; %llu lines lost in %zu place%s", static_cast<unsigned long long>(lost_lines),
            lost_.size(), lost_.size() == 1 ? "" : "s");
  fputc('\n', out);
}

}  // namespace iptsim
