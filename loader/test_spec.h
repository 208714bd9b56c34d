// The test specs of `iptsim test` (docs/test-specs.md): a YAML file naming
// rulesets (paths relative to the spec), an optional host model and
// ipsets, packet words every case starts with, and the cases, each a packet
// or a flow of packets with what must come of it.  This file reads the YAML
// into plain values, checking every key and value it can check without a
// ruleset; loader/test_binding.h then binds a spec to each loaded ruleset.
// Errors are `spec.yaml:LINE:COL: error: ...` at the offending node.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostics.h"

namespace iptsim {

// Where a YAML node starts (1-based; 0: not known).
struct SpecPos {
  uint32_t line = 0;
  uint32_t col = 0;
};

struct SpecText {
  std::string text;
  SpecPos at;
};

// A rule named by an expectation (`rule:`, `path_includes:`...).
struct RuleSelector {
  enum class Kind : uint8_t {
    kPosition,  // "filter:INPUT:3" or "filter:INPUT:policy"
    kText,      // "-A INPUT -p tcp --dport 22 -j ACCEPT" ("-t nat -A ..." names the table)
    kComment,   // {comment: "allow ssh"}: the rule's -m comment text
  };
  Kind kind = Kind::kPosition;
  std::string text;
  SpecPos at;
};

// One expected LOG line: a substring of it, or (exact) the whole line.
struct LogExpectation {
  std::string text;
  bool exact = false;
  SpecPos at;
};

// What must come of a packet; every field is optional.
struct Expectations {
  std::optional<SpecText> verdict;    // "ACCEPT", "REJECT icmp-port-unreachable"...
  // The entry that decided the packet (several: any one of them).
  std::vector<RuleSelector> rule;
  std::vector<RuleSelector> path_includes, path_excludes;
  // nat: the address[:port] after NAT: `nat_rewritten` the side NAT
  // changed (nat: "ADDR:PORT"), or each side (nat: {src:, dst:}).
  std::optional<SpecText> nat_rewritten, nat_src, nat_dst;
  std::optional<uint32_t> mark;
  SpecPos mark_at;
  std::optional<SpecText> ctstate;    // NEW ESTABLISHED RELATED INVALID UNTRACKED
  bool has_log = false;               // `log:` given (an empty list: no LOG line)
  std::vector<LogExpectation> log;
  bool empty() const {
    return !verdict && rule.empty() && path_includes.empty() && path_excludes.empty() &&
           !nat_rewritten && !nat_src && !nat_dst && !mark && !ctstate && !has_log;
  }
};

// One packet word and where it stands in the spec.
struct PacketWord {
  std::string text;
  SpecPos at;
};

// One packet of a case and what must come of it.
struct SpecPacket {
  std::vector<PacketWord> words;  // the spec's `defaults:` not included
  SpecPos at;
  Expectations expect;
};

struct SpecCase {
  std::string name;
  SpecPos at;
  bool flow = false;                // a flow: the packets share one simulation
  std::vector<SpecPacket> packets;  // the case's own expectations are on the last one
  std::optional<SpecText> golden;   // the file (relative to the spec) the trace must equal
};

struct TestSpec {
  std::string file;                 // the spec's path as given
  std::vector<SpecText> rules;      // paths resolved against the spec's directory
  std::optional<SpecText> host;
  std::vector<SpecText> ipsets;
  std::vector<PacketWord> defaults;   // every packet's, its own replacing them (MergePacketWords)
  std::optional<uint64_t> seed;       // seed: N (as trace --seed)
  std::map<std::string, bool> assume; // assume: {NAME: true|false} (as trace --assume)
  std::vector<SpecCase> cases;
};

// Reads the spec `text` (`file` names it in diagnostics and is the base of
// relative paths).  False with the errors in `diags` (every one found).
bool ReadTestSpec(std::string_view text, const std::string& file, TestSpec* out,
                  DiagnosticSink* diags);

// A diagnostic at `at` in `file`, with the source line taken from `text`.
Diagnostic SpecDiagnostic(std::string_view text, const std::string& file, SpecPos at,
                          std::string message);

// A path named by the spec `spec_file`, relative to the spec's directory
// (absolute paths as they are).
std::string SpecRelativePath(const std::string& spec_file, const std::string& path);

}  // namespace iptsim
