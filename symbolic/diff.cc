#include "symbolic/diff.h"

#include <map>

#include "engine/extension.h"

namespace iptsim::symbolic {

namespace {

std::string VerdictWord(const Ruleset& rs, const Outcome& o) {
  switch (o.verdict) {
    case Verdict::kAccept: return "ACCEPT";
    case Verdict::kDrop: {
      // REJECT (with its type) is a verdict of its own for the user.
      const Rule* r = o.decided.rule;
      if (r && r->target_kind == TargetKind::kExtension && r->target->info().name == "REJECT") {
        std::string opts;
        r->target->Save(opts, SaveContext{rs.family});
        return "REJECT" + opts;
      }
      return "DROP";
    }
    case Verdict::kQueue: return "QUEUE";
    case Verdict::kStolen: return "STOLEN";
    default: return "UNKNOWN";
  }
}

std::string EntryKey(const Ruleset& rs, const DecidingEntry& d) {
  if (!d.chain) return "-";
  if (!d.rule) return std::string(TableName(d.table)) + ":" + d.chain->name + ":policy";
  return RuleIdentity(rs, d.table, *d.chain, *d.rule);
}

}  // namespace

std::string OutcomeKey(const Ruleset& rs, const Outcome& o, bool verdicts_only) {
  std::string k = VerdictWord(rs, o);
  for (const Rule* r : o.nat) {
    // The binding: the NAT rule's target as iptables-save prints it.
    std::string opts;
    r->target->Save(opts, SaveContext{rs.family});
    k += "|nat " + std::string(r->target->info().name) + opts;
  }
  if (o.unmodelled) k += "|unmodelled";
  if (!verdicts_only || o.unmodelled) k += "|" + EntryKey(rs, o.decided);
  return k;
}

namespace {

// Outcome sets joined by key: (key, packets, one of the outcomes).
struct Group {
  std::string key;
  bdd set;
  Outcome outcome;
};

std::vector<Group> GroupByKey(const Ruleset& rs, std::vector<OutcomeSet> sets, bool verdicts_only) {
  std::vector<Group> groups;
  std::map<std::string, size_t> at;
  for (OutcomeSet& s : sets) {
    std::string k = OutcomeKey(rs, s.outcome, verdicts_only);
    auto [it, fresh] = at.emplace(k, groups.size());
    if (fresh) groups.push_back(Group{std::move(k), s.set, std::move(s.outcome)});
    else groups[it->second].set |= s.set;
  }
  return groups;
}

}  // namespace

std::vector<Difference> CompareRulesets(Conditions& conds, const Ruleset& before,
                                        const Ruleset& after, const CompareOptions& options) {
  std::vector<Difference> out;
  for (PacketPath path : kAnalysedPaths) {
    const std::vector<Group> a =
        GroupByKey(before, AnalysePath(conds, before, path), options.verdicts_only);
    const std::vector<Group> b =
        GroupByKey(after, AnalysePath(conds, after, path), options.verdicts_only);
    std::map<std::string, size_t> b_at;
    for (size_t j = 0; j < b.size(); ++j) b_at.emplace(b[j].key, j);
    for (const Group& ga : a) {
      bdd moved = ga.set;
      auto same = b_at.find(ga.key);
      if (same != b_at.end()) moved &= !b[same->second].set;
      for (size_t j = 0; j < b.size() && moved != bddfalse; ++j) {
        const bdd part = moved & b[j].set;
        if (part == bddfalse) continue;
        moved &= !part;
        out.push_back(Difference{path, part, ga.outcome, b[j].outcome, PickExample(conds, part)});
      }
    }
  }
  return out;
}

}  // namespace iptsim::symbolic
