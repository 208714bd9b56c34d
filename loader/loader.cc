#include "loader/loader.h"

#include <algorithm>
#include <cstring>
#include <array>
#include <atomic>
#include <thread>

#include "loader/lexer.h"
#include "loader/printer.h"
#include "engine/extension.h"
#include "matchers/registry.h"
#include "matchers/parse_util.h"

namespace iptsim {

namespace {

// Message building with string_view tokens (C++20 has no operator+ for them).
std::string operator+(std::string a, std::string_view b) {
  a.append(b);
  return a;
}
std::string operator+(const char* a, std::string_view b) { return std::string(a) + b; }

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

constexpr BaseOption kBaseOptions[] = {
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
const BaseOption* ShortOption(char c) {
  static const auto* table = [] {
    auto* t = new std::array<const BaseOption*, 128>{};
    for (const BaseOption& o : kBaseOptions)
      if (o.short_name) (*t)[static_cast<uint8_t>(o.short_name)] = &o;
    return t;
  }();
  uint8_t u = static_cast<uint8_t>(c);
  return u < 128 ? (*table)[u] : nullptr;
}

bool BaseTakesArg(BaseId id) {
  switch (id) {
    case kOptSource:
    case kOptDestination:
    case kOptInIface:
    case kOptOutIface:
    case kOptProtocol:
    case kOptJump:
    case kOptGoto:
    case kOptMatch:
    case kOptCounters:
    case kOptTable:
    case kOptAppend:
    case kOptInsert:
    case kOptNewChain:
    case kOptPolicy:
    case kOptDelete:
    case kOptReplace:
    case kOptRename:
      return true;
    default:
      return false;
  }
}

bool IsCommand(BaseId id) { return id <= kOptZero; }

bool BaseInvertible(BaseId id) {
  return id == kOptSource || id == kOptDestination || id == kOptInIface || id == kOptOutIface ||
         id == kOptProtocol || id == kOptFragment;
}

constexpr size_t kMaxChainNameLen = 28;  // XT_EXTENSION_MAXNAMELEN - 1
constexpr size_t kMaxIfaceLen = 15;      // IFNAMSIZ - 1

// Option and chain names: most candidates differ in length or first letter,
// which settles it without a memcmp call.
inline bool SameName(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || (a[0] == b[0] && memcmp(a.data(), b.data(), a.size()) == 0));
}

bool IsStandardTargetName(std::string_view n) {
  return n == "ACCEPT" || n == "DROP" || n == "QUEUE" || n == "RETURN";
}

bool ParseCounters(std::string_view s, uint64_t* p, uint64_t* b) {
  // "[pkts:bytes]"
  if (s.size() < 5 || s.front() != '[' || s.back() != ']') return false;
  s = s.substr(1, s.size() - 2);
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  return ParseUIntDec(s.substr(0, colon), 0, UINT64_MAX, p) &&
         ParseUIntDec(s.substr(colon + 1), 0, UINT64_MAX, b);
}

// One option occurrence found while scanning a rule line.
struct Resolved {
  bool base = false;
  BaseId base_id{};
  Extension* ext = nullptr;
  int ext_option = -1;
};

class Loader {
 public:
  Loader(std::string_view text, std::string file, Family family, DiagnosticSink* sink,
         unsigned threads = 0)
      : text_(text), file_(std::move(file)), family_(family), sink_(sink), threads_(threads) {}

  void Run(Ruleset* out);

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

  void HandleTableLine();
  // After a "*table" line: if the section is chain lines followed only by
  // "-A" lines (iptables-save's shape) and large, loads it with worker
  // threads and returns the reader positioned at its COMMIT line.
  bool TryParallelSection(LineReader* reader);
  void ParseRuleLines(std::string_view region, uint32_t first_line);
  void HandleChainLine();
  void HandleCommit();
  void HandleCommand(size_t start);
  bool CheckChainName(const Token& t);
  Chain* ChainArg(const Token& t);

  // Parses the rule options in tokens_[first..] (the command and its
  // operands are already consumed and marked in `skip`).  src/dst_pick
  // select one address of comma-separated -s/-d lists.
  bool ParseRuleInner(int chain_idx, const std::vector<uint8_t>& skip, size_t src_pick,
                      size_t dst_pick, Rule* rule, size_t* nsrc, size_t* ndst);
  bool ParseRule(int chain_idx, const std::vector<uint8_t>& skip, size_t src_pick,
                 size_t dst_pick, Rule* rule, size_t* nsrc, size_t* ndst);
  bool ResolveLong(std::string_view name, const std::vector<Extension*>& loaded, Resolved* r,
                   std::string* why);

