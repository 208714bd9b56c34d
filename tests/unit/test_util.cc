#include "tests/unit/test_util.h"

#include <catch2/catch.hpp>

#include <sstream>

#include "engine/packet_builder.h"
#include "loader/packet_spec.h"
#include "loader/printer.h"

namespace iptsim::testing {

namespace {

bool IsBuiltinChain(const std::string& c) {
  return c == "INPUT" || c == "OUTPUT" || c == "FORWARD" || c == "PREROUTING" || c == "POSTROUTING";
}

}  // namespace

LoadResult LoadRule(const std::string& rule, const char* table, const char* chain, Family fam,
                    const char* source) {
  return LoadRules({rule}, table, chain, fam, source);
}

LoadResult LoadRules(const std::vector<std::string>& rules, const char* table, const char* chain,
                     Family fam, const char* source) {
  std::string text = std::string("*") + table + "\n";
  if (!IsBuiltinChain(chain)) text += std::string(":") + chain + " - [0:0]\n";
  for (const std::string& rule : rules) text += std::string("-A ") + chain + " " + rule + "\n";
  text += "COMMIT\n";
  LoadOptions opts;
  opts.family = fam;
  return LoadRuleset(text, source, opts);
}

const Rule* FindRule(const LoadResult& r, const std::string& chain, size_t i) {
  for (const Table& t : r.ruleset.tables)
    for (const Chain& c : t.chains)
      if (c.name == chain && i < c.rules.size()) return &c.rules[i];
  return nullptr;
}

std::string SavedRules(const LoadResult& r, Family fam) {
  std::string out;
  for (const Table& t : r.ruleset.tables)
    for (const Chain& ch : t.chains)
      for (const Rule& ru : ch.rules) SaveRule(t, ru, ch.name, fam, out);
  return out;
}

std::string Load(const std::string& rule, const char* table, const char* chain, Family fam) {
  LoadResult r = LoadRule(rule, table, chain, fam);
  if (!r.ok()) return "ERROR: " + FormatDiagnostic(r.diagnostics.diagnostics().at(0));
  return SavedRules(r, fam);
}

std::string Load6(const std::string& rule, const char* table, const char* chain) {
  return Load(rule, table, chain, Family::kIPv6);
}

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

void CheckSaves(const std::vector<SaveCase>& cases, const char* table, const char* chain,
                Family fam) {
  const std::string prefix = std::string("-A ") + chain + " ";
  for (const SaveCase& c : cases) {
    INFO(table << " " << chain << ": " << c.rule);
    CHECK(Load(c.rule, table, chain, fam) == prefix + c.saved);
    // The saved form loads back to itself.
    CHECK(Load(c.saved, table, chain, fam) == prefix + c.saved);
  }
}

void CheckSaves(const std::vector<SaveCase>& cases, Family fam) {
  CheckSaves(cases, "filter", "INPUT", fam);
}

void CheckErrors(const std::vector<ErrCase>& cases, const char* table, const char* chain,
                 Family fam) {
  for (const ErrCase& c : cases) {
    INFO(table << " " << chain << ": " << c.rule);
    CHECK(FirstLine(Load(c.rule, table, chain, fam)) == std::string("ERROR: ") + c.error);
  }
}

void CheckErrors(const std::vector<ErrCase>& cases, Family fam) {
  CheckErrors(cases, "filter", "INPUT", fam);
}

void CheckPlacedSaves(const std::vector<PlacedSaveCase>& cases) {
  for (const PlacedSaveCase& c : cases) CheckSaves({{c.rule, c.saved}}, c.table, c.chain, c.fam);
}

void CheckPlacedErrors(const std::vector<PlacedErrCase>& cases) {
  for (const PlacedErrCase& c : cases) CheckErrors({{c.rule, c.error}}, c.table, c.chain, c.fam);
}

Packet PacketFromWords(const std::vector<std::string>& words, Family fam) {
  PacketSpec spec;
  Status st = ParsePacketSpec(words, fam, &spec);
  INFO(st.message());
  REQUIRE(st.ok());
  return BuildPacket(spec);
}

Packet PacketFromText(const std::string& text, Family fam) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  INFO(text);
  return PacketFromWords(words, fam);
}

}  // namespace iptsim::testing
