// What the files of the ruleset loader share (private to loader/): the table
// of iptables' own options and the Loader class.  Its members live in
//   loader.cc         the line loop and the entry points (LoadRuleset, DetectFamily)
//   commands.cc       "*table", ":chain" and COMMIT lines, and the commands
//                     -A -I -D -R -N -X -E -F -Z -P
//   rule_parser.cc    one rule's options: -p -s -d -i -o -m -j ..., '!', and
//                     the routing of other options to the extensions loaded
//   validation.cc     what iptables-restore and the kernel refuse: a rule's
//                     final checks, and at COMMIT chain loops and hooks
//   parallel_load.cc  large sections of -A lines parsed on several threads
#pragma once

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/diagnostics.h"
#include "engine/extension.h"
#include "engine/model.h"
#include "loader/lexer.h"
#include "matchers/registry.h"

namespace iptsim::ruleset_loader {

// Message building with string_view tokens (C++20 has no operator+ for them).
inline std::string operator+(std::string a, std::string_view b) {
  a.append(b);
  return a;
}
inline std::string operator+(const char* a, std::string_view b) { return std::string(a) + b; }

// ---------------------------------------------------------------------------
// The options iptables itself (not an extension) understands on a rule line.

enum BaseId {
  kOptAppend,
  kOptInsert,
  kOptNewChain,
  kOptPolicy,
  kOptFlush,
  kOptDeleteChain,
  kOptDelete,
  kOptReplace,
  kOptRename,
  kOptZero,
  kOptSource,
  kOptDestination,
  kOptInIface,
  kOptOutIface,
  kOptProtocol,
  kOptFragment,
  kOptJump,
  kOptGoto,
  kOptMatch,
  kOptCounters,
  kOptIPv4,
  kOptIPv6,
  kOptTable,
};

struct BaseOption {
  std::string_view long_name;
  char short_name;
  BaseId id;
};

inline constexpr BaseOption kBaseOptions[] = {
    {"append", 'A', kOptAppend},         {"insert", 'I', kOptInsert},
    {"new-chain", 'N', kOptNewChain},    {"policy", 'P', kOptPolicy},
    {"flush", 'F', kOptFlush},           {"delete-chain", 'X', kOptDeleteChain},
    {"delete", 'D', kOptDelete},         {"replace", 'R', kOptReplace},
    {"rename-chain", 'E', kOptRename},   {"zero", 'Z', kOptZero},
    {"source", 's', kOptSource},         {"src", 0, kOptSource},
    {"destination", 'd', kOptDestination}, {"dst", 0, kOptDestination},
    {"in-interface", 'i', kOptInIface},  {"out-interface", 'o', kOptOutIface},
    {"protocol", 'p', kOptProtocol},     {"fragment", 'f', kOptFragment},
    {"jump", 'j', kOptJump},             {"goto", 'g', kOptGoto},
    {"match", 'm', kOptMatch},           {"set-counters", 'c', kOptCounters},
    {"ipv4", '4', kOptIPv4},             {"ipv6", '6', kOptIPv6},
    {"table", 't', kOptTable},
};

// The base option of a short letter (-s, -p, -A, ...), or nullptr.
const BaseOption* ShortOption(char c);
bool BaseTakesArg(BaseId id);
inline bool IsCommand(BaseId id) { return id <= kOptZero; }
bool BaseInvertible(BaseId id);

inline constexpr size_t kMaxChainNameLen = 28;  // XT_EXTENSION_MAXNAMELEN - 1
inline constexpr size_t kMaxIfaceLen = 15;      // IFNAMSIZ - 1

// Sections (and tables) with fewer rules are not worth a thread.
inline constexpr size_t kParallelMinRules = 20000;

// Option and chain names: most candidates differ in length or first letter,
// which settles it without a memcmp call.
inline bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         (a.empty() || (a[0] == b[0] && memcmp(a.data(), b.data(), a.size()) == 0));
}

inline bool IsStandardTargetName(std::string_view n) {
  return n == "ACCEPT" || n == "DROP" || n == "QUEUE" || n == "RETURN";
}