  void ValidateTable(Table& t);
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

void Loader::Run(Ruleset* out) {
  rs_ = out;
  out->arenas.push_back(std::make_unique<Arena>());
  arena_ = out->arenas.back().get();
  out->family = family_;
  out->file = file_;
  LineReader reader(text_);
  std::string_view line;
  uint32_t n;
  while (reader.Next(&line, &n)) {
    line_ = line;
    lineno_ = n;
    size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i == line.size()) continue;  // blank
    if (line[0] == '#') continue;   // comment (only in column 1, as in iptables-restore)
    if (line[i] == '*') {
      HandleTableLine();
      if (in_table_ && table_->line) TryParallelSection(&reader);
    } else if (line[i] == ':') {
      HandleChainLine();
    } else if (line.substr(i) == "COMMIT" ||
               (line.substr(i, 6) == "COMMIT" && line.find_first_not_of(" \t", i + 6) ==
                                                     std::string_view::npos)) {
      HandleCommit();
    } else {
      HandleCommand(i);
    }
  }
  if (in_table_) {
    line_ = "";
    lineno_ = lineno_ ? lineno_ : 1;
    Diagnostic d;
    d.file = file_;
    d.line = table_->line;
    d.message = "table '" + std::string(TableName(table_->id)) +
                "' is not committed: COMMIT expected before the end of the input";
    sink_->Add(std::move(d));
  }
}

void Loader::HandleTableLine() {
  LexError err;
  if (!Tokenize(line_, 0, &tokens_, &scratch_, &err)) {
    Error(err.col, err.len, err.message);
    return;
  }
  const Token& t = tokens_[0];
  if (in_table_) {
    Error(t.col, t.len,
          "table '" + std::string(TableName(table_->id)) +
              "' is not committed: COMMIT expected before a new table");
    return;
  }
  std::string_view name = std::string_view(t.text).substr(1);
  TableId id;
  if (!ParseTableName(name, &id)) {
    std::string msg = "unknown table '" + std::string(name) + "'";
    std::string guess =
        ClosestName(name, {"raw", "mangle", "nat", "filter", "security"});
    if (!guess.empty()) msg += ", did you mean '" + guess + "'?";
    else msg += " (tables are raw, mangle, nat, filter and security)";
    Error(t.col, t.len, msg);
    // Skip the section, still tracking where it ends.
    in_table_ = true;
    *table_ = MakeTable(TableId::kFilter);
    table_->line = 0;  // marks "do not keep"
    return;
  }
  if (tokens_.size() > 1) {
    ErrorAt(tokens_[1], "unexpected '" + tokens_[1].text + "' after the table name");
  }
  in_table_ = true;
  *table_ = MakeTable(id);
  table_->line = lineno_;
  last_chain_ = -1;
}

bool Loader::CheckChainName(const Token& t) {
  if (t.text.empty()) {
    ErrorAt(t, "empty chain name");
    return false;
  }
  if (t.text.size() > kMaxChainNameLen) {
    ErrorAt(t, "chain name '" + t.text + "' is too long (" + std::to_string(t.text.size()) +
                   " characters; at most " + std::to_string(kMaxChainNameLen) + ")");
    return false;
  }
  if (IsStandardTargetName(t.text)) {
    ErrorAt(t, "chain name '" + t.text + "' is reserved for the standard target");
    return false;
  }
  return true;
}

void Loader::HandleChainLine() {
  if (!in_table_) {
    Error(1, 1, "chain line outside a table: a '*table' line must come first");
    return;
  }
  // ":NAME POLICY [p:b]": iptables-restore splits it with strtok, so
  // quotes mean nothing here.
  size_t colon = line_.find(':');
  tokens_.clear();
  for (size_t i = colon + 1; i < line_.size();) {
    if (line_[i] == ' ' || line_[i] == '\t') {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < line_.size() && line_[j] != ' ' && line_[j] != '\t') ++j;
    Token t;
    t.text = line_.substr(i, j - i);
    t.col = static_cast<uint32_t>(i + 1);
    t.len = static_cast<uint32_t>(j - i);
    tokens_.push_back(t);
    i = j;
  }
  if (tokens_.empty()) {
    Error(static_cast<uint32_t>(colon + 1), 1, "chain line without a chain name");
    return;
  }
  const Token& name = tokens_[0];
  if (tokens_.size() < 2) {
    ErrorAt(name, "chain line for '" + name.text + "' has no policy (use '-' for a user chain)");
    return;
  }
  const Token& pol = tokens_[1];
  uint64_t p = 0, b = 0;
  if (tokens_.size() >= 3 && !ParseCounters(tokens_[2].text, &p, &b)) {
    ErrorAt(tokens_[2], "invalid counters '" + tokens_[2].text + "' (expected [packets:bytes])");
    return;
  }
  if (tokens_.size() > 3) {
    ErrorAt(tokens_[3], "unexpected '" + tokens_[3].text + "' after the chain counters");
    return;
  }
  const uint64_t name_hash = Table::HashChainName(name.text);
  const int existing_idx = table_->FindChainIndex(name.text, name_hash);
  Chain* existing = existing_idx >= 0 ? &table_->chains[existing_idx] : nullptr;
  if (existing && existing->builtin) {
    Chain* c = existing;
    if (pol.text == "-") return;  // keeps the current policy
    if (pol.text != "ACCEPT" && pol.text != "DROP") {
      ErrorAt(pol, "invalid policy '" + pol.text + "' for builtin chain " + name.text +
                       " (must be ACCEPT or DROP)");
      return;
    }
    c->policy = pol.text == "ACCEPT" ? Policy::kAccept : Policy::kDrop;
    c->packets = p;
    c->bytes = b;
    c->line = lineno_;
    return;
  }
  if (!CheckChainName(name)) return;
  if (pol.text != "-") {
    ErrorAt(pol, "cannot set policy '" + pol.text + "' on user-defined chain '" + name.text +
                     "' (only builtin chains have a policy; use '-')");
    return;
  }
  if (existing) {
    ErrorAt(name, "chain '" + name.text + "' already exists");
    return;
  }
  Chain c;
  c.name = name.text;
  c.line = lineno_;
  table_->AddChain(std::move(c), name_hash);
}

void Loader::HandleCommit() {
  if (!in_table_) {
    Error(1, 6, "COMMIT without a table");
    return;
  }
  in_table_ = false;
  if (table_->line == 0) return;  // an unknown table: already reported
  ValidateTable(*table_);
  for (Table& t : rs_->tables) {
    if (t.id == table_->id) {  // a second section replaces the first, as iptables-restore does
      t = std::move(*table_);
      return;
    }
  }
  rs_->tables.push_back(std::move(*table_));
}

Chain* Loader::ChainArg(const Token& t) {
  // Consecutive rules mostly go to the same chain: remember the last one.
  // iptables-save prints rules grouped by chain, so the next chain is the
  // likely second guess.
  for (int guess : {last_chain_, last_chain_ + 1}) {
    if (guess >= 0 && static_cast<size_t>(guess) < table_->chains.size() &&
        table_->chains[guess].name == t.text) {
      last_chain_ = guess;
      return &table_->chains[guess];
    }
  }
  last_chain_ = table_->FindChainIndex(t.text);
  Chain* c = last_chain_ >= 0 ? &table_->chains[last_chain_] : nullptr;
  if (!c) {
    std::vector<std::string_view> names;
    for (const Chain& ch : table_->chains) names.push_back(ch.name);
    std::string msg = "chain '" + t.text + "' does not exist in table '" +
                      std::string(TableName(table_->id)) + "'";
    std::string guess = ClosestName(t.text, names);
    if (!guess.empty()) msg += ", did you mean '" + guess + "'?";
    ErrorAt(t, msg);
  }
  return c;
}

void Loader::HandleCommand(size_t start) {
  LexError err;
  if (!Tokenize(line_, start, &tokens_, &scratch_, &err)) {
    Error(err.col, err.len, err.message);
    return;
  }
  if (!in_table_) {
    ErrorAt(tokens_[0], "rule outside a table: a '*table' line must come first");
    return;
  }
  if (table_->line == 0) return;  // inside an unknown table
  // Optional "[pkts:bytes]" prefix.
  size_t first = 0;
  uint64_t pk = 0, by = 0;
  bool has_counters = false;
  if (!tokens_.empty() && !tokens_[0].text.empty() && tokens_[0].text[0] == '[') {
    if (!ParseCounters(tokens_[0].text, &pk, &by)) {
      ErrorAt(tokens_[0], "invalid counters '" + tokens_[0].text + "' (expected [packets:bytes])");
      return;
    }
    has_counters = true;
    first = 1;
  }
  // Find the command (it may stand anywhere on the line, as with getopt).
  std::vector<uint8_t>& skip = skip_;
  skip.assign(tokens_.size(), 0);
  for (size_t i = 0; i < first; ++i) skip[i] = true;
  int cmd = -1;
  size_t cmd_tok = 0;
  // The command normally comes first (iptables-save always writes it so);
  // a later command-looking word is then an option argument or a second
  // command, which ParseRule reports.  Otherwise look for it anywhere, as
  // getopt would.
  size_t scan_end = tokens_.size();
  if (first < tokens_.size()) {
    std::string_view s0 = tokens_[first].text;
    if (s0.size() >= 2 && s0[0] == '-' &&
        std::string_view("AINPFXDREZ").find(s0[1]) != std::string_view::npos)
      scan_end = first + 1;  // the short command letters
  }
  for (size_t i = first; i < scan_end; ++i) {
    std::string_view s = tokens_[i].text;
    if (s.size() < 2 || s[0] != '-') continue;
    BaseId id{};
    bool found = false;
    if (s[1] == '-') {
      std::string_view name = s.substr(2, s.find('=') == std::string_view::npos
                                               ? std::string_view::npos
                                               : s.find('=') - 2);
      for (const BaseOption& o : kBaseOptions)
        if (o.long_name == name && IsCommand(o.id)) {
          id = o.id;
          found = true;
        }
    } else {
      if (const BaseOption* o = ShortOption(s[1]); o && IsCommand(o->id)) {
        id = o->id;
        found = true;
      }
    }
    if (!found) continue;
    if (cmd >= 0) {
      ErrorAt(tokens_[i], "more than one command on a line ('" + tokens_[cmd_tok].text +
                              "' and '" + s + "')");
      return;
    }
    cmd = id;
    cmd_tok = i;
  }
  if (cmd < 0) {
    ErrorAt(tokens_[first < tokens_.size() ? first : 0],
            "no command: a rule line must contain -A, -I, -N, -P, -D, -R, -E, -F, -X or -Z");
    return;
  }
  // Operands of the command.
  skip[cmd_tok] = true;
  std::string_view attached;
  {
    std::string_view s = tokens_[cmd_tok].text;
    if (s[1] == '-') {
      size_t eq = s.find('=');
      if (eq != std::string::npos) attached = std::string_view(s).substr(eq + 1);
    } else if (s.size() > 2) {
      attached = std::string_view(s).substr(2);
    }
  }
  std::vector<Token>& ops = ops_;
  ops.clear();
  if (!attached.empty()) {
    Token t = tokens_[cmd_tok];
    t.text = attached;
    ops.push_back(t);
  }
  auto take_operand = [&](bool required) -> bool {
    size_t next = cmd_tok + 1;
    while (next < tokens_.size() && skip[next]) ++next;
    if (next < tokens_.size() && (required || (!tokens_[next].text.empty() &&
                                               tokens_[next].text[0] != '-' &&
                                               tokens_[next].text[0] != '!'))) {
      ops.push_back(tokens_[next]);
      skip[next] = true;
      cmd_tok = next;
      return true;
    }
    return false;
  };
  const Token& cmd_token = tokens_[cmd_tok];
  auto need = [&](size_t n, const char* what) -> bool {
    while (ops.size() < n)
      if (!take_operand(true)) {
        ErrorAt(cmd_token, std::string("'") + cmd_token.text + "' needs " + what);
        return false;
      }
    return true;
  };

  switch (cmd) {
    case kOptNewChain: {
      if (!need(1, "a chain name")) return;
      for (size_t i = 0; i < tokens_.size(); ++i)
        if (!skip[i]) {
          ErrorAt(tokens_[i], "unexpected '" + tokens_[i].text + "' after -N CHAIN");
          return;
        }
      const Token& name = ops[0];
      if (!CheckChainName(name)) return;
      if (name.text[0] == '-' || name.text[0] == '!') {
        ErrorAt(name, "chain name '" + name.text + "' may not start with '-' or '!'");
        return;
      }
      if (FindExtension(ExtKind::kTarget, name.text, family_)) {
        ErrorAt(name, "chain name '" + name.text + "' clashes with the target of that name");
        return;
      }
      if (table_->FindChain(name.text)) {
        ErrorAt(name, "chain '" + name.text + "' already exists");
        return;
      }
      Chain c;
      c.name = name.text;
      c.line = lineno_;
      table_->AddChain(std::move(c));
      return;
    }
    case kOptPolicy: {
      if (!need(2, "a chain and a policy")) return;
      Chain* c = ChainArg(ops[0]);
      if (!c) return;
      if (!c->builtin) {
        ErrorAt(ops[0], "cannot set a policy on user-defined chain '" + c->name + "'");
        return;
      }
      if (ops[1].text != "ACCEPT" && ops[1].text != "DROP") {
        ErrorAt(ops[1], "invalid policy '" + ops[1].text + "' (must be ACCEPT or DROP)");
        return;
      }
      c->policy = ops[1].text == "ACCEPT" ? Policy::kAccept : Policy::kDrop;
      return;
    }
    case kOptFlush:
    case kOptZero:
    case kOptDeleteChain: {
      take_operand(false);
      if (cmd == kOptZero) take_operand(false);
      for (size_t i = 0; i < tokens_.size(); ++i)
        if (!skip[i]) {
          ErrorAt(tokens_[i], "unexpected '" + tokens_[i].text + "'");
          return;
        }
      std::vector<Chain*> chains;
      if (!ops.empty()) {
        Chain* c = ChainArg(ops[0]);
        if (!c) return;
        chains.push_back(c);
      } else {
        for (Chain& c : table_->chains)
          if (cmd != kOptDeleteChain || !c.builtin) chains.push_back(&c);
      }
      if (cmd == kOptFlush) {
        for (Chain* c : chains) c->rules.clear();
      } else if (cmd == kOptZero) {
        for (Chain* c : chains) {
          c->packets = c->bytes = 0;
          for (Rule& r : c->rules) r.packets = r.bytes = 0;
        }
      } else {
        for (Chain* c : chains) {
          if (c->builtin) {
            ErrorAt(ops[0], "cannot delete builtin chain '" + c->name + "'");
            return;
          }
        }
        // A chain still referenced cannot go (EBUSY), nor one with rules (ENOTEMPTY).
        std::vector<uint8_t> doomed(table_->chains.size(), 0);
        for (Chain* c : chains) doomed[c - table_->chains.data()] = 1;
        for (size_t di = 0; di < doomed.size(); ++di) {
          if (!doomed[di]) continue;
          const Chain& c = table_->chains[di];
          if (!c.rules.empty()) {
            ErrorAt(ops.empty() ? cmd_token : ops[0],
                    "cannot delete chain '" + c.name + "': it is not empty");
            return;
          }
          for (size_t oi = 0; oi < table_->chains.size(); ++oi)
            for (const Rule& r : table_->chains[oi].rules)
              if ((r.target_kind == TargetKind::kJump || r.target_kind == TargetKind::kGoto) &&
                  static_cast<size_t>(r.jump_index) == di && !doomed[oi]) {
                ErrorAt(ops.empty() ? cmd_token : ops[0],
                        "cannot delete chain '" + c.name + "': a rule of " +
                            table_->chains[oi].name + " (line " + std::to_string(r.line) +
                            ") still refers to it");
                return;
              }
        }
        std::vector<int32_t> remap(table_->chains.size(), -1);
        std::vector<Chain> kept;
        for (size_t i = 0; i < table_->chains.size(); ++i) {
          if (doomed[i]) continue;
          remap[i] = static_cast<int32_t>(kept.size());
          kept.push_back(std::move(table_->chains[i]));
        }
        table_->chains = std::move(kept);
        table_->ReindexChains();
        for (Chain& c : table_->chains)
          for (Rule& r : c.rules)
            if (r.jump_index >= 0) r.jump_index = remap[r.jump_index];
      }
      return;
    }
    case kOptRename: {
      if (!need(2, "the old and the new chain name")) return;
      Chain* c = ChainArg(ops[0]);
      if (!c) return;
      if (c->builtin) {
        ErrorAt(ops[0], "cannot rename builtin chain '" + c->name + "'");
        return;
      }
      if (!CheckChainName(ops[1])) return;
      if (table_->FindChain(ops[1].text)) {
        ErrorAt(ops[1], "chain '" + ops[1].text + "' already exists");
        return;
      }
      std::string old = c->name;
      c->name = ops[1].text;
      table_->ReindexChains();
      return;
    }
    default:
      break;
  }

  // -A, -I, -D, -R: a rule specification follows.
  if (!need(1, "a chain name")) return;
  long position = -1;  // 1-based rule number for -I/-D/-R
  if (cmd == kOptInsert || cmd == kOptDelete || cmd == kOptReplace) {
    size_t before = ops.size();
    bool got = cmd == kOptReplace ? need(2, "a chain name and a rule number")
                                  : take_operand(false);
    if (cmd == kOptReplace && !got) return;
    if (ops.size() > before) {
      uint64_t v;
      if (!ParseUIntDec(ops.back().text, 1, INT32_MAX, &v)) {
        if (cmd == kOptDelete) {
          // Not a number: part of a rule specification; hand it back.
          skip[cmd_tok] = false;
          ops.pop_back();
        } else {
          ErrorAt(ops.back(), "invalid rule number '" + ops.back().text + "'");
          return;
        }
      } else {
        position = static_cast<long>(v);
      }
    }
  }
  Chain* chain = ChainArg(ops[0]);
  if (!chain) return;
  const int chain_idx = static_cast<int>(chain - table_->chains.data());
  const std::string& chain_name = chain->name;

  if (cmd == kOptDelete && position > 0) {
    for (size_t i = 0; i < tokens_.size(); ++i)
      if (!skip[i]) {
        ErrorAt(tokens_[i], "unexpected '" + tokens_[i].text + "' after -D CHAIN NUMBER");
        return;
      }
    if (static_cast<size_t>(position) > chain->rules.size()) {
      ErrorAt(ops[1], "rule number " + std::to_string(position) + " does not exist in chain '" +
                          chain_name + "' (it has " + std::to_string(chain->rules.size()) +
                          " rules)");
      return;
    }
    chain->rules.erase(chain->rules.begin() + (position - 1));
    return;
  }

  auto finish_rule = [&](Rule& r) {
    r.line = lineno_;
    r.text = line_;  // a view into rs_->source
    r.packets = pk;
    r.bytes = by;
    r.has_counters = has_counters || r.has_counters;
  };
  if (cmd == kOptAppend) {
    // The common case, built in place at the end of its chain (or of the
    // worker's run for that chain).
    std::vector<Rule>* dst = &chain->rules;
    if (collect_) {
      if (collect_->empty() || collect_->back().first != chain_idx)
        collect_->emplace_back(chain_idx, std::vector<Rule>());
      dst = &collect_->back().second;
    }
    size_t nsrc = 1, ndst = 1;
    const size_t before = dst->size();
    for (size_t s = 0; s < nsrc; ++s)
      for (size_t d = 0; d < ndst; ++d) {
        size_t a, b;
        dst->emplace_back();
        if (!ParseRule(chain_idx, skip, s, d, &dst->back(), s == 0 && d == 0 ? &nsrc : &a,
                       s == 0 && d == 0 ? &ndst : &b)) {
          // All or nothing, as iptables parses every address before adding.
          dst->resize(before);
          return;
        }
        finish_rule(dst->back());
      }
    return;
  }
  std::vector<Rule> made;
  Rule rule;
  size_t nsrc = 1, ndst = 1;
  if (!ParseRule(chain_idx, skip, 0, 0, &rule, &nsrc, &ndst)) return;
  made.push_back(std::move(rule));
  // "-s a,b -d c,d" makes one rule per combination, sources outermost.
  for (size_t s = 0; s < nsrc; ++s)
    for (size_t d = 0; d < ndst; ++d) {
      if (s == 0 && d == 0) continue;
      Rule r;
      size_t a, b;
      if (!ParseRule(chain_idx, skip, s, d, &r, &a, &b)) return;
      made.push_back(std::move(r));
    }
  chain = &table_->chains[chain_idx];
  for (Rule& r : made) finish_rule(r);

  switch (cmd) {
    case kOptInsert: {
      size_t pos = position > 0 ? static_cast<size_t>(position) : 1;
      if (pos > chain->rules.size() + 1) {
        ErrorAt(ops[1], "index of insertion too big: chain '" + chain_name + "' has " +
                            std::to_string(chain->rules.size()) + " rules");
        return;
      }
      chain->rules.insert(chain->rules.begin() + (pos - 1), std::make_move_iterator(made.begin()),
                          std::make_move_iterator(made.end()));
      break;
    }
    case kOptReplace: {
      if (made.size() != 1) {
        ErrorAt(tokens_[cmd_tok], "-R needs a rule with a single source and destination");
        return;
      }
      if (static_cast<size_t>(position) > chain->rules.size()) {
        ErrorAt(ops[1], "rule number " + std::to_string(position) + " does not exist in chain '" +
                            chain_name + "'");
        return;
      }
      chain->rules[position - 1] = std::move(made[0]);
      break;
    }
    case kOptDelete: {
      for (Rule& want : made) {
        std::string a;
        SaveRule(*table_, want, chain_name, family_, a);
        bool found = false;
        for (size_t i = 0; i < chain->rules.size(); ++i) {
          std::string b;
          SaveRule(*table_, chain->rules[i], chain_name, family_, b);
          if (a == b) {
            chain->rules.erase(chain->rules.begin() + i);
            found = true;
            break;
          }
        }
        if (!found) {
          ErrorAt(ops[0], "no rule in chain '" + chain_name + "' matches this -D specification");
          return;
        }
      }
      break;
    }
    default:
      break;
  }
}

bool Loader::ResolveLong(std::string_view name, const std::vector<Extension*>& loaded,
                         Resolved* r, std::string* why) {
  // getopt_long over iptables' merged option table: the base options, then
  // the most recently loaded extension's options first (xtables_merge_options
  // puts new options before old ones).  Exact names win; otherwise a unique
  // prefix is accepted.
  // The base options, grouped by name length once.
  static const auto* by_len = [] {
    auto* v = new std::vector<std::vector<const BaseOption*>>(32);
    for (const BaseOption& o : kBaseOptions) (*v)[o.long_name.size()].push_back(&o);
    return v;
  }();
  if (name.size() < by_len->size())
    for (const BaseOption* o : (*by_len)[name.size()])
      if (SameName(o->long_name, name)) {
        r->base = true;
        r->base_id = o->id;
        return true;
      }
  for (auto it = loaded.rbegin(); it != loaded.rend(); ++it) {
    auto opts = (*it)->info().options;
    for (size_t k = 0; k < opts.size(); ++k)
      if (SameName(opts[k].name, name)) {
        r->ext = *it;
        r->ext_option = static_cast<int>(k);
        return true;
      }
  }
  // Abbreviations.
  std::vector<Resolved> cands;
  std::vector<std::string_view> cand_names;
  for (const BaseOption& o : kBaseOptions)
    if (o.long_name.substr(0, name.size()) == name && !name.empty()) {
      Resolved c;
      c.base = true;
      c.base_id = o.id;
      bool dup = false;
      for (const Resolved& x : cands)
        if (x.base && x.base_id == o.id) dup = true;
      if (!dup) {
        cands.push_back(c);
        cand_names.push_back(o.long_name);
      }
    }
  for (auto it = loaded.rbegin(); it != loaded.rend(); ++it) {
    auto opts = (*it)->info().options;
    for (size_t k = 0; k < opts.size(); ++k)
      if (!name.empty() && opts[k].name.substr(0, name.size()) == name) {
        Resolved c;
        c.ext = *it;
        c.ext_option = static_cast<int>(k);
        cands.push_back(c);
        cand_names.push_back(opts[k].name);
      }
  }
  if (cands.size() == 1) {
    *r = cands[0];
    return true;
  }
  if (cands.size() > 1) {
    *why = "option '--" + std::string(name) + "' is ambiguous (could be";
    for (size_t i = 0; i < cand_names.size(); ++i)
      *why += (i ? ", --" : " --") + std::string(cand_names[i]);
    *why += ")";
    return false;
  }
  why->clear();
  return false;
}

bool Loader::ParseRule(int chain_idx, const std::vector<uint8_t>& skip, size_t src_pick,
                       size_t dst_pick, Rule* rule, size_t* nsrc, size_t* ndst) {
  pending_.clear();
  bool ok = ParseRuleInner(chain_idx, skip, src_pick, dst_pick, rule, nsrc, ndst);
  // The rule owns its matches on every path, so a failed rule destroys them.
  rule->matches.Assign(pending_, *arena_);
  return ok;
}

bool Loader::ParseRuleInner(int chain_idx, const std::vector<uint8_t>& skip, size_t src_pick,
                       size_t dst_pick, Rule* rule, size_t* nsrc, size_t* ndst) {
  std::vector<Extension*>& loaded = loaded_;
  loaded.clear();
  bool proto_implicit_loaded = false;
  char proto_lower[64];               // -p's argument in lower case
  std::string_view proto_match_name;  // see kOptProtocol
  bool have_target = false;
  int inv_token = -1;
  bool seen[32] = {};
  const std::string& chain = table_->chains[chain_idx].name;
  const bool is_builtin = table_->chains[chain_idx].builtin;
  ParseContext ctx;
  ctx.family = family_;
  ctx.table = table_->id;
  ctx.chain = chain;
  ctx.ip = &rule->ip;
  ctx.arena = arena_;
  *nsrc = *ndst = 1;
  bool ok = true;

  auto fail = [&](const Token& t, std::string msg) {
    ErrorAt(t, std::move(msg));
    ok = false;
  };

  const size_t n = tokens_.size();
  size_t in_iface_tok = 0, out_iface_tok = 0;  // the -i / -o that set them
  for (size_t i = 0; i < n && ok; ++i) {
    if (skip[i]) continue;
    const Token& tok = tokens_[i];
    const size_t i_opt = i;
    std::string_view s = tok.text;
    if (s == "!") {
      if (inv_token >= 0) {
        fail(tok, "multiple consecutive '!' are not allowed");
        break;
      }
      inv_token = static_cast<int>(i);
      continue;
    }
    bool invert = inv_token >= 0;
    auto consume_invert = [&]() { inv_token = -1; };
    if (s.size() < 2 || s[0] != '-' || s == "--") {
      fail(tok, "unexpected argument '" + s + "'");
      break;
    }
    Resolved res;
    std::string_view inline_arg;
    bool has_inline = false;
    // The option as the user wrote it, for messages only (built on demand:
    // this loop runs for every option of every rule).
    std::string_view opt_name;  // without dashes, or the one letter
    bool opt_long = false;
    auto opt_display = [&] { return (opt_long ? "--" : "-") + std::string(opt_name); };
    if (s[1] == '-') {
      std::string_view name = std::string_view(s).substr(2);
      if (size_t eq = name.find('='); eq != std::string_view::npos) {
        inline_arg = name.substr(eq + 1);
        has_inline = true;
        name = name.substr(0, eq);
      }
      opt_name = name;
      opt_long = true;
      std::string why;
      if (!ResolveLong(name, loaded, &res, &why)) {
        if (!why.empty()) {
          fail(tok, why);
          break;
        }
        // Unknown option: iptables then loads the match named after -p
        // (an implicit "-m tcp") and tries again.
        std::string_view pm = proto_match_name;
        const ExtensionInfo* pinfo =
            (!proto_implicit_loaded && rule->ip.proto_given && !rule->ip.inv_proto && !pm.empty())
                ? FindExtension(ExtKind::kMatch, pm, family_)
                : nullptr;
        if (pinfo) {
          // Aliases (icmpv6 -> icmp6) create the canonical extension.
          std::unique_ptr<Match, ArenaDelete> m(static_cast<Match*>(pinfo->create(pinfo, *arena_)));
          bool has = false;
          for (const OptionSpec& o : m->info().options)
            if (o.name == name || (!name.empty() && o.name.substr(0, name.size()) == name))
              has = true;
          if (has) {
            proto_implicit_loaded = true;
            m->set_col(tok.col);
            loaded.push_back(m.get());
            pending_.push_back(m.release());
            if (!ResolveLong(name, loaded, &res, &why)) {
              fail(tok, why.empty() ? "unknown option '" + opt_display() + "'" : why);
              break;
            }
          }
        }
        if (!res.base && !res.ext) {
          // Say where the option would have come from.
          std::string msg = "unknown option '" + opt_display() + "'";
          std::vector<std::string_view> owners;
          for (const ExtensionInfo* e : AllExtensions()) {
            if (!(e->families & FamilyBit(family_))) continue;
            for (const OptionSpec& o : e->options)
              if (o.name == name) {
                owners.push_back(e->name);
                break;
              }
          }
          if (!owners.empty()) {
            msg += ": it belongs to ";
            for (size_t k = 0; k < owners.size() && k < 4; ++k) {
              if (k) msg += k + 1 == owners.size() ? " or " : ", ";
              msg += (FindExtension(ExtKind::kMatch, owners[k], family_) ? "-m " : "-j ");
              msg += owners[k];
            }
            if (owners.size() > 4) msg += ", ...";
            msg += ", which must be loaded (with -m, -j or -p) before the option";
          } else {
            std::vector<std::string_view> names;
            for (const BaseOption& o : kBaseOptions) names.push_back(o.long_name);
            for (Extension* e : loaded)
              for (const OptionSpec& o : e->info().options) names.push_back(o.name);
            std::string guess = ClosestName(name, names);
            if (!guess.empty()) msg += ", did you mean '--" + guess + "'?";
          }
          fail(tok, msg);
          break;
        }
      }
    } else {
      const BaseOption* o = ShortOption(s[1]);
      bool found = o != nullptr;
      if (o) {
        res.base = true;
        res.base_id = o->id;
      }
      opt_name = s.substr(1, 1);
      if (!found) {
        fail(tok, "unknown option '" + opt_display() + "'");
        break;
      }
      if (s.size() > 2) {
        inline_arg = std::string_view(s).substr(2);
        has_inline = true;
      }
    }

    if (res.base) {
      BaseId id = res.base_id;
      if (IsCommand(id)) {
        fail(tok, "more than one command on a line ('" + opt_display() + "' after the first)");
        break;
      }
      if (invert && !BaseInvertible(id)) {
        fail(tokens_[inv_token], "'" + opt_display() + "' cannot be inverted with '!'");
        break;
      }
      consume_invert();
      // Argument.
      Token argtok;
      if (BaseTakesArg(id)) {
        if (has_inline) {
          argtok.text = inline_arg;
          argtok.col = tok.col + static_cast<uint32_t>(s.size() - inline_arg.size());
          argtok.len = static_cast<uint32_t>(inline_arg.size());
        } else {
          size_t j = i + 1;
          while (j < n && skip[j]) ++j;
          if (j >= n) {
            fail(tok, "option '" + opt_display() + "' requires an argument");
            break;
          }
          argtok = tokens_[j];
          i = j;
        }
      } else if (has_inline && s[1] != '-') {
        fail(tok, "unexpected text after '" + opt_display() + "'");
        break;
      }
      static_assert(kOptTable < 32, "seen[] is indexed by BaseId");
      {
        if (seen[id] && id != kOptMatch) {
          fail(tok, "option '" + opt_display() + "' may be given only once");
          break;
        }
        seen[id] = true;
      }
      switch (id) {
        case kOptSource:
        case kOptDestination: {
          // Comma-separated lists make one rule per address.
          std::vector<std::string_view> parts;
          std::string_view all = argtok.text;
          size_t pos = 0;
          while (true) {
            size_t comma = all.find(',', pos);
            parts.push_back(all.substr(pos, comma == std::string_view::npos ? all.npos
                                                                             : comma - pos));
            if (comma == std::string_view::npos) break;
            pos = comma + 1;
          }
          size_t pick = id == kOptSource ? src_pick : dst_pick;
          (id == kOptSource ? *nsrc : *ndst) = parts.size();
          IpPrefix p;
          std::string why;
          if (!ParseIpPrefix(family_, parts[pick], &p, &why)) {
            fail(argtok, why);
            break;
          }
          if (id == kOptSource) {
            rule->ip.src = p;
            rule->ip.inv_src = invert;
          } else {
            rule->ip.dst = p;
            rule->ip.inv_dst = invert;
          }
          break;
        }
        case kOptInIface:
        case kOptOutIface: {
          std::string_view v = argtok.text;
          if (v.size() > kMaxIfaceLen) {
            fail(argtok, "interface name '" + v + "' is too long (" + std::to_string(v.size()) +
                             " characters; at most " + std::to_string(kMaxIfaceLen) + ")");
            break;
          }
          if (v.empty()) {
            fail(argtok, "empty interface name");
            break;
          }
          if (id == kOptInIface) {
            rule->ip.in_iface = IfaceName(v);
            in_iface_tok = i_opt;
            rule->ip.inv_in = invert;
          } else {
            rule->ip.out_iface = IfaceName(v);
            out_iface_tok = i_opt;
            rule->ip.inv_out = invert;
          }
          break;
        }
        case kOptProtocol: {
          if (argtok.text.size() >= sizeof proto_lower) {
            fail(argtok, "unknown protocol '" + argtok.text + "'");
            break;
          }
          for (size_t k = 0; k < argtok.text.size(); ++k)
            proto_lower[k] = static_cast<char>(tolower(static_cast<unsigned char>(argtok.text[k])));
          std::string_view lower(proto_lower, argtok.text.size());
          uint8_t p;
          if (!ParseProtocol(lower, &p)) {
            fail(argtok, "unknown protocol '" + argtok.text + "'");
            break;
          }
          if (p == 0 && invert) {
            fail(argtok, "rule would never match: '! -p " + argtok.text + "' excludes every protocol");
            break;
          }
          rule->ip.proto = p;
          rule->ip.proto_given = true;
          // iptables loads the implicit match by the name -p was given
          // with; a number stands for libxtables' first name for it.
          {
            uint64_t num;
            proto_match_name = ParseUInt(lower, 0, 255, &num) ? ProtoMatchName(p) : lower;
          }
          rule->ip.inv_proto = invert;
          break;
        }
        case kOptFragment:
          if (family_ == Family::kIPv6) {
            fail(tok, "'-f' does not exist for IPv6 (use -m frag)");
            break;
          }
          rule->ip.fragment = true;
          rule->ip.inv_frag = invert;
          break;
        case kOptMatch: {
          const ExtensionInfo* info = CachedExtension(ExtKind::kMatch, argtok.text);
          if (!info) {
            std::string msg = "unknown match '" + argtok.text + "'";
            std::vector<std::string_view> names;
            bool other_family = false;
            for (const ExtensionInfo* e : AllExtensions()) {
              if (e->kind != ExtKind::kMatch) continue;
              if (e->families & FamilyBit(family_))
                names.push_back(e->name);
              else if (e->name == argtok.text)
                other_family = true;
            }
            if (other_family)
              msg += std::string(" for ") + (family_ == Family::kIPv4 ? "IPv4" : "IPv6") +
                     " (it exists only for the other family)";
            else if (std::string g = ClosestName(argtok.text, names); !g.empty())
              msg += ", did you mean '" + g + "'?";
            fail(argtok, msg);
            break;
          }
          std::unique_ptr<Match, ArenaDelete> m(static_cast<Match*>(info->create(info, *arena_)));
          m->set_col(tok.col);
          loaded.push_back(m.get());
          pending_.push_back(m.release());
          break;
        }
        case kOptJump:
        case kOptGoto: {
          if (have_target) {
            fail(tok, "only one -j or -g per rule");
            break;
          }
          have_target = true;
          rule->target_col = tok.col;
          std::string_view t = argtok.text;
          const bool standard = IsStandardTargetName(t);
          int ci = standard ? -1 : table_->FindChainIndex(t);
          if (id == kOptGoto) {
            if (ci < 0 || table_->chains[ci].builtin) {
              fail(argtok, "goto '" + t + "' is not a user-defined chain");
              break;
            }
            rule->target_kind = TargetKind::kGoto;
            rule->jump_index = ci;
            break;
          }
          if (t == "ACCEPT") rule->target_kind = TargetKind::kAccept;
          else if (t == "DROP") rule->target_kind = TargetKind::kDrop;
          else if (t == "QUEUE") rule->target_kind = TargetKind::kQueue;
          else if (t == "RETURN") rule->target_kind = TargetKind::kReturn;
          else if (ci >= 0) {
            if (table_->chains[ci].builtin) {
              fail(argtok, "cannot jump to builtin chain '" + t + "'");
              break;
            }
            rule->target_kind = TargetKind::kJump;
            rule->jump_index = ci;
          } else {
            const ExtensionInfo* info = CachedExtension(ExtKind::kTarget, t);
            if (!info) {
              std::string msg = "unknown target '" + t + "'";
              std::vector<std::string_view> names = {"ACCEPT", "DROP", "QUEUE", "RETURN"};
              for (const Chain& c : table_->chains)
                if (!c.builtin) names.push_back(c.name);
              for (const ExtensionInfo* e : AllExtensions())
                if (e->kind == ExtKind::kTarget && (e->families & FamilyBit(family_)))
                  names.push_back(e->name);
              std::string g = ClosestName(t, names);
              if (!g.empty())
                msg += ", did you mean '" + g + "'?";
              else
                msg += " (neither a chain of table '" + std::string(TableName(table_->id)) +
                       "' nor a target extension)";
              fail(argtok, msg);
              break;
            }
            rule->target_kind = TargetKind::kExtension;
            Extension* tg = info->create(info, *arena_);
            tg->set_col(tok.col);
            loaded.push_back(tg);
            rule->target.reset(static_cast<Target*>(tg));
          }
          break;
        }
        case kOptCounters: {
          // "-c PKTS,BYTES" (or the old "-c PKTS BYTES").
          std::string_view v = argtok.text;
          uint64_t p, b;
          size_t comma = v.find(',');
          if (comma != std::string_view::npos) {
            if (!ParseUIntDec(v.substr(0, comma), 0, UINT64_MAX, &p) ||
                !ParseUIntDec(v.substr(comma + 1), 0, UINT64_MAX, &b)) {
              fail(argtok, "invalid counters '" + argtok.text + "' (expected PACKETS,BYTES)");
              break;
            }
          } else {
            size_t j = i + 1;
            while (j < n && skip[j]) ++j;
            if (!ParseUIntDec(v, 0, UINT64_MAX, &p) || j >= n ||
                !ParseUIntDec(tokens_[j].text, 0, UINT64_MAX, &b)) {
              fail(argtok, "invalid counters '" + argtok.text + "' (expected PACKETS,BYTES)");
              break;
            }
            i = j;
          }
          rule->packets = p;
          rule->bytes = b;
          rule->has_counters = true;
          break;
        }
        case kOptIPv4:
        case kOptIPv6:
          if ((id == kOptIPv4) != (family_ == Family::kIPv4)) {
            fail(tok, std::string("rule is marked ") + (id == kOptIPv4 ? "-4 (IPv4)" : "-6 (IPv6)") +
                          " but the ruleset is " + (family_ == Family::kIPv4 ? "IPv4" : "IPv6"));
          }
          break;
        case kOptTable:
          fail(tok, "'-t' cannot be used in a restore file; the table comes from the '*table' line");
          break;
        default:
          break;
      }
      continue;
    }

    // An extension option.
    Extension* ext = res.ext;
    const OptionSpec& spec = ext->info().options[res.ext_option];
    if (invert && !spec.invertible) {
      fail(tokens_[inv_token], "option '--" + std::string(spec.name) + "' of " +
                                   (ext->info().kind == ExtKind::kMatch ? "-m " : "-j ") +
                                   std::string(ext->info().name) + " cannot be inverted");
      break;
    }
    consume_invert();
    std::vector<Arg>& args = args_;
    args.clear();
    if (has_inline) {
      if (spec.nargs == 0) {
        fail(tok, "option '--" + std::string(spec.name) + "' does not take an argument");
        break;
      }
      Arg a;
      a.text = inline_arg;
      a.col = tok.col + static_cast<uint32_t>(s.size() - inline_arg.size());
      args.push_back(a);
    }
    int want = spec.nargs == kOptionalArg ? 0 : spec.nargs - static_cast<int>(args.size());
    size_t j = i;
    for (int k = 0; k < want; ++k) {
      ++j;
      while (j < n && skip[j]) ++j;
      if (j >= n) {
        fail(tok, (ext->info().kind == ExtKind::kMatch ? "-m " : "-j ") +
                      std::string(ext->info().name) + ": option '--" + std::string(spec.name) +
                      "' requires " +
                      (spec.nargs == 1 ? std::string("an argument")
                                       : std::to_string(spec.nargs) + " arguments"));
        break;
      }
      args.push_back(Arg{tokens_[j].text, tokens_[j].col});
    }
    if (!ok) break;
    if (spec.nargs == kOptionalArg && args.empty()) {
      size_t k = j + 1;
      while (k < n && skip[k]) ++k;
      if (k < n && !tokens_[k].text.empty() && tokens_[k].text[0] != '-' &&
          tokens_[k].text[0] != '!') {
        args.push_back(Arg{tokens_[k].text, tokens_[k].col});
        j = k;
      }
    }
    i = j;
    Status st = ext->Parse(res.ext_option, invert, args, ctx);
    if (!st.ok()) {
      std::string where = (ext->info().kind == ExtKind::kMatch ? "-m " : "-j ") +
                          std::string(ext->info().name) + ": ";
      if (st.arg() >= 0 && static_cast<size_t>(st.arg()) < args.size()) {
        const Arg& a = args[st.arg()];
        uint32_t len = static_cast<uint32_t>(a.text.size());
        // Quoted arguments are longer in the source; find the token for its length.
        for (const Token& t : tokens_)
          if (t.col == a.col) len = t.len;
        Error(a.col, len, where + st.message());
      } else {
        Error(tok.col, tok.len, where + st.message());
      }
      ok = false;
      break;
    }
  }
  if (!ok) return false;
  if (inv_token >= 0) {
    ErrorAt(tokens_[inv_token], "'!' is not followed by an option it could invert");
    return false;
  }
  // iptables' own sanity checks on the interface options of builtin chains.
  if (is_builtin) {
    // (The option may be spelled -o, -oeth0, --out-interface or any
    // abbreviation of it: the token that set it is remembered.)
    if (!rule->ip.out_iface.empty() && (chain == "PREROUTING" || chain == "INPUT")) {
      ErrorAt(tokens_[out_iface_tok],
              "cannot use -o in chain " + chain + ": packets there have no output interface yet");
      return false;
    }
    if (!rule->ip.in_iface.empty() && (chain == "OUTPUT" || chain == "POSTROUTING")) {
      ErrorAt(tokens_[in_iface_tok],
              "cannot use -i in chain " + chain + ": locally generated packets have no input interface");
      return false;
    }
  }
  // Final checks of every extension, then the kernel's table and protocol
  // restrictions (hooks need the whole table: see ValidateTable).
  auto ext_error = [&](const Extension* e, const std::string& msg) {
    uint32_t col = e->col();
    uint32_t len = 2;
    for (const Token& t : tokens_)
      if (t.col == col) len = t.len;
    // Underline "-m name" / "-j NAME" when they are separate words.
    for (size_t k = 0; k + 1 < tokens_.size(); ++k)
      if (tokens_[k].col == col && (tokens_[k].text == "-m" || tokens_[k].text == "-j" ||
                                    tokens_[k].text == "--match" || tokens_[k].text == "--jump"))
        len = tokens_[k + 1].col + tokens_[k + 1].len - col;
    Error(col, len,
          (e->info().kind == ExtKind::kMatch ? "-m " : "-j ") + std::string(e->info().name) +
              ": " + msg);
  };
  for (Extension* e : loaded) {
    Status st = e->Finish(ctx);
    if (!st.ok()) {
      ext_error(e, st.message());
      return false;
    }
    const ExtensionInfo& info = e->info();
    if (info.table >= 0 && info.table != static_cast<int>(table_->id)) {
      ext_error(e, std::string(info.kind == ExtKind::kMatch ? "match" : "target") +
                       " is only valid in the " +
                       std::string(TableName(static_cast<TableId>(info.table))) +
                       " table, not in '" + std::string(TableName(table_->id)) + "'");
      return false;
    }
    if (info.proto && (rule->ip.proto != info.proto || rule->ip.inv_proto)) {
      auto pname = [](uint8_t p) {
        std::string_view nm = ProtoName(p);
        return nm.empty() ? std::to_string(p) : std::string(nm);
      };
      std::string have = rule->ip.proto == 0 ? std::string("no -p")
                         : rule->ip.inv_proto ? "'! -p " + pname(rule->ip.proto) + "'"
                                              : "'-p " + pname(rule->ip.proto) + "'";
      ext_error(e, "needs '-p " + pname(info.proto) + "' (this rule has " + have + ")");
      return false;
    }
  }
  return true;
}

namespace {

bool IsCommitLine(std::string_view line) {
  size_t b = line.find_first_not_of(" \t");
  if (b == std::string_view::npos) return false;
  size_t e = line.find_last_not_of(" \t");
  return line.substr(b, e - b + 1) == "COMMIT";
}

// Sections with fewer rule lines are not worth a thread.
constexpr size_t kParallelMinRules = 20000;

}  // namespace

void Loader::ParseRuleLines(std::string_view region, uint32_t first_line) {
  LineReader reader(region);
  std::string_view line;
  uint32_t n;
  while (reader.Next(&line, &n)) {
    line_ = line;
    lineno_ = first_line + n - 1;
    size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i == line.size() || line[0] == '#') continue;
    HandleCommand(i);
  }
}

bool Loader::TryParallelSection(LineReader* reader) {
  unsigned threads = threads_ ? threads_ : std::min(4u, std::thread::hardware_concurrency());
  if (threads < 2 || collect_) return false;
  // Scan ahead: chain lines, then only -A lines, then COMMIT.
  LineReader scan = *reader;
  std::string_view line;
  uint32_t n;
  size_t rules = 0, chain_lines = 0;
  size_t region_begin = 0, region_end = 0;
  uint32_t region_line = 0;
  bool in_rules = false;
  size_t chains_end = reader->pos();
  bool committed = false;
  while (true) {
    size_t at = scan.pos();
    if (!scan.Next(&line, &n)) break;
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string_view::npos || line[0] == '#') continue;
    if (IsCommitLine(line)) {
      region_end = at;
      committed = true;
      break;
    }
    if (line[i] == ':') {
      if (in_rules) return false;
      chains_end = scan.pos();
      ++chain_lines;
      continue;
    }
    std::string_view rest = line.substr(i);
    if (rest[0] == '[') {
      size_t close = rest.find("] ");
      if (close == std::string_view::npos) return false;
      rest = rest.substr(close + 2);
    }
    if (rest.substr(0, 3) != "-A ") return false;
    if (!in_rules) {
      in_rules = true;
      region_begin = at;
      region_line = n;
    }
    ++rules;
  }
  if (!committed || rules < kParallelMinRules) return false;

