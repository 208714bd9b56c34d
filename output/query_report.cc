#include "output/query_report.h"

#include "output/symbolic_text.h"
#include "output/trace_output.h"

namespace iptsim {

namespace {

using symbolic::Conditions;

// A region's lines, "packets: ..." or the JSON array, with the count of
// boxes left out.
struct Region {
  std::vector<std::string> lines;
  size_t more = 0;
};

// `set` within the packets asked about on `path`.
Region PathRegion(Conditions& conds, const QueryAnswer& a, const bdd& set, PacketPath path,
                  size_t max_boxes) {
  symbolic::Space& sp = conds.space();
  Region r;
  r.lines = RegionLines(conds, set, sp.Universe() & symbolic::PathPackets(sp, path) & a.where_set,
                        max_boxes, &r.more);
  return r;
}

Region WithinRegion(Conditions& conds, const bdd& set, const bdd& universe, size_t max_boxes,
                    const char* whole) {
  Region r;
  r.lines = RegionLines(conds, set, universe, max_boxes, &r.more);
  if (r.lines.size() == 1 && r.lines[0] == "every packet of the path") r.lines[0] = whole;
  return r;
}

// The region's lines, the first after `head`, the others after `more`
// (each box line is one part of the set).
void PrintRegion(FILE* out, const char* head, const Region& r, const char* more = nullptr) {
  for (size_t i = 0; i < r.lines.size(); ++i)
    fprintf(out, "%s%s\n", i && more ? more : head, r.lines[i].c_str());
  if (r.more) fprintf(out, "%s... and %zu more parts (not shown)\n", more ? more : head, r.more);
}

void PrintExample(FILE* out, Conditions& conds, const bdd& set, const symbolic::Example& ex) {
  fprintf(out, "     example: %s\n", ex.options.c_str());
  for (const std::string& l : ExampleConditionLines(conds, set, ex))
    fprintf(out, "              with %s\n", l.c_str());
}

std::string JsonRegion(const Region& r) {
  std::string s = "[";
  for (size_t i = 0; i < r.lines.size(); ++i) s += (i ? "," : "") + JsonString(r.lines[i]);
  return s + "],\"more_parts\":" + std::to_string(r.more);
}

std::string Title(const Ruleset& rs, const QueryAnswer& a) {
  const std::string packets = a.where.empty() ? "every packet" : "the packets '" + a.where + "'";
  switch (a.kind) {
    case QueryAnswer::Kind::kOutcomes:
      return a.verdict.empty() ? "the fate of " + packets + " in " + rs.file
                               : packets + " that " + rs.file + " gives the verdict " + a.verdict;
    case QueryAnswer::Kind::kReach:
      return "of " + packets + ", those that reach " + a.rule_name;
    case QueryAnswer::Kind::kMatrix:
      return "the services each source may open connections to in " + rs.file + " (" +
             (a.where.empty() ? "" : "among " + packets + ", ") +
             "packets in conntrack state NEW, TCP with SYN alone)";
  }
  return "";
}

void PrintOutcomesText(FILE* out, Conditions& conds, const Ruleset& rs, const QueryAnswer& a,
                       const QueryReportOptions& o) {
  for (PacketPath path : a.paths) {
    fprintf(out, "\n%s:\n", std::string(PacketPathName(path)).c_str());
    bool any = false;
    for (const symbolic::OutcomeRegion& r : a.outcomes) {
      if (r.path != path) continue;
      any = true;
      fprintf(out, "  %s\n", DescribeOutcome(rs, r.outcome).c_str());
      PrintRegion(out, "     packets: ", PathRegion(conds, a, r.set, path, o.max_boxes));
      PrintExample(out, conds, r.set, r.example);
    }
    if (!any) fprintf(out, "  no packet\n");
  }
}

void PrintReachText(FILE* out, Conditions& conds, const QueryAnswer& a,
                    const QueryReportOptions& o) {
  for (PacketPath path : a.paths) {
    fprintf(out, "\n%s:\n", std::string(PacketPathName(path)).c_str());
    const symbolic::RuleReach* r = nullptr;
    for (const symbolic::RuleReach& x : a.reach)
      if (x.path == path) r = &x;
    if (!r) {
      fprintf(out, "  no packet reaches it\n");
      continue;
    }
    fprintf(out, "  reach it:\n");
    PrintRegion(out, "     packets: ", PathRegion(conds, a, r->reached, path, o.max_boxes));
    PrintExample(out, conds, r->reached, r->reached_example);
    if (r->matched == bddfalse) {
      // Shadowed, or a test of packets the space leaves out (fragments...).
      fprintf(out, "  match it: no packet (shadowed by the rules before it, or it matches "
                   "only packets the analysis leaves out: docs/query.md)\n");
      continue;
    }
    fprintf(out, "  match it:\n");
    PrintRegion(out, "     packets: ", PathRegion(conds, a, r->matched, path, o.max_boxes));
    PrintExample(out, conds, r->matched, r->matched_example);
  }
}

void PrintMatrixText(FILE* out, Conditions& conds, const QueryAnswer& a,
                     const QueryReportOptions& o) {
  for (const symbolic::ServiceMatrix& m : a.matrices) {
    fprintf(out, "\n%s:\n", std::string(PacketPathName(m.path)).c_str());
    if (m.classes.empty()) fprintf(out, "  no packet\n");
    for (const symbolic::ServiceClass& c : m.classes) {
      PrintRegion(out, "  from: ",
                  WithinRegion(conds, c.sources, m.source_universe, o.max_boxes, "any source"),
                  "    or: ");
      if (c.services == bddfalse) {
        fprintf(out, "    to: nothing\n");
        continue;
      }
      PrintRegion(out, "    to: ", WithinRegion(conds, c.services, m.service_universe,
                                                o.max_boxes, "any service"));
      fprintf(out, "     example: %s\n", c.example.options.c_str());
    }
  }
}

std::string OutcomesJson(Conditions& conds, const Ruleset& rs, const QueryAnswer& a,
                         const QueryReportOptions& o) {
  std::string s;
  for (const symbolic::OutcomeRegion& r : a.outcomes)
    s += std::string(s.empty() ? "" : ",") + "{\"path\":" + JsonString(PacketPathName(r.path)) +
         ",\"verdict\":" + JsonString(OutcomeVerdictName(r.outcome)) +
         ",\"by\":" + JsonString(DescribeOutcome(rs, r.outcome)) +
         ",\"packets\":" + JsonRegion(PathRegion(conds, a, r.set, r.path, o.max_boxes)) +
         ",\"example\":" + JsonString(r.example.options) + "}";
  return "\"outcomes\":[" + s + "]";
}

std::string ReachJson(Conditions& conds, const QueryAnswer& a, const QueryReportOptions& o) {
  std::string s;
  for (const symbolic::RuleReach& r : a.reach) {
    s += std::string(s.empty() ? "" : ",") + "{\"path\":" + JsonString(PacketPathName(r.path)) +
         ",\"reach\":" + JsonRegion(PathRegion(conds, a, r.reached, r.path, o.max_boxes)) +
         ",\"reach_example\":" + JsonString(r.reached_example.options) + ",\"match\":";
    if (r.matched == bddfalse) {
      s += "[],\"more_parts\":0,\"match_example\":null}";
      continue;
    }
    s += JsonRegion(PathRegion(conds, a, r.matched, r.path, o.max_boxes)) +
         ",\"match_example\":" + JsonString(r.matched_example.options) + "}";
  }
  return "\"rule\":" + JsonString(a.rule_name) + ",\"reach\":[" + s + "]";
}

std::string MatrixJson(Conditions& conds, const QueryAnswer& a, const QueryReportOptions& o) {
  std::string s;
  for (const symbolic::ServiceMatrix& m : a.matrices)
    for (const symbolic::ServiceClass& c : m.classes) {
      const Region from =
          WithinRegion(conds, c.sources, m.source_universe, o.max_boxes, "any source");
      s += std::string(s.empty() ? "" : ",") + "{\"path\":" + JsonString(PacketPathName(m.path)) +
           ",\"from\":" + JsonRegion(from) + ",\"to\":";
      if (c.services == bddfalse) {
        s += "[],\"more_parts\":0,\"example\":null}";
        continue;
      }
      s += JsonRegion(WithinRegion(conds, c.services, m.service_universe, o.max_boxes,
                                   "any service")) +
           ",\"example\":" + JsonString(c.example.options) + "}";
    }
  return "\"matrix\":[" + s + "]";
}

}  // namespace

bool AnswerHasPackets(const QueryAnswer& a) {
  switch (a.kind) {
    case QueryAnswer::Kind::kOutcomes: return !a.outcomes.empty();
    case QueryAnswer::Kind::kReach: return !a.reach.empty();
    case QueryAnswer::Kind::kMatrix:
      for (const symbolic::ServiceMatrix& m : a.matrices)
        for (const symbolic::ServiceClass& c : m.classes)
          if (c.services != bddfalse) return true;
      return false;
  }
  return false;
}

void PrintQueryReport(FILE* out, Conditions& conds, const Ruleset& rs, const QueryAnswer& a,
                      const QueryReportOptions& o) {
  if (o.json) {
    std::string body;
    switch (a.kind) {
      case QueryAnswer::Kind::kOutcomes: body = OutcomesJson(conds, rs, a, o); break;
      case QueryAnswer::Kind::kReach: body = ReachJson(conds, a, o); break;
      case QueryAnswer::Kind::kMatrix: body = MatrixJson(conds, a, o); break;
    }
    fprintf(out, "{\"rules\":%s,\"question\":%s,%s}\n", JsonString(rs.file).c_str(),
            JsonString(Title(rs, a)).c_str(), body.c_str());
    return;
  }
  fprintf(out, "%s:\n", Title(rs, a).c_str());
  switch (a.kind) {
    case QueryAnswer::Kind::kOutcomes: PrintOutcomesText(out, conds, rs, a, o); break;
    case QueryAnswer::Kind::kReach: PrintReachText(out, conds, a, o); break;
    case QueryAnswer::Kind::kMatrix: PrintMatrixText(out, conds, a, o); break;
  }
}

}  // namespace iptsim