// "-m NAME" or "-j NAME", as messages name an extension.
inline std::string ExtensionLabel(const ExtensionInfo& info) {
  return (info.kind == ExtKind::kMatch ? "-m " : "-j ") + std::string(info.name);
}

// What an option word of a rule line resolved to: a base option or one
// option of a loaded extension.
struct Resolved {
  bool base = false;
  BaseId base_id{};
  Extension* ext = nullptr;
  int ext_option = -1;
};

// A command line after its command was found: which command, the word it
// stands at, and the counters the line began with.  The operands go to
// Loader::ops_.
struct CommandLine {
  BaseId id{};
  size_t command_word = 0;  // the command itself, for "'-X' needs ..." messages
  size_t last_word = 0;     // the command or the last operand taken after it
  uint64_t packets = 0, bytes = 0;
  bool has_counters = false;
};

// One rule while its options are parsed: what they have set so far.
struct RuleInProgress {
  int chain_idx = -1;
  // Which address of comma-separated -s / -d lists this rule takes, and
  // (out) how many the lists have.
  size_t src_pick = 0, dst_pick = 0;
  size_t* nsrc = nullptr;
  size_t* ndst = nullptr;
  Rule* rule = nullptr;
  ParseContext ctx;
  // The match named after -p, once loaded for an option nothing else knew
  // (iptables' implicit "-m tcp").
  bool proto_implicit_loaded = false;
  char proto_lower[64];               // -p's argument in lower case
  std::string_view proto_match_name;  // the match -p would load (see ApplyProtocol)
  bool have_target = false;
  int inv_token = -1;  // a pending '!'
  bool seen[32] = {};  // base options given, by BaseId
  size_t in_iface_tok = 0, out_iface_tok = 0;  // the -i / -o that set them
};

// One option word of a rule line, as the user wrote it.
struct OptionWord {
  size_t index = 0;  // its token
  std::string_view name;  // without dashes, or the one letter
  bool is_long = false;
  std::string_view inline_arg;  // "--opt=ARG", "-sARG"
  bool has_inline = false;
  bool invert = false;
  Resolved res;
  // The option for messages only (built on demand: options are parsed for
  // every rule).
  std::string Display() const { return (is_long ? "--" : "-") + std::string(name); }
};

class Loader {
 public:
  Loader(std::string_view text, std::string file, Family family, DiagnosticSink* sink,
         unsigned threads = 0)
      : text_(text), file_(std::move(file)), family_(family), sink_(sink), threads_(threads) {}

  void Run(Ruleset* out);
  // Why the ruleset has its family ("-4 was given", "from the IPv6 address
  // ... on line 7"), for the message about an address of the other family.
  void SetFamilyReason(std::string why) { family_reason_ = std::move(why); }
  // The text is `iptables -S` output: its lines are the commands of one
  // table, without "*table" and COMMIT.
  void SetRuleSpecsTable(TableId table) {
    rule_specs_ = true;
    rule_specs_table_ = table;
  }

 private:
  // Diagnostics at the current line.
  void Error(uint32_t col, uint32_t len, std::string message) {
    Diagnostic d;
    d.file = file_;
    d.line = lineno_;
    d.col = col;
    d.len = std::max<uint32_t>(len, 1);
    d.message = std::move(message);
    d.source_line = std::string(line_);
    sink_->Add(std::move(d));
  }
  void ErrorAt(const Token& t, std::string message) { Error(t.col, t.len, std::move(message)); }
  // ErrorAt, returning false for the caller's "the rule failed".
  bool Fail(const Token& t, std::string message) {
    ErrorAt(t, std::move(message));
    return false;
  }
  // Diagnostics about an earlier line (COMMIT-time checks).
  void ErrorAtLine(uint32_t line, std::string_view source, uint32_t col, uint32_t len,
                   std::string message) {
    Diagnostic d;
    d.file = file_;
    d.line = line;
    d.col = col;
    d.len = std::max<uint32_t>(len, 1);
    d.message = std::move(message);
    d.source_line = std::string(source);
    sink_->Add(std::move(d));
  }

