#include "cli/options.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "base/diagnostics.h"
#include "base/numbers.h"
#include "cli/help.h"
#include "loader/packet_spec.h"
#include "output/explain_why.h"
#include "output/formats.h"

namespace iptsim::cli {
namespace {

// --- setters: each sets one field of CommandLine, "" or the usage error ---

std::string SetV4(CommandLine& cl, const std::string&) {
  cl.family = Family::kIPv4;
  return "";
}
std::string SetV6(CommandLine& cl, const std::string&) {
  cl.family = Family::kIPv6;
  return "";
}
std::string SetCounters(CommandLine& cl, const std::string&) {
  cl.save.counters = true;
  return "";
}
std::string SetNoHeader(CommandLine& cl, const std::string&) {
  cl.save.header = false;
  return "";
}
std::string SetSeed(CommandLine& cl, const std::string& v) {
  // trace has always read its seed with strtoull(v, &end, 10), which takes
  // leading blanks and a sign after them (" 5", "+5", " -5"); verify only
  // digits.
  uint64_t n;
  size_t end;
  bool overflow;
  bool ok = cl.command == "trace"
                ? !v.empty() && v[0] != '-' && Strtoull(v, 10, &n, &end, &overflow) &&
                      end == v.size() && !overflow
                : ParseUIntDec(v, 0, UINT64_MAX, &n);
  if (!ok)
    return "--seed takes a non-negative integer, not '" + v + "'";
  cl.seed = n;
  return "";
}
std::string SetAssume(CommandLine& cl, const std::string& v) {
  size_t eq = v.find('=');
  const std::string name = v.substr(0, eq == std::string::npos ? v.size() : eq);
  const std::string value = eq == std::string::npos ? "" : v.substr(eq + 1);
  if (name.find(':') != std::string::npos) {
    // One rule: resolved once the ruleset is loaded (cli/trace.cc).
    if (cl.command != "trace")
      return "--assume TABLE:CHAIN:N=match|nomatch is for 'iptsim trace'; " + cl.command +
             " takes --assume NAME=true|false";
    if (value != "match" && value != "nomatch" && value != "true" && value != "false")
      return "--assume takes TABLE:CHAIN:N=match or TABLE:CHAIN:N=nomatch, not '" + v + "'";
    cl.rule_assumptions.emplace_back(name, value == "match" || value == "true");
    return "";
  }
  if (name.empty() || (value != "true" && value != "false"))
    return "--assume takes NAME=true|false or TABLE:CHAIN:N=match|nomatch, not '" + v + "'";
  std::string why_not = AssumableExtension(name);
  if (!why_not.empty()) return "--assume " + v + ": " + why_not;
  cl.assumptions[name] = value == "true";
  return "";
}
std::string SetHost(CommandLine& cl, const std::string& v) {
  cl.host_file = v;
  return "";
}
std::string AddSource(CommandLine& cl, PacketSource::Kind kind, const std::string& v) {
  int n = 1;
  for (const PacketSource& s : cl.input.sources) n += s.kind == kind;
  cl.input.sources.push_back({kind, v, n});
  return "";
}
std::string SetPackets(CommandLine& cl, const std::string& v) {
  return AddSource(cl, PacketSource::Kind::kFile, v);
}
std::string SetFromLog(CommandLine& cl, const std::string& v) {
  return AddSource(cl, PacketSource::Kind::kLog, v);
}
std::string SetPcap(CommandLine& cl, const std::string& v) {
  return AddSource(cl, PacketSource::Kind::kPcap, v);
}
std::string SetFormat(CommandLine& cl, const std::string& v) {
  if (!FindOutputFormat(v)) {
    std::string names;
    const auto all = OutputFormats();
    for (size_t i = 0; i < all.size(); ++i)
      names += std::string(i == 0 ? "" : i + 1 == all.size() ? " or " : ", ") + all[i].name;
    return "unknown --format '" + v + "' (" + names + ")";
  }
  cl.format = v;
  return "";
}
std::string SetTraceAll(CommandLine& cl, const std::string&) {
  cl.trace_all = true;
  return "";
}
std::string SetExplore(CommandLine& cl, const std::string&) {
  cl.explore = true;
  return "";
}
std::string SetPacketHeaders(CommandLine& cl, const std::string&) {
  cl.packet_headers = true;
  return "";
}
std::string SetQuiet(CommandLine& cl, const std::string&) {
  cl.quiet = true;
  return "";
}
std::string SetWhy(CommandLine& cl, const std::string& v) {
  cl.why.emplace_back(v, false);
  return "";
}
std::string SetExpect(CommandLine& cl, const std::string& v) {
  cl.why.emplace_back(v, true);
  return "";
}
std::string AddIpset(CommandLine& cl, const std::string& v) {
  cl.ipset_files.push_back(v);
  return "";
}
std::string SetBackend(CommandLine& cl, const std::string& v) {
  if (v != "legacy" && v != "nft") return "--backend takes legacy or nft";
  cl.nft_backend = v == "nft";
  return "";
}
std::string SetKeep(CommandLine& cl, const std::string&) {
  cl.keep_lab = true;
  return "";
}
std::string SetNoTraceRule(CommandLine& cl, const std::string&) {
  cl.add_trace_rules = false;
  return "";
}
std::string SetVerbose(CommandLine& cl, const std::string&) {
  cl.verbose = true;
  return "";
}
std::string SetTimeout(CommandLine& cl, const std::string& v) {
  uint64_t n;
  if (!ParseUIntDec(v, 1, 3600, &n)) return "--timeout takes seconds (1 to 3600)";
  cl.timeout_s = n;
  return "";
}
std::string SetSettle(CommandLine& cl, const std::string& v) {
  uint64_t n;
  if (!ParseUIntDec(v, 1, 60000, &n)) return "--settle takes milliseconds (1 to 60000)";
  cl.settle_ms = n;
  return "";
}
std::string SetJunit(CommandLine& cl, const std::string& v) {
  cl.junit_file = v;
  return "";
}
std::string AddTestSelect(CommandLine& cl, const std::string& v) {
  cl.test_select.push_back(v);
  return "";
}
std::string SetUpdate(CommandLine& cl, const std::string&) {
  cl.test_update = true;
  return "";
}
std::string SetAllowUndecided(CommandLine& cl, const std::string&) {
  cl.allow_undecided = true;
  return "";
}
std::string SetTestJobs(CommandLine& cl, const std::string& v) {
  uint64_t n;
  if (!ParseUIntDec(v, 1, 1024, &n)) return "-j takes a number of threads (1 to 1024)";
  cl.test_jobs = n;
  return "";
}

std::string SetMaxErrors(CommandLine& cl, const std::string& v) {
  uint64_t n;
  if (!ParseUIntDec(v, 0, UINT32_MAX, &n))
    return "--max-errors takes a number of errors (0: all), not '" + v + "'";
  cl.load.max_errors = n;
  return "";
}
std::string SetSkipBadRules(CommandLine& cl, const std::string&) {
  cl.load.skip_bad_rules = true;
  return "";
}
std::string SetTable(CommandLine& cl, const std::string& v) {
  TableId id;
  if (!ParseTableName(v, &id))
    return "--table takes raw, mangle, nat, filter or security, not '" + v + "'";
  cl.load.table = id;
  return "";
}
std::string SetManPage(CommandLine& cl, const std::string&) {
  cl.man_page = true;
  return "";
}
std::string SetBashCompletion(CommandLine& cl, const std::string&) {
  cl.bash_completion = true;
  return "";
}

// --- the tables ---

constexpr OptionSpec kFamily4{"-4", nullptr, nullptr, SetV4, "the ruleset is IPv4 (else detected)"};
constexpr OptionSpec kFamily6{"-6", nullptr, nullptr, SetV6, "the ruleset is IPv6 (else detected)"};

// How RULES is loaded (loader/loader.h LoadOptions), for every command that loads it.
constexpr OptionSpec kMaxErrors{"--max-errors", nullptr, "N", SetMaxErrors,
                                "show at most N errors (default 50; 0: all)"};
constexpr OptionSpec kSkipBadRules{"--skip-bad-rules", nullptr, nullptr, SetSkipBadRules,
                                   "drop the lines that do not load (listed as warnings)"};
constexpr OptionSpec kTable{"--table", nullptr, "TABLE", SetTable,
                            "the table of 'iptables -S' input (default filter)"};

constexpr OptionSpec kCheckOptions[] = {kFamily4, kFamily6, kMaxErrors, kSkipBadRules, kTable};

constexpr OptionSpec kSaveOptions[] = {
    kFamily4,
    kFamily6,
    kMaxErrors,
    kSkipBadRules,
    kTable,
    {"-c", "--counters", nullptr, SetCounters, "print the [packets:bytes] rule counters"},
    {"--no-header", nullptr, nullptr, SetNoHeader, "no '# Generated by' header and footer"},
};

// The packet sources (cli/packet_input.h) and the run settings trace and
// verify share.
#define IPTSIM_RUN_OPTIONS                                                                  \
  kFamily4, kFamily6, kMaxErrors, kSkipBadRules, kTable,                                    \
      {"--host", nullptr, "FILE", SetHost,                                                  \
       "route by the host's interfaces and routes (docs/host.md) instead of -i/-o"},        \
      {"--seed", nullptr, "N", SetSeed, "draw random matches reproducibly"},                \
      {"--assume", nullptr, "NAME=BOOL", SetAssume,                                         \
       "answer an undecided test of -m NAME (before its '!'); trace also takes "            \
       "TABLE:CHAIN:N=match|nomatch for one rule"},                                         \
      {"--packets", nullptr, "FILE", SetPackets, "packets, one a line (- for stdin)"},      \
      {"--from-log", nullptr, "LINE|FILE|-", SetFromLog,                                    \
       "packets of kernel TRACE/LOG lines or xtables-monitor --trace output"},              \
      {"--pcap", nullptr, "FILE", SetPcap, "the IP packets of a pcap/pcapng capture"}

constexpr OptionSpec kTraceOptions[] = {
    IPTSIM_RUN_OPTIONS,
    {"--format", nullptr, "NAME", SetFormat, "kernel (default), nft, explain or json"},
    {"--trace-all", nullptr, nullptr, SetTraceAll, "trace every packet from its first hook"},
    {"--explore", nullptr, nullptr, SetExplore,
     "print every outcome of the random decisions with its probability"},
    {"--packet-headers", nullptr, nullptr, SetPacketHeaders,
     "print '== packet N (WHERE FROM): WHAT IT IS' before each packet"},
    {"-q", "--quiet", nullptr, SetQuiet,
     "no notes, per-packet verdicts or closing summary on stderr (errors still)"},
    {"--why", nullptr, "TABLE:CHAIN:N", SetWhy, "say why a packet did not reach that rule"},
    {"--expect", nullptr, "TABLE:CHAIN:N", SetExpect, "as --why, and exit 1 when not reached"},
    {"--ipset", nullptr, "FILE", AddIpset, "ipsets in ipset save format (repeatable)"},
};

constexpr OptionSpec kVerifyOptions[] = {
    IPTSIM_RUN_OPTIONS,
    {"--backend", nullptr, "legacy|nft", SetBackend, "the kernel side's iptables (default legacy)"},
    {"--keep", nullptr, nullptr, SetKeep, "leave the lab for inspection"},
    {"--no-trace-rule", nullptr, nullptr, SetNoTraceRule,
     "add no TRACE rule when RULES has none"},
    {"-v", "--verbose", nullptr, SetVerbose, "also show the packets that agree, and notes"},
    {"--timeout", nullptr, "S", SetTimeout, "give the lab at most S seconds (1 to 3600)"},
    {"--settle", nullptr, "MS", SetSettle,
     "wait until the kernel log is quiet this long (1 to 60000)"},
};
#undef IPTSIM_RUN_OPTIONS

constexpr OptionSpec kHelpOptions[] = {
    {"--man", nullptr, nullptr, SetManPage, "print the manual page (roff) made from these tables"},
    {"--bash-completion", nullptr, nullptr, SetBashCompletion,
     "print the bash completion script made from these tables"},
};

constexpr OptionSpec kReplayOptions[] = {
    kFamily4,
    kFamily6,
    kMaxErrors,
    kSkipBadRules,
    kTable,
    {"--host", nullptr, "FILE", SetHost,
     "route by the host's interfaces and routes (docs/host.md) instead of -i/-o"},
    {"--seed", nullptr, "N", SetSeed, "draw random matches reproducibly"},
    {"--assume", nullptr, "NAME=BOOL", SetAssume, "answer an undecided test of -m NAME"},
    {"--ipset", nullptr, "FILE", AddIpset, "ipsets in ipset save format (repeatable)"},
};

constexpr OptionSpec kTestOptions[] = {
    {"--junit", nullptr, "FILE", SetJunit, "also write the results as JUnit XML"},
    {"-k", nullptr, "PATTERN", AddTestSelect,
     "run only the cases whose name contains PATTERN (repeatable: any)"},
    {"--update", nullptr, nullptr, SetUpdate, "rewrite the golden files that differ"},
    {"--allow-undecided", nullptr, nullptr, SetAllowUndecided,
     "exit 0 even when cases are undecided (they are still counted)"},
    {"-j", "--jobs", "N", SetTestJobs, "run N cases at once (default: one per core)"},
};

std::string SetDiffFormat(CommandLine& cl, const std::string& v) {
  if (v != "table" && v != "json") return "unknown --format '" + v + "' (table or json)";
  cl.diff_json = v == "json";
  return "";
}
std::string SetVerdictsOnly(CommandLine& cl, const std::string&) {
  cl.diff_verdicts_only = true;
  return "";
}
std::string SetDiffTraces(CommandLine& cl, const std::string&) {
  cl.diff_traces = true;
  return "";
}
constexpr OptionSpec kDiffOptions[] = {
    kFamily4,
    kFamily6,
    kMaxErrors,
    kSkipBadRules,
    {"--format", nullptr, "table|json", SetDiffFormat, "the answer as a table (default) or JSON"},
    {"--verdicts-only", nullptr, nullptr, SetVerdictsOnly,
     "report only changed verdicts and NAT bindings, not packets another rule now decides "
     "the same way"},
    {"--traces", nullptr, nullptr, SetDiffTraces,
     "show each example's walk through both rulesets (the explain format)"},
    {"--packets", nullptr, "FILE", SetPackets,
     "compare these packets (one a line, - for stdin) instead of every packet"},
    {"--pcap", nullptr, "FILE", SetPcap, "compare the IP packets of a pcap/pcapng capture"},
    {"--from-log", nullptr, "LINE|FILE|-", SetFromLog,
     "compare the packets of kernel TRACE/LOG lines or xtables-monitor --trace output"},
    {"--host", nullptr, "FILE", SetHost,
     "with given packets: route by the host's interfaces and routes (docs/host.md)"},
    {"--ipset", nullptr, "FILE", AddIpset,
     "with given packets: ipsets in ipset save format (repeatable)"},
    {"--assume", nullptr, "NAME=BOOL", SetAssume,
     "with given packets: answer an undecided test of -m NAME"},
    {"--seed", nullptr, "N", SetSeed, "with given packets: draw random matches reproducibly"},
};

std::string SetQueryVerdict(CommandLine& cl, const std::string& v) {
  std::string up;
  for (char ch : v) up += static_cast<char>(toupper(static_cast<unsigned char>(ch)));
  for (const char* known : {"ACCEPT", "DROP", "REJECT", "QUEUE", "STOLEN", "UNDECIDED"})
    if (up == known) {
      cl.query_verdict = up;
      return "";
    }
  return "unknown --verdict '" + v + "' (ACCEPT, DROP, REJECT, QUEUE, STOLEN or UNDECIDED)";
}
std::string SetQueryRule(CommandLine& cl, const std::string& v) {
  cl.query_rule = v;
  return "";
}
std::string SetQueryMatrix(CommandLine& cl, const std::string&) {
  cl.query_matrix = true;
  return "";
}
std::string AddQueryPath(CommandLine& cl, const std::string& v) {
  for (PacketPath p : {PacketPath::kLocalIn, PacketPath::kForward, PacketPath::kLocalOut})
    if (v == PacketPathName(p)) {
      cl.query_paths.push_back(p);
      return "";
    }
  return "unknown --path '" + v + "' (local-in, forward or local-out)";
}
constexpr OptionSpec kQueryOptions[] = {
    kFamily4,
    kFamily6,
    kMaxErrors,
    kSkipBadRules,
    {"--verdict", nullptr, "V", SetQueryVerdict,
     "only the packets RULES gives verdict V (ACCEPT, DROP, REJECT, QUEUE, UNDECIDED)"},
    {"--rule", nullptr, "TABLE:CHAIN:N", SetQueryRule,
     "the packets that reach rule N of TABLE:CHAIN, and those it matches"},
    {"--matrix", nullptr, nullptr, SetQueryMatrix,
     "the service matrix: which sources may open connections to which services"},
    {"--path", nullptr, "P", AddQueryPath,
     "only path P: local-in, forward or local-out (repeatable; default: all, --matrix: "
     "local-in and forward)"},
    {"--format", nullptr, "table|json", SetDiffFormat, "the answer as a table (default) or JSON"},
};

// Every command accepts -h/--help (listed last in its help).
std::string SetShowHelp(CommandLine& cl, const std::string&) {
  cl.show_help = true;
  return "";
}
constexpr OptionSpec kHelpOption{"-h", "--help", nullptr, SetShowHelp,
                                 "show this help and exit"};

constexpr ExitStatus kLoadExits[] = {
    {0, "RULES loads (the summary or the saved text on stdout)"},
    {2, "RULES does not load (file:line:col errors on stderr), cannot be read, or a usage "
        "error"},
};
constexpr ExitStatus kTraceExits[] = {
    {0, "every packet was simulated to its end (the trace on stdout, notes on stderr)"},
    {1, "a rule named by --expect was not reached by some packet"},
    {2, "bad input (RULES, a packet, --host, --ipset, --packets, --pcap, --from-log), a "
        "usage error, or a packet the simulation cannot decide (what is missing on stderr)"},
};
constexpr ExitStatus kVerifyExits[] = {
    {0, "the kernel and the simulation agree on every packet"},
    {1, "they differ (a unified diff per packet on stdout)"},
    {2, "bad input or usage, not root, no network namespaces, or the lab failed"},
};
constexpr ExitStatus kTestExits[] = {
    {0, "every selected case passed (undecided ones too with --allow-undecided)"},
    {1, "a case failed, or was undecided (what is missing is named)"},
    {2, "a bad spec, ruleset, host or ipset file (file:line:col), -k selecting nothing, or "
        "a usage error"},
};
constexpr ExitStatus kReplayExits[] = {
    {0, "every packet of the log was simulated to the same lines"},
    {1, "a packet's lines differ (the first differing line and the reason on stdout), or "
        "lines were lost from the log"},
    {2, "bad input (RULES, LOG:LINE:COL, --host, --ipset), a log with no records, or a "
        "usage error"},
};
constexpr ExitStatus kDiffExits[] = {
    {0, "no packet changes its fate"},
    {1, "some packets change their fate (each set on stdout)"},
    {2, "bad input (OLD or NEW), a usage error, or an internal disagreement between the "
        "symbolic answer and the concrete engine (on stderr)"},
};
constexpr ExitStatus kQueryExits[] = {
    {0, "some packets answer the question (each set on stdout)"},
    {1, "no packet does (for example, no source may reach the port asked about)"},
    {2, "bad input (RULES, the packets asked about), a usage error, or an internal "
        "disagreement between the symbolic answer and the concrete engine (on stderr)"},
};
constexpr ExitStatus kHelpExits[] = {
    {0, "the help was printed on stdout"},
    {2, "an unknown COMMAND or option"},
};

constexpr CommandSpec kCommands[] = {
    {"check", "RULES", "load and validate RULES; print a summary or the errors",
     "Load RULES (iptables-save or ip6tables-save output; a file, or - for stdin) and "
     "validate it as iptables-restore and the kernel do. Prints one summary line (family, "
     "tables, chains, rules), or every error as file:line:col with the source line and a "
     "caret (up to 50 shown).",
     kCheckOptions, false, CheckCommand, kLoadExits},
    {"save", "RULES", "print the canonical iptables-save form of RULES",
     "Load RULES as check does and print it back in iptables-save's canonical form "
     "(options in iptables' order, implicit matches spelled out, one rule per address).",
     kSaveOptions, false, SaveCommand, kLoadExits},
    {"trace", "RULES [PACKET...] [-- PACKET...]",
     "simulate packets through RULES; print the kernel's TRACE/LOG lines",
     "Send packets through RULES and print what the kernel logs for them: TRACE lines for "
     "packets a raw-table TRACE rule marked (all packets with --trace-all) and LOG lines. "
     "A PACKET is written in iptables' own filter syntax (-i IF -o IF -s ADDR -d ADDR -p "
     "PROTO --sport N --dport N --syn ..., every option in docs/packet-options.md); "
     "several packets are separated by --. More packets come from --packets, --from-log "
     "and --pcap; all of them go through one simulation, in order, sharing its state "
     "(connection tracking, NAT, limits, recent lists, ipsets). --format explain lists "
     "every rule a packet matched with its file:line and the verdict.",
     kTraceOptions, true, TraceCommand, kTraceExits},
    {"verify", "RULES [PACKET...] [-- PACKET...]",
     "(root) run packets through the simulation and the kernel; diff them",
     "Run the packets (given as for trace) through the simulation and through the real "
     "kernel in a throw-away network namespace, and print a unified diff for each packet "
     "whose lines differ (- kernel, + iptsim). Needs root and network namespaces "
     "(docs/verifier.md).",
     kVerifyOptions, true, VerifyCommand, kVerifyExits},
    {"test", "SPEC...", "run the test cases of YAML spec files (firewall unit tests)",
     "Run the cases of each SPEC (YAML, docs/test-specs.md): packets or flows with the "
     "verdict, deciding rule, path, NAT, mark, conntrack state, LOG lines or golden trace "
     "they must give. Prints a line per case (PASS, FAIL, UNDECIDED), on failure expected "
     "vs actual and the explain trace, and a closing count; each case starts from fresh "
     "state, cases run in parallel.",
     kTestOptions, true, TestCommand, kTestExits},
    {"replay", "RULES LOG", "replay a kernel log through RULES and compare, packet by packet",
     "Read the TRACE/LOG records of LOG (a file or -: dmesg, journalctl -k, syslog, "
     "/dev/kmsg records, xtables-monitor --trace output), group them into packets, rebuild "
     "each packet from its first line, simulate them in log order in one run, and compare the "
     "simulated lines with the logged ones: per packet 'equal', or the first differing line "
     "with the reason (docs/replay.md).",
     kReplayOptions, true, ReplayCommand, kReplayExits},
    {"diff", "OLD NEW", "every set of packets whose fate changes from OLD to NEW (symbolic)",
     "Compare two rulesets of one family for every packet at once: on each path (local-in, "
     "forward, local-out), every set of packets whose verdict, deciding rule or NAT binding "
     "differs, described by field (addresses as CIDRs, ports, interfaces, flags, states), "
     "with the outcome and deciding rule in each ruleset and an example packet, which is run "
     "through both rulesets by the concrete engine to confirm the answer (docs/diff.md). "
     "Conditions iptsim cannot see (-m string, limit, recent...) stay explicit.",
     kDiffOptions, true, DiffCommand, kDiffExits},
    {"query", "RULES [MATCH...]", "which packets meet each fate, reach a rule; service matrix",
     "Answer questions about one ruleset for every packet at once (symbolic, as diff): by "
     "default the fate (verdict, deciding rule, NAT) of every packet on each path, as sets "
     "described by field with an example packet each; --verdict V only the packets given V; "
     "--rule TABLE:CHAIN:N the packets that reach that rule and those it matches; --matrix "
     "which sources (input interface, address) may open connections to which services "
     "(destination, protocol, port). MATCH, after RULES, narrows the packets asked about "
     "in iptables' own match syntax (-s 10.0.0.0/8 -p tcp -m multiport --dports 22,80 ...). "
     "Every example is run through the concrete engine to confirm the answer (docs/query.md).",
     kQueryOptions, true, QueryCommand, kQueryExits},
    {"help", "[COMMAND]", "list the commands, or show one command's options",
     "Without COMMAND: every command with its options. With COMMAND: its usage, options "
     "and exit statuses, as 'iptsim COMMAND --help' shows them.",
     kHelpOptions, false, HelpCommand, kHelpExits},
};

// The part of an option word before "=VALUE".
std::string_view OptionName(std::string_view word) { return word.substr(0, word.find('=')); }

// What the packet parser says about `name` alone: whether it is one of the
// packet options (docs/packet-options.md), and its "did you mean" when it
// is not.  Asking the parser keeps the two lists from disagreeing.
struct PacketOptionProbe {
  bool is_packet_option = false;
  bool has_guess = false;
};
PacketOptionProbe ProbePacketOption(std::string_view name) {
  const std::string word(name);
  PacketSpec spec;
  Status st = ParsePacketSpec(std::span<const std::string>(&word, 1), Family::kIPv4, &spec);
  const std::string& m = st.message();
  bool unknown = m.starts_with("unknown packet option") || m.find("is ambiguous") != m.npos ||
                 m.find("belongs to a rule") != m.npos || m.find("describes rules") != m.npos ||
                 m.starts_with("unexpected");
  return {st.ok() || !unknown, m.find("did you mean") != m.npos};
}

// "trace and verify" for the commands (other than `c`) that have the option.
std::string OtherCommandsWith(const CommandSpec& c, std::string_view name) {
  std::vector<std::string> owners;
  for (const CommandSpec& k : kCommands)
    if (&k != &c && FindOption(k, name)) owners.push_back(k.name);
  std::string list;
  for (size_t i = 0; i < owners.size(); ++i)
    list += (i == 0 ? "" : i + 1 == owners.size() ? " and " : ", ") + owners[i];
  return list;
}

std::vector<std::string_view> OptionNames(const CommandSpec& c) {
  std::vector<std::string_view> names;
  for (const OptionSpec& o : c.options) {
    names.push_back(o.name);
    if (o.alias) names.push_back(o.alias);
  }
  return names;
}

// "unknown option 'WORD'", with the option of `c` it is a typo of, or else
// the option of another command ("--formt" in verify: trace's --format).
std::string DidYouMean(const CommandSpec& c, const std::string& word) {
  const std::string_view name = OptionName(word);
  std::string guess = ClosestName(name, OptionNames(c));
  std::string owner;
  for (const CommandSpec& k : kCommands) {
    if (!guess.empty()) break;
    if (&k == &c) continue;
    guess = ClosestName(name, OptionNames(k));
    owner = k.name;
  }
  return "unknown option '" + word + "'" +
         (guess.empty()   ? ""
          : owner.empty() ? ", did you mean '" + guess + "'?"
                          : ", did you mean '" + guess + "' (an option of " + owner + ")?");
}

// The usage error for an option word `c` does not have where it stands
// (before RULES, or anywhere for a command without packets): an option of
// another command, a packet option, or a typo.
std::string UnknownOption(const CommandSpec& c, const std::string& word) {
  const std::string name(OptionName(word));
  if (std::string others = OtherCommandsWith(c, name); !others.empty())
    return name + " is an option of " + others + ", not of " + c.name;
  if (ProbePacketOption(name).is_packet_option)
    return c.takes_packets ? name + " is a packet option: put it after RULES"
                           : name + " is a packet option: " + c.name +
                                 " takes no packets (trace and verify do)";
  return DidYouMean(c, word);
}

// The usage error for a word after RULES of a command with packets that is
// not its option but looks like one it is not a packet option either: an
// option of another command, or a typo of one of `c`'s options; "" to read
// it as a packet word (the packet parser has its own messages).
std::string MisplacedAfterRules(const CommandSpec& c, const std::string& word) {
  if (word.size() < 2 || word[0] != '-' || word == "--") return "";
  // query's words after RULES are a rule's match part, which the loader
  // checks with its own messages.
  if (c.run == QueryCommand) return "";
  const std::string name(OptionName(word));
  PacketOptionProbe probe = ProbePacketOption(name);
  if (probe.is_packet_option) return "";
  if (std::string others = OtherCommandsWith(c, name); !others.empty())
    return name + " is an option of " + others + ", not of " + c.name;
  if (probe.has_guess || !word.starts_with("--")) return "";
  std::string e = DidYouMean(c, word);
  return e.find("did you mean") != e.npos ? e : "";
}

// Applies the option args[*i] names (a value from "=VALUE" or the next
// word); "" or the usage error.
std::string ApplyOption(const OptionSpec& o, const Args& args, size_t* i, CommandLine* out) {
  const std::string& word = args[*i];
  const size_t eq = word.find('=');
  const std::string name = word.substr(0, eq);
  if (!o.value_name) {
    if (eq != std::string::npos) return name + " takes no value";
    return o.set(*out, "");
  }
  if (eq != std::string::npos) return o.set(*out, word.substr(eq + 1));
  if (*i + 1 >= args.size()) return name + " needs a value";
  return o.set(*out, args[++*i]);
}

}  // namespace

std::span<const CommandSpec> Commands() { return kCommands; }

const OptionSpec& HelpOption() { return kHelpOption; }

const CommandSpec* FindCommand(const std::string& name) {
  for (const CommandSpec& c : kCommands)
    if (name == c.name) return &c;
  return nullptr;
}

const OptionSpec* FindOption(const CommandSpec& c, std::string_view word) {
  if (word.size() < 2 || word[0] != '-' || word == "--") return nullptr;
  std::string_view name = OptionName(word);
  for (const OptionSpec& o : c.options)
    if (name == o.name || (o.alias && name == o.alias)) return &o;
  if (name == kHelpOption.name || name == kHelpOption.alias) return &kHelpOption;
  return nullptr;
}

bool ParseCommandLine(const CommandSpec& c, const Args& args, CommandLine* out) {
  out->command = c.name;
  out->input.command = c.name;
  auto fail = [&](const std::string& message) {
    UsageError(c.name, message);
    return false;
  };
  bool have_rules = false;
  for (size_t i = 0; i < args.size() && !out->show_help; ++i) {
    const std::string& a = args[i];
    const OptionSpec* o = FindOption(c, a);
    if (o) {
      if (std::string e = ApplyOption(*o, args, &i, out); !e.empty()) return fail(e);
    } else if (have_rules && c.takes_packets) {
      if (a == "--") {
        out->packet_groups.emplace_back();
      } else if (std::string e = MisplacedAfterRules(c, a); !e.empty()) {
        return fail(e);
      } else {
        out->packet_groups.back().push_back(a);
      }
    } else if (a.size() > 1 && a[0] == '-') {
      return fail(UnknownOption(c, a));
    } else if (!have_rules) {
      out->rules = a;
      have_rules = true;
    } else {
      return fail(c.run == HelpCommand ? "help takes one COMMAND, not '" + a + "' too"
                                       : "more than one RULES file given ('" + out->rules +
                                             "' and '" + a + "')");
    }
  }
  return true;
}

int RunCommandLine(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return kExitError;
  }
  std::string name = argv[1];
  if (name == "-h" || name == "--help") return HelpCommand({});
  if (name == "-V" || name == "--version") {
    printf("iptsim %s\n", IPTSIM_VERSION);
    return kExitOk;
  }
  const CommandSpec* c = FindCommand(name);
  if (!c) {
    std::vector<std::string_view> names;
    for (const CommandSpec& k : kCommands) names.push_back(k.name);
    std::string guess = ClosestName(name, names);
    if (name.starts_with("-")) {
      // An option before the command: name a command that has it.
      std::string example = "COMMAND";
      for (const CommandSpec& k : kCommands)
        if (FindOption(k, name) && k.run != HelpCommand) {
          example = k.name;
          break;
        }
      if (example == "COMMAND")
        fprintf(stderr, "iptsim: error: unknown option '%s'\nTry 'iptsim help' for usage.\n",
                name.c_str());
      else
        fprintf(stderr, "iptsim: error: '%s' before the command: options follow it, as in "
                "'iptsim %s %s ...'\nTry 'iptsim help' for usage.\n", name.c_str(),
                example.c_str(), name.c_str());
    } else {
      fprintf(stderr, "iptsim: error: unknown command '%s'%s\nTry 'iptsim help' for usage.\n",
              name.c_str(), guess.empty() ? "" : (", did you mean '" + guess + "'?").c_str());
    }
    return kExitError;
  }
  CommandLine cl;
  if (!ParseCommandLine(*c, Args(argv + 2, argv + argc), &cl)) return kExitError;
  if (cl.show_help) {
    PrintCommandHelp(*c, stdout);
    return kExitOk;
  }
  if (c->name != std::string_view("help") && cl.rules.empty()) {
    UsageError(c->name, c->name == std::string_view("test")
                            ? "missing SPEC (a YAML test spec file)"
                            : "missing RULES (a file, or - for stdin)");
    return kExitError;
  }
  return c->run(cl);
}

}  // namespace iptsim::cli
