// The lines of iptables-restore input that are not rule options: "*table",
// ":CHAIN POLICY [p:b]", COMMIT, and the commands -A -I -D -R -N -X -E -F
// -Z -P with their operands.
#include "base/numbers.h"
#include "loader/loader_internal.h"
#include "loader/printer.h"

namespace iptsim::ruleset_loader {

namespace {

// One counter as sscanf's "%llu" reads it (iptables-restore reads counters
// so): an optional sign, at least one digit; too large a value is
// ULLONG_MAX, a '-' negates modulo 2^64 (strtoull).  *i moves past it.
bool ScanCounter(std::string_view s, size_t* i, uint64_t* out) {
  size_t k = *i;
  bool negative = k < s.size() && s[k] == '-';
  if (k < s.size() && (s[k] == '-' || s[k] == '+')) ++k;
  if (k == s.size() || s[k] < '0' || s[k] > '9') return false;
  uint64_t v = 0;
  bool overflow = false;
  for (; k < s.size() && s[k] >= '0' && s[k] <= '9'; ++k) {
    uint64_t digit = static_cast<uint64_t>(s[k] - '0');
    if (v > (UINT64_MAX - digit) / 10) overflow = true;
    v = v * 10 + digit;
  }
  *out = overflow ? UINT64_MAX : negative ? 0 - v : v;
  *i = k;
  return true;
}

// "[pkts:bytes]".  A chain line's counters are read with sscanf's
// "[%llu:%llu]" (text after the ']' is ignored); a rule's are cut at the
// ':' and the first ']' after it, and each part is read with "%llu", so
// text after the digits is ignored too ("[1:2:3]" is [1:2]).
bool ParseCounters(std::string_view s, bool rule, uint64_t* p, uint64_t* b) {
  size_t i = 1;
  if (s.empty() || s[0] != '[' || !ScanCounter(s, &i, p)) return false;
  if (rule) {
    size_t colon = s.find(':');
    if (colon == std::string_view::npos || s.find(']', colon) == std::string_view::npos)
      return false;
    i = colon + 1;
    return ScanCounter(s, &i, b);
  }
  if (i == s.size() || s[i++] != ':' || !ScanCounter(s, &i, b)) return false;
  return i < s.size() && s[i] == ']';
}

// The command a word names ("-A", "-AINPUT", "--append", "--append=INPUT"), if any.
bool CommandOfWord(std::string_view s, BaseId* id) {
  if (s.size() < 2 || s[0] != '-') return false;
  bool found = false;
  if (s[1] == '-') {
    std::string_view name = s.substr(2, s.find('=') == std::string_view::npos
                                             ? std::string_view::npos
                                             : s.find('=') - 2);
    for (const BaseOption& o : kBaseOptions)
      if (o.long_name == name && IsCommand(o.id)) {
        *id = o.id;
        found = true;
      }
  } else if (const BaseOption* o = ShortOption(s[1]); o && IsCommand(o->id)) {
    *id = o->id;
    found = true;
  }
  return found;
}

}  // namespace

// ---------------------------------------------------------------------------
// Table, chain and COMMIT lines.

bool Loader::IsForeignSyntax() {
  std::string_view l = line_.substr(line_.find_first_not_of(" \t"));
  // nft list ruleset starts every table with "table FAMILY NAME {"; nft -f
  // files often with "flush ruleset".
  const bool table = l.rfind("table ", 0) == 0 && l.find('{') != std::string_view::npos;
  if (!table && l != "flush ruleset" && l.rfind("add table ", 0) != 0)
    return false;
  size_t word = l.find(' ');
  Error(static_cast<uint32_t>(line_.size() - l.size() + 1),
        static_cast<uint32_t>(word == std::string_view::npos ? l.size() : word),
        "this is nftables syntax ('nft list ruleset'), not a ruleset iptsim reads: give it "
        "iptables-save or ip6tables-save output, or 'iptables -S' output; for rules made with "
        "iptables-nft, run iptables-nft-save (the README says what it cannot show)");
  return true;
}

void Loader::OpenTable(TableId id) {
  in_table_ = true;
  *table_ = MakeTable(id);
  table_->line = lineno_ ? lineno_ : 1;
  last_chain_ = -1;
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
  OpenTable(id);
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

// ":NAME POLICY [p:b]": iptables-restore splits it with strtok, so quotes
// mean nothing here.
void Loader::SplitChainLine(size_t colon) {
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
}

void Loader::HandleChainLine() {
  if (!in_table_) {
    Error(1, 1, "chain line outside a table: a '*table' line must come first");
    return;
  }
  size_t colon = line_.find(':');
  SplitChainLine(colon);
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
  if (tokens_.size() >= 3 && !ParseCounters(tokens_[2].text, false, &p, &b)) {
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
    if (pol.text == "-") return;  // keeps the current policy
    if (pol.text != "ACCEPT" && pol.text != "DROP") {
      ErrorAt(pol, "invalid policy '" + pol.text + "' for builtin chain " + name.text +
                       " (must be ACCEPT or DROP)");
      return;
    }
    existing->policy = pol.text == "ACCEPT" ? Policy::kAccept : Policy::kDrop;
    existing->packets = p;
    existing->bytes = b;
    existing->line = lineno_;
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

bool Loader::RefuseLineShape(const LineReader& reader, size_t first_nonblank) {
  std::string_view line = line_;
  const uint32_t end_col = static_cast<uint32_t>(line.size()) + 1;
  if (reader.ended_with_cr()) {
    // Part of the last word, but after a chain line's counters (sscanf).
    if (first_nonblank < line.size() && line[first_nonblank] == ':' && line.back() == ']')
      return false;
    // Then read without it: one error, not a cascade ("*filter\r").
    Error(end_col, 1,
          "carriage return ('\\r') at the end of the line: a file with DOS line endings; "
          "iptables-restore takes the '\\r' as part of the last word and fails (remove it "
          "with: sed -i 's/\\r$//' FILE)");
    if (first_nonblank == line.size()) return true;
  }
  if (first_nonblank == line.size()) {
    Error(1, static_cast<uint32_t>(line.size()),
          "a line of only blanks: iptables-restore refuses it (\"no command specified\" in a "
          "table, \"line N failed\" outside one); an empty line is fine");
    return true;
  }
  size_t last = line.find_last_not_of(" \t");
  if (line.substr(first_nonblank, last + 1 - first_nonblank) != "COMMIT") return false;
  if (line.size() != 6) {
    Error(static_cast<uint32_t>(first_nonblank) + 1, 6,
          "'COMMIT' with blanks before or after it: iptables-restore takes the line for a "
          "command and fails with \"Bad argument `COMMIT'\"");
  } else if (!reader.ended_with_newline()) {
    Error(1, 6,
          "'COMMIT' without a newline at the end of the file: iptables-restore takes the line "
          "for a command and fails with \"Bad argument `COMMIT'\"");
  }
  return false;
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

// `iptables -S` text does not name its table: a builtin chain of other
// tables says which --table it needs.
std::string Loader::RuleSpecsTableHint(std::string_view chain) const {
  std::vector<std::string_view> names;
  for (int k = 0; k < kNumTables; ++k) {
    const Table other = MakeTable(static_cast<TableId>(k));
    const Chain* c = other.FindChain(chain);
    if (c && c->builtin) names.push_back(TableName(other.id));
  }
  if (names.empty()) return "";
  std::string tables;
  for (size_t k = 0; k < names.size(); ++k)
    tables += std::string(k == 0 ? "" : k + 1 == names.size() ? " or " : ", ") + std::string(names[k]);
  return " (this 'iptables -S' text is read as table '" + std::string(TableName(table_->id)) +
         "'; give --table " + tables + ")";
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
    if (rule_specs_) msg += RuleSpecsTableHint(t.text);
    ErrorAt(t, msg);
  }
  return c;
}

// ---------------------------------------------------------------------------
// Command lines: finding the command and its operands.

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
  // iptables-restore's argv holds 255 words, three of them its own
  // ("iptables-restore -t TABLE"); "[p:b]" counters are not among them.
  size_t words = tokens_.size() - (!tokens_.empty() && tokens_[0].text.starts_with('[') ? 1 : 0);
  if (!rule_specs_ && words > kMaxRestoreWords) {
    ErrorAt(tokens_[tokens_.size() - (words - kMaxRestoreWords)],
            "too many words: " + std::to_string(words) + " on the line, iptables-restore takes " +
                std::to_string(kMaxRestoreWords) +
                " at most (\"Parser cannot handle more arguments\")");
    return;
  }
  if (table_->line == 0) return;  // inside an unknown table
  CommandLine cl;
  size_t first = 0;
  if (!ReadLineCounters(&cl, &first) || !FindCommand(first, &cl)) return;
  TakeAttachedOperand(cl);
  switch (cl.id) {
    case kOptNewChain:
      NewChain(&cl);
      return;
    case kOptPolicy:
      SetPolicy(&cl);
      return;
    case kOptFlush:
    case kOptZero:
    case kOptDeleteChain:
      FlushZeroOrDeleteChains(&cl);
      return;
    case kOptRename:
      RenameChain(&cl);
      return;
    default:
      RuleCommand(&cl);  // -A, -I, -D, -R: a rule specification follows
      return;
  }
}

// An optional "[pkts:bytes]" before the command; *first is the word after it.
bool Loader::ReadLineCounters(CommandLine* cl, size_t* first) {
  *first = 0;
  if (!tokens_.empty() && !tokens_[0].text.empty() && tokens_[0].text[0] == '[') {
    if (!ParseCounters(tokens_[0].text, true, &cl->packets, &cl->bytes)) {
      ErrorAt(tokens_[0], "invalid counters '" + tokens_[0].text + "' (expected [packets:bytes])");
      return false;
    }
    cl->has_counters = true;
    *first = 1;
  }
  return true;
}

bool Loader::FindCommand(size_t first, CommandLine* cl) {
  skip_.assign(tokens_.size(), 0);
  for (size_t i = 0; i < first; ++i) skip_[i] = true;
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
  bool found = false;
  for (size_t i = first; i < scan_end; ++i) {
    BaseId id{};
    if (!CommandOfWord(tokens_[i].text, &id)) continue;
    if (found) {
      ErrorAt(tokens_[i], "more than one command on a line ('" +
                              tokens_[cl->command_word].text + "' and '" + tokens_[i].text +
                              "')");
      return false;
    }
    found = true;
    cl->id = id;
    cl->command_word = cl->last_word = i;
  }
  if (!found) {
    ErrorAt(tokens_[first < tokens_.size() ? first : 0],
            "no command: a rule line must contain -A, -I, -N, -P, -D, -R, -E, -F, -X or -Z");
    return false;
  }
  skip_[cl->command_word] = true;
  return true;
}

// "-AINPUT", "--append=INPUT": the first operand is part of the command word.
void Loader::TakeAttachedOperand(const CommandLine& cl) {
  std::string_view attached;
  std::string_view s = tokens_[cl.command_word].text;
  if (s[1] == '-') {
    size_t eq = s.find('=');
    if (eq != std::string::npos) attached = s.substr(eq + 1);
  } else if (s.size() > 2) {
    attached = s.substr(2);
  }
  ops_.clear();
  if (!attached.empty()) {
    Token t = tokens_[cl.command_word];
    t.text = attached;
    ops_.push_back(t);
  }
}

bool Loader::TakeOperand(CommandLine* cl, bool required) {
  size_t next = cl->last_word + 1;
  while (next < tokens_.size() && skip_[next]) ++next;
  if (next < tokens_.size() &&
      (required || (!tokens_[next].text.empty() && tokens_[next].text[0] != '-' &&
                    tokens_[next].text[0] != '!'))) {
    ops_.push_back(tokens_[next]);
    skip_[next] = true;
    cl->last_word = next;
    return true;
  }
  return false;
}

bool Loader::NeedOperands(CommandLine* cl, size_t n, const char* what) {
  while (ops_.size() < n)
    if (!TakeOperand(cl, true)) {
      const Token& command = tokens_[cl->command_word];
      ErrorAt(command, std::string("'") + command.text + "' needs " + what);
      return false;
    }
  return true;
}

bool Loader::RejectLeftover(std::string_view after) {
  for (size_t i = 0; i < tokens_.size(); ++i)
    if (!skip_[i]) {
      ErrorAt(tokens_[i], "unexpected '" + tokens_[i].text + "'" + after);
      return false;
    }
  return true;
}

// ---------------------------------------------------------------------------
// The chain commands: -N -P -F -Z -X -E.

void Loader::NewChain(CommandLine* cl) {
  if (!NeedOperands(cl, 1, "a chain name") || !RejectLeftover(" after -N CHAIN")) return;
  const Token& name = ops_[0];
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
}

void Loader::SetPolicy(CommandLine* cl) {
  if (!NeedOperands(cl, 2, "a chain and a policy")) return;
  Chain* c = ChainArg(ops_[0]);
  if (!c) return;
  if (!c->builtin) {
    ErrorAt(ops_[0], "cannot set a policy on user-defined chain '" + c->name + "'");
    return;
  }
  if (ops_[1].text != "ACCEPT" && ops_[1].text != "DROP") {
    ErrorAt(ops_[1], "invalid policy '" + ops_[1].text + "' (must be ACCEPT or DROP)");
    return;
  }
  c->policy = ops_[1].text == "ACCEPT" ? Policy::kAccept : Policy::kDrop;
  // `iptables -S -v` prints the policy's counters: "-P INPUT DROP -c 5 300".
  size_t k = cl->last_word + 1;
  while (k < tokens_.size() && skip_[k]) ++k;
  if (k + 2 < tokens_.size() &&
      (tokens_[k].text == "-c" || tokens_[k].text == "--set-counters")) {
    uint64_t p, b;
    if (!ParseUIntDec(tokens_[k + 1].text, 0, UINT64_MAX, &p) ||
        !ParseUIntDec(tokens_[k + 2].text, 0, UINT64_MAX, &b)) {
      ErrorAt(tokens_[k], "'-c' takes two counters (packets and bytes)");
      return;
    }
    c->packets = p;
    c->bytes = b;
  }
}

// -F, -Z and -X act on one chain, or without an operand on every chain
// (-X: every user-defined chain).
void Loader::FlushZeroOrDeleteChains(CommandLine* cl) {
  TakeOperand(cl, false);
  if (cl->id == kOptZero) TakeOperand(cl, false);
  if (!RejectLeftover("")) return;
  std::vector<Chain*> chains;
  if (!ops_.empty()) {
    Chain* c = ChainArg(ops_[0]);
    if (!c) return;
    chains.push_back(c);
  } else {
    for (Chain& c : table_->chains)
      if (cl->id != kOptDeleteChain || !c.builtin) chains.push_back(&c);
  }
  if (cl->id == kOptFlush) {
    for (Chain* c : chains) c->rules.clear();
  } else if (cl->id == kOptZero) {
    for (Chain* c : chains) {
      c->packets = c->bytes = 0;
      for (Rule& r : c->rules) r.packets = r.bytes = 0;
    }
  } else {
    DeleteChains(chains, ops_.empty() ? tokens_[cl->command_word] : ops_[0]);
  }
}

// A chain still referenced cannot go (EBUSY), nor one with rules
// (ENOTEMPTY): the first such chain is reported at `where`.
bool Loader::CheckChainsDeletable(const std::vector<uint8_t>& doomed, const Token& where) {
  for (size_t di = 0; di < doomed.size(); ++di) {
    if (!doomed[di]) continue;
    const Chain& c = table_->chains[di];
    if (!c.rules.empty()) {
      ErrorAt(where, "cannot delete chain '" + c.name + "': it is not empty");
      return false;
    }
    for (size_t oi = 0; oi < table_->chains.size(); ++oi)
      for (const Rule& r : table_->chains[oi].rules)
        if ((r.target_kind == TargetKind::kJump || r.target_kind == TargetKind::kGoto) &&
            static_cast<size_t>(r.jump_index) == di && !doomed[oi]) {
          ErrorAt(where, "cannot delete chain '" + c.name + "': a rule of " +
                             table_->chains[oi].name + " (line " + std::to_string(r.line) +
                             ") still refers to it");
          return false;
        }
  }
  return true;
}

void Loader::DeleteChains(const std::vector<Chain*>& chains, const Token& where) {
  for (Chain* c : chains) {
    if (c->builtin) {
      ErrorAt(where, "cannot delete builtin chain '" + c->name + "'");
      return;
    }
  }
  std::vector<uint8_t> doomed(table_->chains.size(), 0);
  for (Chain* c : chains) doomed[c - table_->chains.data()] = 1;
  if (!CheckChainsDeletable(doomed, where)) return;
  // The chains that stay move down; jumps follow them.
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

void Loader::RenameChain(CommandLine* cl) {
  if (!NeedOperands(cl, 2, "the old and the new chain name")) return;
  Chain* c = ChainArg(ops_[0]);
  if (!c) return;
  if (c->builtin) {
    ErrorAt(ops_[0], "cannot rename builtin chain '" + c->name + "'");
    return;
  }
  if (!CheckChainName(ops_[1])) return;
  if (table_->FindChain(ops_[1].text)) {
    ErrorAt(ops_[1], "chain '" + ops_[1].text + "' already exists");
    return;
  }
  c->name = ops_[1].text;
  table_->ReindexChains();
}

// ---------------------------------------------------------------------------
// The rule commands: -A -I -D -R.

void Loader::RuleCommand(CommandLine* cl) {
  if (!NeedOperands(cl, 1, "a chain name")) return;
  long position = -1;  // 1-based rule number for -I/-D/-R
  if (!ReadRuleNumber(cl, &position)) return;
  Chain* chain = ChainArg(ops_[0]);
  if (!chain) return;
  const int chain_idx = static_cast<int>(chain - table_->chains.data());
  if (cl->id == kOptDelete && position > 0) {
    DeleteRuleByNumber(chain, position);
    return;
  }
  if (cl->id == kOptAppend) {
    AppendRules(*cl, chain_idx);
    return;
  }
  std::vector<Rule> made;
  if (!ParseRuleCombinations(chain_idx, &made)) return;
  chain = &table_->chains[chain_idx];
  for (Rule& r : made) FinishRule(*cl, r);
  switch (cl->id) {
    case kOptInsert:
      InsertRules(chain, position, made);
      break;
    case kOptReplace:
      ReplaceRule(*cl, chain, position, made);
      break;
    case kOptDelete:
      DeleteMatchingRules(chain, made);
      break;
    default:
      break;
  }
}

// The rule number of -I (optional), -R (required) and -D (when the word is
// a number; otherwise it starts the rule specification).
bool Loader::ReadRuleNumber(CommandLine* cl, long* position) {
  if (cl->id != kOptInsert && cl->id != kOptDelete && cl->id != kOptReplace) return true;
  size_t before = ops_.size();
  bool got = cl->id == kOptReplace ? NeedOperands(cl, 2, "a chain name and a rule number")
                                   : TakeOperand(cl, false);
  if (cl->id == kOptReplace && !got) return false;
  if (ops_.size() > before) {
    uint64_t v;
    if (!ParseUIntDec(ops_.back().text, 1, INT32_MAX, &v)) {
      if (cl->id == kOptDelete) {
        // Not a number: part of a rule specification; hand it back.
        skip_[cl->last_word] = false;
        ops_.pop_back();
      } else {
        ErrorAt(ops_.back(), "invalid rule number '" + ops_.back().text + "'");
        return false;
      }
    } else {
      *position = static_cast<long>(v);
    }
  }
  return true;
}

void Loader::DeleteRuleByNumber(Chain* chain, long position) {
  if (!RejectLeftover(" after -D CHAIN NUMBER")) return;
  if (static_cast<size_t>(position) > chain->rules.size()) {
    ErrorAt(ops_[1], "rule number " + std::to_string(position) + " does not exist in chain '" +
                         chain->name + "' (it has " + std::to_string(chain->rules.size()) +
                         " rules)");
    return;
  }
  chain->rules.erase(chain->rules.begin() + (position - 1));
}

void Loader::FinishRule(const CommandLine& cl, Rule& r) {
  r.line = lineno_;
  r.text = line_;  // a view into rs_->source
  // "[p:b] -A ..." counters, unless the rule set its own with "-c P B"
  // (as `iptables -S -v` prints them).
  if (cl.has_counters || !r.has_counters) {
    r.packets = cl.packets;
    r.bytes = cl.bytes;
  }
  r.has_counters = cl.has_counters || r.has_counters;
}

// The common case, built in place at the end of its chain (or of the
// worker's run for that chain).
void Loader::AppendRules(const CommandLine& cl, int chain_idx) {
  std::vector<Rule>* dst = &table_->chains[chain_idx].rules;
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
      if (!ParseRule(chain_idx, s, d, &dst->back(), s == 0 && d == 0 ? &nsrc : &a,
                     s == 0 && d == 0 ? &ndst : &b)) {
        // All or nothing, as iptables parses every address before adding.
        dst->resize(before);
        return;
      }
      FinishRule(cl, dst->back());
    }
}

// "-s a,b -d c,d" makes one rule per combination, sources outermost.
bool Loader::ParseRuleCombinations(int chain_idx, std::vector<Rule>* made) {
  Rule rule;
  size_t nsrc = 1, ndst = 1;
  if (!ParseRule(chain_idx, 0, 0, &rule, &nsrc, &ndst)) return false;
  made->push_back(std::move(rule));
  for (size_t s = 0; s < nsrc; ++s)
    for (size_t d = 0; d < ndst; ++d) {
      if (s == 0 && d == 0) continue;
      Rule r;
      size_t a, b;
      if (!ParseRule(chain_idx, s, d, &r, &a, &b)) return false;
      made->push_back(std::move(r));
    }
  return true;
}

void Loader::InsertRules(Chain* chain, long position, std::vector<Rule>& made) {
  size_t pos = position > 0 ? static_cast<size_t>(position) : 1;
  if (pos > chain->rules.size() + 1) {
    ErrorAt(ops_[1], "index of insertion too big: chain '" + chain->name + "' has " +
                         std::to_string(chain->rules.size()) + " rules");
    return;
  }
  chain->rules.insert(chain->rules.begin() + (pos - 1), std::make_move_iterator(made.begin()),
                      std::make_move_iterator(made.end()));
}

void Loader::ReplaceRule(const CommandLine& cl, Chain* chain, long position,
                         std::vector<Rule>& made) {
  if (made.size() != 1) {
    ErrorAt(tokens_[cl.last_word], "-R needs a rule with a single source and destination");
    return;
  }
  if (static_cast<size_t>(position) > chain->rules.size()) {
    ErrorAt(ops_[1], "rule number " + std::to_string(position) + " does not exist in chain '" +
                         chain->name + "'");
    return;
  }
  chain->rules[position - 1] = std::move(made[0]);
}

// -D with a rule specification deletes the first rule that saves the same.
void Loader::DeleteMatchingRules(Chain* chain, std::vector<Rule>& made) {
  for (Rule& want : made) {
    std::string a;
    SaveRule(*table_, want, chain->name, family_, a);
    bool found = false;
    for (size_t i = 0; i < chain->rules.size(); ++i) {
      std::string b;
      SaveRule(*table_, chain->rules[i], chain->name, family_, b);
      if (a == b) {
        chain->rules.erase(chain->rules.begin() + i);
        found = true;
        break;
      }
    }
    if (!found) {
      ErrorAt(ops_[0], "no rule in chain '" + chain->name + "' matches this -D specification");
      return;
    }
  }
}

}  // namespace iptsim::ruleset_loader