  // --- commands.cc: table, chain and COMMIT lines -------------------------
  // nftables text ("table inet filter {") at the first line that is not
  // blank or a comment: reported there; the caller stops.  (iptables-xml
  // output never gets here: LoadRuleset reads it with ReadIptablesXml.)
  bool IsForeignSyntax();
  // The line shapes iptables-restore refuses though the words would do: a
  // "\r" before the newline, a line of only blanks, "COMMIT" with blanks or
  // without a final newline.  Reports them; true when the line is to be
  // skipped (a COMMIT is still taken, so one error is reported, not two).
  bool RefuseLineShape(const LineReader& reader, size_t first_nonblank);
  void OpenTable(TableId id);
  void HandleTableLine();
  void HandleChainLine();
  void SplitChainLine(size_t colon);
  void HandleCommit();
  bool CheckChainName(const Token& t);
  Chain* ChainArg(const Token& t);
  std::string RuleSpecsTableHint(std::string_view chain) const;

  // --- commands.cc: command lines -----------------------------------------
  void HandleCommand(size_t start);
  bool ReadLineCounters(CommandLine* cl, size_t* first);
  bool FindCommand(size_t first, CommandLine* cl);
  void TakeAttachedOperand(const CommandLine& cl);
  // The next word after the command (or its last operand) as an operand:
  // any word when `required`, else only one that is not an option.
  bool TakeOperand(CommandLine* cl, bool required);
  // Operands until there are `n`; else "'CMD' needs WHAT".
  bool NeedOperands(CommandLine* cl, size_t n, const char* what);
  // The first word the command did not consume, reported as unexpected.
  bool RejectLeftover(std::string_view after);
  void NewChain(CommandLine* cl);
  void SetPolicy(CommandLine* cl);
  void FlushZeroOrDeleteChains(CommandLine* cl);
  void DeleteChains(const std::vector<Chain*>& chains, const Token& where);
  bool CheckChainsDeletable(const std::vector<uint8_t>& doomed, const Token& where);
  void RenameChain(CommandLine* cl);
  void RuleCommand(CommandLine* cl);
  bool ReadRuleNumber(CommandLine* cl, long* position);
  void DeleteRuleByNumber(Chain* chain, long position);
  void AppendRules(const CommandLine& cl, int chain_idx);
  bool ParseRuleCombinations(int chain_idx, std::vector<Rule>* made);
  void FinishRule(const CommandLine& cl, Rule& r);
  void InsertRules(Chain* chain, long position, std::vector<Rule>& made);
  void ReplaceRule(const CommandLine& cl, Chain* chain, long position, std::vector<Rule>& made);
  void DeleteMatchingRules(Chain* chain, std::vector<Rule>& made);

  // --- rule_parser.cc: one rule's options ---------------------------------
  // Parses the rule options in tokens_ that the command did not consume
  // (skip_).  src/dst_pick select one address of comma-separated -s/-d
  // lists; *nsrc / *ndst say how many there are.
  bool ParseRule(int chain_idx, size_t src_pick, size_t dst_pick, Rule* rule, size_t* nsrc,
                 size_t* ndst);
  bool ParseRuleOptions(RuleInProgress& rp);
  bool ParseOption(RuleInProgress& rp, size_t* i);
  bool ResolveLongOption(RuleInProgress& rp, OptionWord& ow);
  // An ambiguous abbreviation is an error; an unknown name leaves *r empty.
  Status ResolveLong(std::string_view name, const std::vector<Extension*>& loaded, Resolved* r);
  Status ResolveAbbreviation(std::string_view name, const std::vector<Extension*>& loaded,
                             Resolved* r);
  bool LoadImplicitProtoMatch(RuleInProgress& rp, const OptionWord& ow);
  std::string UnknownOptionMessage(const OptionWord& ow);
  bool ParseBaseOption(RuleInProgress& rp, OptionWord& ow, size_t* i);
  bool ApplyAddress(RuleInProgress& rp, BaseId id, const Token& arg, bool invert);
  // "-d ! X", "--dport ! 22": the position of '!' iptables took before 1.4.3.
  bool FailOldInversion(const Token& opt, std::string_view display, size_t arg_index);
  bool ApplyInterface(RuleInProgress& rp, BaseId id, const Token& arg, bool invert, size_t at);
  bool ApplyProtocol(RuleInProgress& rp, const Token& arg, bool invert);
  bool LoadMatch(const Token& opt, const Token& arg);
  bool ApplyTarget(RuleInProgress& rp, BaseId id, const Token& opt, const Token& arg);
  std::string UnknownTargetMessage(std::string_view target);
  bool ApplyCounters(Rule* rule, const Token& arg, size_t* i);
  bool ParseExtensionOption(RuleInProgress& rp, const OptionWord& ow, size_t* i);
  bool CollectExtensionArgs(const OptionSpec& spec, const Extension& ext, const OptionWord& ow,
                            size_t* i);
  void ReportExtensionParseError(const Extension& ext, const Token& opt, const Status& st);

