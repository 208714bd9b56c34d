#include "cli/options.h"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "base/diagnostics.h"
#include "base/numbers.h"
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

int HelpCommand(const CommandLine& cl);

constexpr CommandSpec kCommands[] = {
    {"check", "check [-4|-6] RULES",
     "load and validate RULES (a file or - for stdin); print a summary, or the errors "
     "(file:line:col) and exit 2",
     kCheckOptions, false, CheckCommand},
    {"save", "save [-4|-6] [-c] [--no-header] RULES",
     "print the canonical iptables-save form of the loaded ruleset (-c: with rule counters)",
     kSaveOptions, false, SaveCommand},
    {"trace", "trace [-4|-6] [--format kernel|nft|explain|json] [--trace-all] [--assume NAME=BOOL] [--host FILE] [--seed N] [--explore] [--ipset FILE]... RULES [PACKET...]",
     "simulate packets (iptables filter syntax, e.g. -i eth0 -p tcp --dport 22; several "
     "packets separated by --) and print the kernel's TRACE lines; --format nft: what "
     "xtables-monitor --trace shows for iptables-nft (trace ids are deterministic), explain: "
     "every matched rule with file:line, json: one JSON object per event and the verdict; "
     "--host: route by the host's interfaces and routes (docs/host.md) instead of -i/-o; "
     "--seed N draws random matches reproducibly, --explore prints every outcome of them "
     "with its probability, --ipset FILE loads ipsets (ipset save format) for -m set/-j SET. "
     "Packets also from --packets FILE (a packet per line, - for stdin), --from-log "
     "LINE|FILE|- (kernel TRACE/LOG lines, xtables-monitor --trace output), --pcap FILE (then the words after RULES are -i/-o "
     "...); all in one run; --packet-headers prints '== packet N' before each. "
     "--why TABLE:CHAIN:N says why a packet did not reach that rule; --expect also exits 1",
     kTraceOptions, true, TraceCommand},
    {"verify",
     "verify [-4|-6] [--host FILE] [--backend legacy|nft] [--keep] [--assume NAME=BOOL] "
     "[--seed N] [--timeout S] [--settle MS] [--no-trace-rule] [--packets FILE] [-v] RULES "
     "[PACKET...]",
     "(root) run the packets (as for trace) through the simulation and through the real "
     "kernel in a throw-away network namespace, and print a unified diff per packet "
     "(- kernel, + iptsim); exit 0 when they agree, 1 when they differ, 2 on error "
     "(bad input, not root, no namespaces, lab failure); --keep leaves the lab for "
     "inspection, --host FILE gives the lab's interfaces/routes/forwarding",
     kVerifyOptions, true, VerifyCommand},
    {"replay", "replay [-4|-6] [--host FILE] [--seed N] [--assume NAME=BOOL] [--ipset FILE]... RULES LOG",
     "replay a kernel log (LOG a file or -: dmesg, journalctl -k, syslog, /dev/kmsg records, "
     "xtables-monitor --trace) through RULES: its TRACE/LOG lines grouped into packets, each "
     "packet rebuilt from its first line and simulated in log order, and its lines compared "
     "with the simulated ones: per packet 'equal' or the first differing line with the reason; "
     "exit 0 when all are equal, 1 otherwise (docs/replay.md)",
     kReplayOptions, true, ReplayCommand},
    {"help", "help", "show this help", {}, false, HelpCommand},
};

void PrintOptions(const CommandSpec& c) {
  printf("usage: iptsim %s\n\noptions:\n", c.synopsis);
  for (const OptionSpec& o : c.options) {
    std::string names = o.name;
    if (o.alias) names += std::string(", ") + o.alias;
    if (o.value_name) names += std::string(" ") + o.value_name;
    printf("  %-28s %s\n", names.c_str(), o.help);
  }
  if (!c.options.empty()) printf("\nan option that takes a value also takes it as --OPTION=VALUE\n");
}

int HelpCommand(const CommandLine& cl) {
  if (!cl.rules.empty()) {
    const CommandSpec* c = FindCommand(cl.rules);
    if (!c) {
      UsageError("help", "unknown command '" + cl.rules + "'");
      return kExitError;
    }
    PrintOptions(*c);
    return kExitOk;
  }
  printf("usage: iptsim COMMAND [OPTIONS]\n\ncommands:\n");
  for (const CommandSpec& c : kCommands) printf("  iptsim %s\n      %s\n", c.synopsis, c.help);
  printf("\nexit status: 0 ok, 1 a difference was found, 2 bad input or usage\n");
  return kExitOk;
}