  // The chain lines first, in order, on this thread.
  table_->ReserveChains(table_->chains.size() + chain_lines);
  while (reader->pos() < chains_end && reader->Next(&line, &n)) {
    line_ = line;
    lineno_ = n;
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string_view::npos || line[0] == '#') continue;
    if (line[i] == ':') HandleChainLine();
  }
  // Then the rule lines, cut into one piece per thread at line boundaries.
  std::string_view region = text_.substr(region_begin, region_end - region_begin);
  std::vector<std::string_view> pieces;
  std::vector<uint32_t> first_lines;
  size_t start = 0;
  uint32_t line_no = region_line;
  // More pieces than threads, taken in turn: the cost per line varies
  // along the file (look-ups of far-away chains are cache misses).
  const unsigned npieces = threads * 8;
  for (unsigned k = 1; k <= npieces; ++k) {
    size_t end = k == npieces ? region.size() : region.size() * k / npieces;
    if (end < region.size()) {
      size_t nl = region.find('\n', end);
      end = nl == std::string_view::npos ? region.size() : nl + 1;
    }
    if (end <= start) continue;
    pieces.push_back(region.substr(start, end - start));
    first_lines.push_back(line_no);
    line_no += static_cast<uint32_t>(std::count(region.begin() + start, region.begin() + end, '\n'));
    start = end;
  }
  struct Part {
    DiagnosticSink sink;
    std::vector<std::pair<int, std::vector<Rule>>> runs;
  };
  std::vector<Part> parts(pieces.size());
  std::vector<std::unique_ptr<Arena>> arenas(threads);
  for (auto& a : arenas) a = std::make_unique<Arena>();
  auto work = [&](size_t k, Arena* arena) {
    Part& p = parts[k];
    p.sink = DiagnosticSink(sink_->cap());
    Loader w(text_, file_, family_, &p.sink);
    w.table_ = table_;
    w.in_table_ = true;
    w.arena_ = arena;
    w.collect_ = &p.runs;
    w.ParseRuleLines(pieces[k], first_lines[k]);
  };
  std::atomic<size_t> next{0};
  auto run = [&](Arena* arena) {
    for (size_t k; (k = next.fetch_add(1)) < pieces.size();) work(k, arena);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(run, arenas[t].get());
  run(arenas[0].get());
  for (std::thread& t : pool) t.join();
  // In iptables-save's shape a chain's rules are contiguous, so most chains
  // are filled by one run and their vectors are moved in whole.
  for (Part& p : parts) {
    for (auto& [c, src] : p.runs) {
      std::vector<Rule>& dst = table_->chains[c].rules;
      if (dst.empty()) {
        dst = std::move(src);
      } else {
        dst.insert(dst.end(), std::make_move_iterator(src.begin()),
                   std::make_move_iterator(src.end()));
        std::vector<Rule>().swap(src);
      }
    }
    sink_->Merge(std::move(p.sink));
  }
  for (auto& a : arenas) rs_->arenas.push_back(std::move(a));
  reader->Seek(region_end, line_no - 1);
  return true;
}