  // --- validation.cc ------------------------------------------------------
  // iptables' checks of -i / -o in builtin chains.
  bool CheckBuiltinInterfaces(const RuleInProgress& rp);
  // Each extension's Finish, then the kernel's table and protocol
  // restrictions (hooks need the whole table: see ValidateTable).
  bool FinishExtensions(const RuleInProgress& rp);
  void ExtensionError(const Extension& e, const std::string& msg);
  // At COMMIT: chain loops, then hooks and each extension's kernel check.
  void ValidateTable(Table& t);
  std::vector<uint32_t> MarkHooksAndFindLoops(const Table& t);
  void CheckRulesAgainstHooks(const Table& t, const std::vector<uint32_t>& hooks);
  void CheckChainRange(const Table& t, const std::vector<uint32_t>& hooks, size_t from,
                       size_t to);
  void CheckExtension(const Rule& r, const CheckContext& cc, const Extension& e);

  // --- parallel_load.cc ---------------------------------------------------
  // After a "*table" line: if the section is chain lines followed only by
  // "-A" lines (iptables-save's shape) and large, loads it with worker
  // threads and returns the reader positioned at its COMMIT line.
  bool TryParallelSection(LineReader* reader);
  void ParseChainLines(LineReader* reader, size_t chains_end, size_t chain_lines);
  void ParsePiecesInParallel(const std::vector<std::string_view>& pieces,
                             const std::vector<uint32_t>& first_lines, unsigned threads);
  void ParseRuleLines(std::string_view region, uint32_t first_line);

  // FindExtension with a few recent answers remembered: a ruleset uses the
  // same handful of extensions on line after line.
  const ExtensionInfo* CachedExtension(ExtKind kind, std::string_view name) {
    for (const ExtensionInfo* e : ext_cache_)
      if (e && e->kind == kind && SameName(e->name, name)) return e;
    const ExtensionInfo* e = FindExtension(kind, name, family_);
    if (e) ext_cache_[ext_cache_next_++ % ext_cache_.size()] = e;
    return e;
  }
  std::array<const ExtensionInfo*, 8> ext_cache_{};
  size_t ext_cache_next_ = 0;

  std::string_view text_;
  std::string file_;
  Family family_;
  std::string family_reason_;
  bool rule_specs_ = false;
  TableId rule_specs_table_ = TableId::kFilter;
  DiagnosticSink* sink_;
  unsigned threads_;

  std::string_view line_;
  uint32_t lineno_ = 0;
  std::vector<Token> tokens_;
  std::string scratch_;
  std::vector<uint8_t> skip_;       // per line: tokens consumed by the command
  std::vector<Token> ops_;          // per line: the command's operands
  std::vector<Extension*> loaded_;  // per rule: matches and target in load order
  std::vector<Arg> args_;           // per option
  std::vector<Match*> pending_;     // per rule: its matches until the rule is complete

  bool in_table_ = false;
  Table own_table_;
  Table* table_ = &own_table_;  // a worker parses against its parent's table
  Arena* arena_ = nullptr;  // the ruleset's; extensions live here
  // Set in a worker that parses part of a section's -A lines in parallel:
  // the rules go here instead of into the table, as runs of consecutive
  // rules of one chain (chain index, rules), in line order.
  std::vector<std::pair<int, std::vector<Rule>>>* collect_ = nullptr;
  int last_chain_ = -1;
  Ruleset* rs_ = nullptr;
};

}  // namespace iptsim::ruleset_loader
