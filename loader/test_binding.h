// A test spec (loader/test_spec.h) bound to one loaded ruleset: every
// packet built, every rule an expectation names looked up, every NAT
// address read in the ruleset's family.  A name that fits no rule of the
// ruleset is an error at its place in the spec: a test that names a rule
// which is not there would otherwise fail (or pass) for the wrong reason.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostics.h"
#include "engine/model.h"
#include "engine/packet.h"
#include "loader/test_spec.h"

namespace iptsim {

// A rule of the ruleset, or (rule == nullptr) a builtin chain's policy.
struct RuleEntry {
  const Table* table = nullptr;
  const Chain* chain = nullptr;
  const Rule* rule = nullptr;
  bool operator==(const RuleEntry&) const = default;
};

// A rule selector and every entry it fits (a comment or a text may fit
// several rules: any of them satisfies the expectation).
struct BoundSelector {
  std::string spelled;  // as the spec wrote it
  std::vector<RuleEntry> entries;
};

struct BoundExpectations {
  const Expectations* spec = nullptr;
  std::optional<BoundSelector> rule;
  std::vector<BoundSelector> path_includes, path_excludes;
  // The NAT addresses in the canonical spelling of the run's reports
  // ("10.0.0.1:80", "[2001:db8::1]:80", "10.0.0.1" without a port).
  std::optional<std::string> nat_rewritten, nat_src, nat_dst;
};

struct BoundPacket {
  Packet packet;
  std::string words;  // the packet's options as one line (defaults included), for reports
  BoundExpectations expect;
};

struct BoundCase {
  const SpecCase* spec = nullptr;
  std::vector<BoundPacket> packets;
};

// Binds every case of `spec` (whose text is `spec_text`, for diagnostics)
// to `rs`.  False with the errors in `diags`.
bool BindTestSpec(const TestSpec& spec, std::string_view spec_text, const Ruleset& rs,
                  std::vector<BoundCase>* out, DiagnosticSink* diags);

// The -m comment text of a rule in iptables-save's form, "" when it has none.
std::string RuleComment(std::string_view saved_rule);

}  // namespace iptsim