void Loader::ValidateTable(Table& t) {
  // The kernel (mark_source_chains) walks every builtin chain's rules,
  // following jumps and gotos, marks each chain with the hooks that reach it
  // and refuses a loop.  An explicit stack, no recursion.
  const size_t nc = t.chains.size();
  std::vector<uint32_t> hooks(nc, 0);
  std::vector<uint8_t> state(nc, 0);  // per walk: 0 new, 1 on stack, 2 done
  // The jumps of each chain, in rule order, gathered in one pass so the walks
  // below touch a compact array instead of every rule again.
  struct Edge {
    uint32_t to;
    uint32_t rule;
  };
  std::vector<uint32_t> first(nc + 1, 0);
  std::vector<Edge> edges;
  // Gathered per range of chains (on two threads for large tables: this
  // pass reads every rule), then joined in chain order.
  auto gather = [&](size_t from, size_t to, std::vector<Edge>* out) {
    for (size_t ci = from; ci < to; ++ci) {
      first[ci] = static_cast<uint32_t>(out->size());  // relative; fixed up below
      const auto& rules = t.chains[ci].rules;
      for (size_t ri = 0; ri < rules.size(); ++ri)
        if (rules[ri].target_kind == TargetKind::kJump ||
            rules[ri].target_kind == TargetKind::kGoto)
          out->push_back({static_cast<uint32_t>(rules[ri].jump_index), static_cast<uint32_t>(ri)});
    }
  };
  {
    size_t rule_total = 0;
    for (const Chain& c : t.chains) rule_total += c.rules.size();
    unsigned threads = threads_ ? threads_ : std::min(2u, std::thread::hardware_concurrency());
    if (threads < 2 || rule_total < kParallelMinRules) {
      gather(0, nc, &edges);
    } else {
      size_t mid = nc / 2;
      std::vector<Edge> second;
      std::thread th(gather, mid, nc, &second);
      gather(0, mid, &edges);
      th.join();
      const uint32_t base = static_cast<uint32_t>(edges.size());
      for (size_t ci = mid; ci < nc; ++ci) first[ci] += base;
      edges.insert(edges.end(), second.begin(), second.end());
    }
  }
  first[nc] = static_cast<uint32_t>(edges.size());
  bool loop_reported = false;
  struct Frame {
    uint32_t chain;
    uint32_t next_edge;
  };
  std::vector<Frame> stack;
  for (size_t root = 0; root < nc; ++root) {
    if (!t.chains[root].builtin) continue;
    uint32_t bit = HookBit(t.chains[root].hook);
    std::fill(state.begin(), state.end(), 0);
    stack.clear();
    stack.push_back({static_cast<uint32_t>(root), first[root]});
    state[root] = 1;
    hooks[root] |= bit;
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next_edge >= first[f.chain + 1]) {
        state[f.chain] = 2;
        stack.pop_back();
        continue;
      }
      const Edge& e = edges[f.next_edge++];
      if (state[e.to] == 1) {
        if (!loop_reported) {
          const Rule& r = t.chains[f.chain].rules[e.rule];
          std::string path;
          for (const Frame& g : stack) path += t.chains[g.chain].name + " -> ";
          path += t.chains[e.to].name;
          ErrorAtLine(r.line, r.text, r.target_col, 2,
                      "chain loop: " + path + " (the kernel refuses loops: ELOOP)");
          loop_reported = true;
        }
        continue;
      }
      // A chain already walked in this pass carries the bit, and so does
      // everything it reaches.
      if (state[e.to] == 0) {
        hooks[e.to] |= bit;
        state[e.to] = 1;
        stack.push_back({e.to, first[e.to]});
      }
    }
  }
  // Hook restrictions and each extension's own kernel check: read-only on
  // the table, so large tables are checked by several threads over ranges
  // of chains, their diagnostics merged back in chain order.
  auto check_chains = [&](size_t from, size_t to, Loader* out) {
    for (size_t ci = from; ci < to; ++ci) {
      for (const Rule& r : t.chains[ci].rules) {
        CheckContext cc;
        cc.family = family_;
        cc.table = t.id;
        cc.hook_mask = hooks[ci];
        cc.rule = &r;
        auto check = [&](const Extension* e) {
          uint32_t allowed = e->Hooks();
          auto what = [e] {
            return (e->info().kind == ExtKind::kMatch ? "-m " : "-j ") +
                   std::string(e->info().name);
          };
          uint32_t len = static_cast<uint32_t>(e->info().name.size() + 3);
          if (allowed && (hooks[ci] & ~allowed)) {
            std::string ok_list, bad_list;
            for (int h = 0; h < kNumHooks; ++h) {
              if (allowed & (1u << h))
                ok_list += (ok_list.empty() ? "" : ", ") + std::string(HookChainName(Hook(h)));
              if (hooks[ci] & ~allowed & (1u << h))
                bad_list += (bad_list.empty() ? "" : ", ") + std::string(HookChainName(Hook(h)));
            }
            out->ErrorAtLine(r.line, r.text, e->col(), len,
                             what() + ": only valid in " + ok_list +
                                 "; this rule is reached from " + bad_list);
            return;
          }
          Status st = e->Check(cc);
          if (!st.ok())
            out->ErrorAtLine(r.line, r.text, e->col(), len, what() + ": " + st.message());
        };
        for (const Match* m : r.matches) check(m);
        if (r.target) check(r.target.get());
      }
    }
  };
  size_t total_rules = 0;
  for (const Chain& c : t.chains) total_rules += c.rules.size();
  unsigned threads = threads_ ? threads_ : std::min(4u, std::thread::hardware_concurrency());
  if (threads < 2 || total_rules < kParallelMinRules) {
    check_chains(0, nc, this);
    return;
  }
  // Ranges of about equal rule counts.
  std::vector<size_t> cut = {0};
  size_t acc = 0;
  for (size_t ci = 0; ci < nc && cut.size() < threads; ++ci) {
    acc += t.chains[ci].rules.size();
    if (acc * threads >= total_rules * cut.size()) cut.push_back(ci + 1);
  }
  cut.push_back(nc);
  std::vector<DiagnosticSink> sinks(cut.size() - 1, DiagnosticSink(sink_->cap()));
  std::vector<std::unique_ptr<Loader>> outs;
  for (DiagnosticSink& sk : sinks) outs.push_back(std::make_unique<Loader>(text_, file_, family_, &sk));
  std::vector<std::thread> pool;
  for (size_t k = 1; k + 1 < cut.size(); ++k)
    pool.emplace_back(check_chains, cut[k], cut[k + 1], outs[k].get());
  check_chains(cut[0], cut[1], outs[0].get());
  for (std::thread& th : pool) th.join();
  for (DiagnosticSink& sk : sinks) sink_->Merge(std::move(sk));
}

