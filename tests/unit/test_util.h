// Helpers shared by the unit tests: loading one rule and printing it back,
// checking lists of (rule, saved form) and (rule, error) cases, and
// building a packet from packet-spec words.
#pragma once

#include <string>
#include <vector>

#include "engine/model.h"
#include "engine/packet.h"
#include "loader/loader.h"

namespace iptsim::testing {

// Loads "-A CHAIN RULE" into TABLE (declaring CHAIN when it is not a
// builtin chain); `source` names the text in diagnostics.
LoadResult LoadRule(const std::string& rule, const char* table = "filter",
                    const char* chain = "INPUT", Family fam = Family::kIPv4,
                    const char* source = "t");

// Loads "-A CHAIN RULE" for each rule, in order, into TABLE (a builtin
// CHAIN, or one declared first).
LoadResult LoadRules(const std::vector<std::string>& rules, const char* table, const char* chain,
                     Family fam = Family::kIPv4, const char* source = "t");

// Rule i of CHAIN in what was loaded, or null.
const Rule* FindRule(const LoadResult& r, const std::string& chain, size_t i = 0);

// The saved "-A CHAIN ..." lines of every rule loaded.
std::string SavedRules(const LoadResult& r, Family fam);

// The saved "-A CHAIN ..." lines, or "ERROR: " and the first diagnostic,
// formatted (caret included).
std::string Load(const std::string& rule, const char* table = "filter", const char* chain = "INPUT",
                 Family fam = Family::kIPv4);
std::string Load6(const std::string& rule, const char* table = "filter",
                  const char* chain = "INPUT");

// The first line of the error ("ERROR: t:2:COL: error: MESSAGE"), or the
// saved rule.
std::string FirstLine(const std::string& s);

// A rule and its saved form (after "-A CHAIN ").  CheckSaves checks both
// that the rule saves so and that the saved form loads back to itself.
struct SaveCase {
  const char* rule;
  const char* saved;
};
// A rule and the first line of the error it gives (after "ERROR: ").
struct ErrCase {
  const char* rule;
  const char* error;
};
void CheckSaves(const std::vector<SaveCase>& cases, const char* table = "filter",
                const char* chain = "INPUT", Family fam = Family::kIPv4);
void CheckSaves(const std::vector<SaveCase>& cases, Family fam);
void CheckErrors(const std::vector<ErrCase>& cases, const char* table = "filter",
                 const char* chain = "INPUT", Family fam = Family::kIPv4);
void CheckErrors(const std::vector<ErrCase>& cases, Family fam);

// The same, each case with its own table, chain and family (other names,
// so that a braced list of two-string cases is never ambiguous).
struct PlacedSaveCase {
  const char* table;
  const char* chain;
  Family fam;
  const char* rule;
  const char* saved;
};
struct PlacedErrCase {
  const char* table;
  const char* chain;
  Family fam;
  const char* rule;
  const char* error;
};
void CheckPlacedSaves(const std::vector<PlacedSaveCase>& cases);
void CheckPlacedErrors(const std::vector<PlacedErrCase>& cases);

// A packet from packet-spec words (as after `iptsim --packet`); the words
// must be valid.
Packet PacketFromWords(const std::vector<std::string>& words, Family fam = Family::kIPv4);
// The same from one string, split at white space.
Packet PacketFromText(const std::string& text, Family fam = Family::kIPv4);

}  // namespace iptsim::testing