// The name the user probably meant: ClosestName's, or one that differs by
// two neighbouring letters swapped ("chekc").
std::string Suggest(std::string_view word, const std::vector<std::string_view>& names) {
  if (std::string guess = ClosestName(word, names); !guess.empty()) return guess;
  for (std::string_view n : names) {
    if (n.size() != word.size()) continue;
    for (size_t i = 0; i + 1 < n.size(); ++i) {
      std::string swapped(word);
      std::swap(swapped[i], swapped[i + 1]);
      if (swapped == n) return std::string(n);
    }
  }
  return "";
}

const OptionSpec* FindOption(const CommandSpec& c, std::string_view name) {
  for (const OptionSpec& o : c.options)
    if (name == o.name || (o.alias && name == o.alias)) return &o;
  return nullptr;
}

std::string UnknownOption(const CommandSpec& c, const std::string& word) {
  std::vector<std::string_view> names;
  for (const OptionSpec& o : c.options) {
    names.push_back(o.name);
    if (o.alias) names.push_back(o.alias);
  }
  std::string name = word.substr(0, word.find('='));
  std::string guess = Suggest(name, names);
  return "unknown option '" + word + "'" + (guess.empty() ? "" : ", did you mean '" + guess + "'?");
}

// Applies the option args[*i] names (a value from "=VALUE" or the next
// word); "" or the usage error.
std::string ApplyOption(const OptionSpec& o, const Args& args, size_t* i, CommandLine* out) {
  const std::string& word = args[*i];
  size_t eq = word.rfind("--", 0) == 0 ? word.find('=') : std::string::npos;
  const std::string name = word.substr(0, eq);
  if (!o.value_name) {
    if (eq != std::string::npos) return name + " takes no value";
    return o.set(*out, "");
  }
  if (eq != std::string::npos) return o.set(*out, word.substr(eq + 1));
  if (*i + 1 >= args.size()) return name + " needs a value";
  return o.set(*out, args[++*i]);
}

// The option a word after RULES names exactly, if any.
const OptionSpec* OptionAfterRules(const CommandSpec& c, const std::string& word) {
  if (word.size() < 2 || word[0] != '-') return nullptr;
  size_t eq = word.rfind("--", 0) == 0 ? word.find('=') : std::string::npos;
  return FindOption(c, std::string_view(word).substr(0, eq));
}

}  // namespace

std::span<const CommandSpec> Commands() { return kCommands; }

const CommandSpec* FindCommand(const std::string& name) {
  for (const CommandSpec& c : kCommands)
    if (name == c.name) return &c;
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
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (have_rules && c.takes_packets) {
      if (a == "--") {
        out->packet_groups.emplace_back();
      } else if (const OptionSpec* o = OptionAfterRules(c, a)) {
        if (std::string e = ApplyOption(*o, args, &i, out); !e.empty()) return fail(e);
      } else {
        out->packet_groups.back().push_back(a);
      }
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      size_t eq = a.rfind("--", 0) == 0 ? a.find('=') : std::string::npos;
      const OptionSpec* o = FindOption(c, std::string_view(a).substr(0, eq));
      if (!o) return fail(UnknownOption(c, a));
      if (std::string e = ApplyOption(*o, args, &i, out); !e.empty()) return fail(e);
    } else if (!have_rules) {
      out->rules = a;
      have_rules = true;
    } else {
      return fail("more than one RULES file given");
    }
  }
  return true;
}

int RunCommandLine(int argc, char** argv) {
  if (argc < 2) {
    HelpCommand({});
    return kExitError;
  }
  std::string name = argv[1];
  if (name == "-h" || name == "--help") return HelpCommand({});
  const CommandSpec* c = FindCommand(name);
  if (!c) {
    std::vector<std::string_view> names;
    for (const CommandSpec& k : kCommands) names.push_back(k.name);
    std::string guess = Suggest(name, names);
    fprintf(stderr, "iptsim: error: unknown command '%s'%s\nTry 'iptsim help' for usage.\n",
            name.c_str(), guess.empty() ? "" : (", did you mean '" + guess + "'?").c_str());
    return kExitError;
  }
  CommandLine cl;
  if (!ParseCommandLine(*c, Args(argv + 2, argv + argc), &cl)) return kExitError;
  if (c->name != std::string_view("help") && cl.rules.empty()) {
    UsageError(c->name, "missing RULES (a file, or - for stdin)");
    return kExitError;
  }
  return c->run(cl);
}

}  // namespace iptsim::cli
