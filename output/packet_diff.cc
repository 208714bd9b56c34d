#include "output/packet_diff.h"

#include <map>
#include <memory>

#include "engine/conntrack.h"
#include "engine/eval.h"
#include "output/answer.h"
#include "output/trace_output.h"
#include "symbolic/confirm.h"

namespace iptsim {

namespace {

// The connection a packet belongs to, the same for both directions; a
// packet conntrack has no tuple for is a flow of its own ("" key).
std::string FlowKey(const Packet& pkt) {
  CtTuple t, back;
  if (!PacketTuple(PacketView::Of(pkt), &t)) return "";
  if (!InvertTuple(t, &back)) return t.ToString();
  const std::string a = t.ToString(), b = back.ToString();
  return a < b ? a : b;
}

// One connection's simulators, fresh state in each ruleset.
struct FlowRuns {
  Simulator before, after;
  FlowRuns(const Ruleset& b, const Ruleset& a, const RunSettings& s) : before(b, s), after(a, s) {}
};

}  // namespace

std::vector<PacketFate> RunThroughBoth(const Ruleset& before, const Ruleset& after,
                                       const RunSettings& settings,
                                       const std::vector<std::pair<std::string, Packet>>& packets,
                                       bool verdicts_only) {
  std::map<std::string, std::unique_ptr<FlowRuns>> flows;
  std::vector<PacketFate> fates;
  for (const auto& [origin, pkt] : packets) {
    const std::string key = FlowKey(pkt);
    std::unique_ptr<FlowRuns> own;
    std::unique_ptr<FlowRuns>& runs = key.empty() ? own : flows[key];
    if (!runs) runs = std::make_unique<FlowRuns>(before, after, settings);
    PacketFate f{origin, DescribePacket(pkt), {}, {}, false};
    Packet a = pkt, b = pkt;
    const std::string ka = symbolic::RunOutcomeKey(runs->before, a, verdicts_only, &f.before);
    const std::string kb = symbolic::RunOutcomeKey(runs->after, b, verdicts_only, &f.after);
    f.undecided =
        f.before.sim.verdict == Verdict::kUnknown || f.after.sim.verdict == Verdict::kUnknown;
    f.changed = !f.undecided && ka != kb;
    fates.push_back(std::move(f));
  }
  return fates;
}

void PrintPacketDiffReport(FILE* out, const Ruleset& before, const Ruleset& after,
                           const std::vector<PacketFate>& fates, bool json) {
  size_t changed = 0, undecided = 0;
  for (const PacketFate& f : fates) {
    changed += f.changed;
    undecided += f.undecided;
  }
  if (json) {
    fprintf(out, "{\"before\":%s,\"after\":%s,\"packets\":%zu,\"changes\":[",
            JsonString(before.file).c_str(), JsonString(after.file).c_str(), fates.size());
    bool first = true;
    for (const PacketFate& f : fates) {
      if (!f.changed && !f.undecided) continue;
      fprintf(out, "%s{\"origin\":%s,\"packet\":%s,\"undecided\":%s,\"before\":%s,\"after\":%s}",
              first ? "" : ",", JsonString(f.origin).c_str(), JsonString(f.packet).c_str(),
              f.undecided ? "true" : "false", JsonString(DescribeVerdict(before, f.before)).c_str(),
              JsonString(DescribeVerdict(after, f.after)).c_str());
      first = false;
    }
    fprintf(out, "]}\n");
    return;
  }
  fprintf(out, "%zu of %zu packet%s change%s fate", changed, fates.size(),
          fates.size() == 1 ? "" : "s", changed == 1 ? "s its" : " their");
  if (undecided) fprintf(out, ", %zu undecided", undecided);
  fprintf(out, " (%s -> %s)%s\n", before.file.c_str(), after.file.c_str(),
          changed + undecided ? ":" : "");
  for (const PacketFate& f : fates) {
    if (!f.changed && !f.undecided) continue;
    fprintf(out, "\n%s: %s%s\n", f.origin.c_str(), f.packet.c_str(),
            f.undecided ? " (undecided)" : "");
    fprintf(out, "   before: %s\n", DescribeVerdict(before, f.before).c_str());
    fprintf(out, "   after:  %s\n", DescribeVerdict(after, f.after).c_str());
  }
}

}  // namespace iptsim
