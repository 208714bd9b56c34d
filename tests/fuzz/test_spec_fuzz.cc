// libFuzzer target for iptsim test's spec reader (loader/test_spec.h): any
// input either reads or gets diagnostics; nothing may crash, hang or trip a
// sanitizer.  A spec that reads is bound to a small fixed ruleset (the
// spec's own `rules:` are not opened) and, when it binds, every case runs.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "loader/loader.h"
#include "loader/test_binding.h"
#include "loader/test_spec.h"
#include "output/test_runner.h"

using namespace iptsim;

namespace {

constexpr const char* kRules =
    "*filter\n"
    ":INPUT DROP [0:0]\n"
    ":FORWARD DROP [0:0]\n"
    ":OUTPUT ACCEPT [0:0]\n"
    ":SSH - [0:0]\n"
    "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
    "-A INPUT -p udp --dport 53 -j LOG --log-prefix \"dns: \"\n"
    "-A INPUT -j MARK --set-mark 5\n"
    "-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j SSH\n"
    "-A INPUT -p tcp --dport 113 -m comment --comment ident -j REJECT --reject-with tcp-reset\n"
    "-A SSH -s 10.1.0.0/16 -j RETURN\n"
    "-A SSH -j ACCEPT\n"
    "COMMIT\n"
    "*nat\n"
    ":PREROUTING ACCEPT [0:0]\n"
    ":INPUT ACCEPT [0:0]\n"
    ":OUTPUT ACCEPT [0:0]\n"
    ":POSTROUTING ACCEPT [0:0]\n"
    "-A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.9.9.9:80\n"
    "COMMIT\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16 * 1024) return 0;
  static const LoadResult* rules = new LoadResult(LoadRuleset(kRules, "rules.v4"));
  if (!rules->ok()) abort();
  std::string text(reinterpret_cast<const char*>(data), size);
  TestSpec spec;
  DiagnosticSink diags;
  if (!ReadTestSpec(text, "fuzz.yaml", &spec, &diags)) {
    if (diags.error_count() == 0) abort();  // a failure always says why
    (void)diags.Format();
    return 0;
  }
  std::vector<BoundCase> cases;
  if (!BindTestSpec(spec, text, rules->ruleset, &cases, &diags)) {
    if (diags.error_count() == 0) abort();
    (void)diags.Format();
    return 0;
  }
  RunSettings settings;
  settings.seed = spec.seed;
  settings.assumptions = spec.assume;
  for (const BoundCase& c : cases) {
    if (c.packets.size() > 64) continue;  // a long flow tests nothing more
    GoldenText golden;
    CaseOutcome o = RunTestCase(rules->ruleset, settings, c, c.spec->golden ? &golden : nullptr,
                                false);
    if (o.status == CaseStatus::kFail && o.failures.empty()) abort();
    if (o.status == CaseStatus::kUndecided && o.undecided.empty()) abort();
  }
  return 0;
}