bool LooksLikeIPv6Address(std::string_view s) {
  size_t colons = 0;
  for (char c : s) {
    if (c == ':') ++colons;
    else if (!isxdigit(static_cast<unsigned char>(c)) && c != '/' && c != '.') return false;
  }
  return colons >= 2;
}

}  // namespace

Family DetectFamily(std::string_view text) {
  LineReader reader(text);
  std::string_view line;
  uint32_t n;
  std::vector<Token> toks;
  std::string scratch;
  LexError err;
  while (reader.Next(&line, &n)) {
    if (line.rfind("# Generated by ip6tables", 0) == 0) return Family::kIPv6;
    if (line.rfind("# Generated by iptables", 0) == 0) return Family::kIPv4;
    if (line.empty() || line[0] == '#' || line[0] == '*' || line[0] == ':') continue;
    if (line.find("icmp6") != std::string_view::npos ||
        line.find("ipv6-icmp") != std::string_view::npos ||
        line.find("icmpv6") != std::string_view::npos)
      return Family::kIPv6;
    if (line.find(':') == std::string_view::npos) continue;
    if (!Tokenize(line, 0, &toks, &scratch, &err)) continue;
    for (size_t i = 0; i + 1 < toks.size(); ++i) {
      std::string_view o = toks[i].text;
      if (o == "-s" || o == "-d" || o == "--source" || o == "--destination" || o == "--src" ||
          o == "--dst") {
        if (LooksLikeIPv6Address(toks[i + 1].text)) return Family::kIPv6;
        if (toks[i + 1].text.find('.') != std::string::npos) return Family::kIPv4;
      }
    }
  }
  return Family::kIPv4;
}

LoadResult LoadRuleset(std::shared_ptr<const void> owner, std::string_view text, std::string file,
                       const LoadOptions& options) {
  LoadResult result;
  result.diagnostics = DiagnosticSink(options.max_errors);
  Family f = options.family ? *options.family : DetectFamily(text);
  result.ruleset.source = std::move(owner);
  Loader loader(text, std::move(file), f, &result.diagnostics, options.threads);
  loader.Run(&result.ruleset);
  return result;
}

LoadResult LoadRuleset(std::string_view text, std::string file, const LoadOptions& options) {
  auto copy = std::make_shared<const std::string>(text);
  std::string_view view = *copy;
  return LoadRuleset(std::move(copy), view, std::move(file), options);
}

}  // namespace iptsim
