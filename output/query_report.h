// `iptsim query`'s answer, for people (a table) or as JSON: the fate of
// every packet asked about (or of those with one verdict), the packets that
// reach a rule and those it matches, or the service matrix; each part with
// the packets in words (symbolic/region.h) and an example packet.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "symbolic/query.h"

namespace iptsim {

struct QueryAnswer {
  enum class Kind { kOutcomes, kReach, kMatrix } kind = Kind::kOutcomes;
  std::vector<PacketPath> paths;  // the paths asked about, in order
  std::string where;              // the packets asked about ("" every packet)
  bdd where_set = bddtrue;        // the same as a set (goes without saying in answers)
  std::string verdict;            // kOutcomes: only this verdict ("" all)
  std::vector<symbolic::OutcomeRegion> outcomes;
  const Rule* rule = nullptr;     // kReach
  std::string rule_name;          // "filter:INPUT:3 (FILE:LINE: -A INPUT ...)"
  std::vector<symbolic::RuleReach> reach;
  std::vector<symbolic::ServiceMatrix> matrices;
};

struct QueryReportOptions {
  bool json = false;
  size_t max_boxes = 16;  // box lines per region (the rest counted, not dropped silently)
};

void PrintQueryReport(FILE* out, symbolic::Conditions& conds, const Ruleset& rs,
                      const QueryAnswer& answer, const QueryReportOptions& options);

// Whether the answer holds any packet (the exit status: 0 some, 1 none).
bool AnswerHasPackets(const QueryAnswer& answer);

}  // namespace iptsim
