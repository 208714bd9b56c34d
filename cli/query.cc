// iptsim query [OPTIONS] RULES [MATCH...]
// Answers questions about one ruleset for every packet at once
// (symbolic/query.h): the fate of the packets asked about, the packets that
// reach a rule, the service matrix.  Every example packet of the answer is
// run through the concrete engine; a disagreement is an internal error.
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "cli/options.h"
#include "loader/loader.h"
#include "output/explain_why.h"
#include "output/query_report.h"
#include "output/symbolic_text.h"
#include "symbolic/confirm.h"

namespace iptsim::cli {

namespace {

// A word as the rule lexer reads it back (quoted when it holds a blank or a
// quote).
std::string QuotedWord(const std::string& w) {
  if (!w.empty() && w.find_first_of(" \t\"\\'") == std::string::npos) return w;
  std::string q = "\"";
  for (char c : w) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

// The packets asked about, as a rule of their own (`iptables -S` text in a
// chain QUERY of the filter table): the loader checks the words with its
// usual diagnostics.  False after an error (reported).
bool LoadWhere(const std::vector<std::string>& words, Family family, LoadResult* out,
               std::string* text) {
  std::string line = "-A QUERY";
  for (const std::string& w : words) {
    line += " " + QuotedWord(w);
    *text += (text->empty() ? "" : " ") + w;
  }
  LoadOptions options;
  options.family = family;
  *out = LoadRuleset("-N QUERY\n" + line + "\n", "<query>", options);
  if (!out->diagnostics.diagnostics().empty()) fputs(out->diagnostics.Format().c_str(), stderr);
  if (!out->ok()) return false;
  const Rule& r = out->ruleset.FindTable(TableId::kFilter)->chains.back().rules.front();
  if (r.target_kind != TargetKind::kNone) {
    UsageError("query", "the packets asked about are matches only, without -j or -g");
    return false;
  }
  return true;
}

// The packets the words select (every packet without words); false after
// an error (reported).
bool WhereOf(symbolic::Conditions& conds, const LoadResult* where, bdd* set) {
  *set = bddtrue;
  if (!where) return true;
  const Table& t = *where->ruleset.FindTable(TableId::kFilter);
  const Chain& c = t.chains.back();
  bool opaque = false;
  *set = symbolic::WhereSet(conds, where->ruleset, t, c, c.rules.front(), &opaque);
  if (opaque) {
    UsageError("query", "the packets asked about test something iptsim cannot describe as a "
                        "set of packets (" + conds.info().rbegin()->second.text +
                        "): narrow them by header fields (addresses, protocol, ports, "
                        "interfaces, flags, state, mark...)");
    return false;
  }
  return true;
}

void Disagreement(const std::string& what, const symbolic::Example& ex, const std::string& msg) {
  fprintf(stderr, "iptsim query: internal error: %s, example '%s': %s\n", what.c_str(),
          ex.options.c_str(), msg.c_str());
}

// Runs every example of the answer through the engine; false when it
// disagrees with the symbolic answer anywhere (each on stderr).
bool ConfirmAnswer(const symbolic::Conditions& conds, const Ruleset& rs, const QueryAnswer& a) {
  bool ok = true;
  auto check = [&](const std::string& what, const symbolic::Example& ex, const std::string& m) {
    if (m.empty()) return;
    Disagreement(what, ex, m);
    ok = false;
  };
  for (const symbolic::OutcomeRegion& r : a.outcomes)
    check("an outcome", r.example, symbolic::ConfirmExample(conds, rs, r.example, r.outcome));
  for (const symbolic::RuleReach& r : a.reach) {
    check("reaching the rule", r.reached_example,
          symbolic::ConfirmReach(conds, rs, r.reached_example, *a.rule, false));
    if (r.matched != bddfalse)
      check("matching the rule", r.matched_example,
            symbolic::ConfirmReach(conds, rs, r.matched_example, *a.rule, true));
  }
  for (const symbolic::ServiceMatrix& m : a.matrices)
    for (const symbolic::ServiceClass& c : m.classes)
      if (c.services != bddfalse)
        check("a service", c.example, symbolic::ConfirmAccepted(conds, rs, c.example));
  return ok;
}

// --rule TABLE:CHAIN:N: the rule, named for the answer; false after an
// error (reported).
bool FindAskedRule(const CommandLine& cl, const Ruleset& rs, QueryAnswer* a) {
  RuleRef ref;
  std::string error;
  if (!ParseRuleRef(cl.query_rule, rs, &ref, &error)) {
    UsageError("query", "--rule: " + error);
    return false;
  }
  if (ref.number > ref.chain->rules.size()) {
    UsageError("query", "--rule " + cl.query_rule + " names no rule (the chain has " +
                            std::to_string(ref.chain->rules.size()) + ")");
    return false;
  }
  a->rule = &ref.chain->rules[ref.number - 1];
  a->rule_name = cl.query_rule + " (" + rs.file + ":" + std::to_string(a->rule->line) + ": " +
                 std::string(a->rule->text) + ")";
  return true;
}

}  // namespace

int QueryCommand(const CommandLine& cl) {
  if (cl.packet_groups.size() != 1) {
    UsageError("query", "the packets asked about are one list of matches (no '--')");
    return kExitError;
  }
  if ((!cl.query_verdict.empty()) + (!cl.query_rule.empty()) + cl.query_matrix > 1) {
    UsageError("query", "ask one question at a time: --verdict, --rule or --matrix");
    return kExitError;
  }
  const LoadResult* loaded = LoadRulesFile(cl.rules, cl.family, cl.load);
  if (!loaded || !loaded->ok()) return kExitError;
  const Ruleset& rs = loaded->ruleset;
  QueryAnswer a;
  const std::vector<std::string>& words = cl.packet_groups.front();
  LoadResult where_loaded;
  const LoadResult* where = nullptr;
  if (!words.empty()) {
    if (!LoadWhere(words, rs.family, &where_loaded, &a.where)) return kExitError;
    where = &where_loaded;
  }
  if (!cl.query_rule.empty() && !FindAskedRule(cl, rs, &a)) return kExitError;

  std::vector<IfaceName> patterns;
  symbolic::AddInterfacePatterns(rs, &patterns);
  if (where) symbolic::AddInterfacePatterns(where->ruleset, &patterns);
  symbolic::Space space(rs.family, patterns);
  symbolic::Conditions conds(space);
  bdd where_set;
  if (!WhereOf(conds, where, &where_set)) return kExitError;
  a.where_set = where_set;

  a.paths = cl.query_paths;
  if (a.paths.empty() && cl.query_matrix) a.paths = {PacketPath::kLocalIn, PacketPath::kForward};
  if (a.paths.empty()) a.paths.assign(std::begin(symbolic::kAnalysedPaths),
                                      std::end(symbolic::kAnalysedPaths));
  if (cl.query_matrix) {
    a.kind = QueryAnswer::Kind::kMatrix;
    for (PacketPath p : a.paths) a.matrices.push_back(symbolic::ServicesOf(conds, rs, p, where_set));
  } else if (a.rule) {
    a.kind = QueryAnswer::Kind::kReach;
    a.reach = symbolic::ReachOf(conds, rs, *a.rule, a.paths, where_set);
  } else {
    a.verdict = cl.query_verdict;
    for (symbolic::OutcomeRegion& r : symbolic::OutcomeRegions(conds, rs, a.paths, where_set))
      if (a.verdict.empty() || OutcomeVerdictName(r.outcome) == a.verdict)
        a.outcomes.push_back(std::move(r));
  }
  const bool confirmed = ConfirmAnswer(conds, rs, a);
  QueryReportOptions report;
  report.json = cl.diff_json;
  PrintQueryReport(stdout, conds, rs, a, report);
  if (!confirmed) return kExitError;
  return AnswerHasPackets(a) ? 0 : 1;
}

}  // namespace iptsim::cli
