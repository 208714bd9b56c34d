#include "loader/test_binding.h"

#include <algorithm>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>

#include "base/numbers.h"
#include "engine/netaddr.h"
#include "engine/packet_builder.h"
#include "loader/loader.h"
#include "loader/packet_spec.h"
#include "loader/printer.h"

namespace iptsim {
namespace {

// Whether `word` stands in `text` as a whole blank-separated word.
bool NamesWord(std::string_view text, std::string_view word) {
  for (size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    size_t end = at + word.size();
    if ((at == 0 || text[at - 1] == ' ') && (end == text.size() || text[end] == ' ')) return true;
  }
  return false;
}

class Binder {
 public:
  Binder(const TestSpec& spec, std::string_view text, const Ruleset& rs, DiagnosticSink* diags)
      : spec_(spec), text_(text), rs_(rs), diags_(diags) {}

  void BindCase(const SpecCase& c, BoundCase* out);

 private:
  void Error(SpecPos at, std::string message) {
    diags_->Add(SpecDiagnostic(text_, spec_.file, at, message + " (in " + rs_.file + ")"));
  }
  bool BindPacket(const SpecPacket& p, BoundPacket* out);
  void BindExpectations(const Expectations& e, BoundExpectations* out);
  bool Select(const RuleSelector& s, BoundSelector* out);
  void SelectPosition(const RuleSelector& s, std::vector<RuleEntry>* out);
  void SelectText(const RuleSelector& s, std::vector<RuleEntry>* out);
  void SelectComment(const RuleSelector& s, std::vector<RuleEntry>* out);
  std::optional<std::string> NatAddress(const SpecText& t);
  // The rules with a -m comment, by comment (made once: specs of 10,000
  // cases over a kube-proxy ruleset name rules by comment).
  const std::unordered_multimap<std::string, RuleEntry>& Comments();

  const TestSpec& spec_;
  std::string_view text_;
  const Ruleset& rs_;
  DiagnosticSink* diags_;
  std::unordered_multimap<std::string, RuleEntry> comments_;
  bool comments_made_ = false;
};

const std::unordered_multimap<std::string, RuleEntry>& Binder::Comments() {
  if (comments_made_) return comments_;
  comments_made_ = true;
  std::string saved;
  for (const Table& t : rs_.tables)
    for (const Chain& c : t.chains)
      for (const Rule& r : c.rules) {
        saved.clear();
        SaveRule(t, r, c.name, rs_.family, saved);
        if (std::string comment = RuleComment(saved); !comment.empty())
          comments_.emplace(std::move(comment), RuleEntry{&t, &c, &r});
      }
  return comments_;
}

void Binder::SelectPosition(const RuleSelector& s, std::vector<RuleEntry>* out) {
  const std::string& text = s.text;
  size_t c1 = text.find(':'), c2 = text.rfind(':');
  std::string table_name = text.substr(0, c1), chain_name = text.substr(c1 + 1, c2 - c1 - 1),
              number = text.substr(c2 + 1);
  TableId id;
  const Table* table = ParseTableName(table_name, &id) ? rs_.FindTable(id) : nullptr;
  if (!table) return Error(s.at, "'" + text + "': the ruleset has no table '" + table_name + "'");
  const Chain* chain = table->FindChain(chain_name);
  if (!chain) {
    std::vector<std::string_view> names;
    for (const Chain& c : table->chains) names.push_back(c.name);
    std::string guess = ClosestName(chain_name, names);
    return Error(s.at, "'" + text + "': table " + table_name + " has no chain '" + chain_name +
                           "'" + (guess.empty() ? "" : ", did you mean '" + guess + "'?"));
  }
  if (number == "policy") {
    if (!chain->builtin)
      return Error(s.at, "'" + text + "': " + chain_name + " is a user chain: it has no policy");
    out->push_back({table, chain, nullptr});
    return;
  }
  uint64_t n;
  if (!ParseUIntDec(number, 1, UINT32_MAX, &n) || n > chain->rules.size())
    return Error(s.at, "'" + text + "': " + table_name + ":" + chain_name + " has " +
                           std::to_string(chain->rules.size()) + " rules; '" + number +
                           "' is not one of 1.." + std::to_string(chain->rules.size()) +
                           (chain->builtin ? " or 'policy'" : ""));
  out->push_back({table, chain, &chain->rules[n - 1]});
}

// A rule given as iptables -S prints it: read as a rule of each table that
// has its chain (with the table's chains declared, so jumps resolve), printed
// canonically and compared with the canonical text of the chain's rules, so
// "-p tcp --dport 22" finds "-p tcp -m tcp --dport 22".
void Binder::SelectText(const RuleSelector& s, std::vector<RuleEntry>* out) {
  std::string rule = s.text;
  std::string only_table;
  for (const char* flag : {"-t ", "--table "}) {
    if (rule.rfind(flag, 0) != 0) continue;
    size_t start = std::string_view(flag).size(), end = rule.find(' ', start);
    only_table = rule.substr(start, end == std::string::npos ? end : end - start);
    rule = end == std::string::npos ? "" : rule.substr(end + 1);
  }
  size_t name_start = rule.find(' ');
  if (rule.rfind("-A ", 0) != 0 && rule.rfind("--append ", 0) != 0)
    return Error(s.at, "'" + s.text + "': a rule's text starts with -A CHAIN (or -t TABLE -A CHAIN)");
  size_t name_end = rule.find(' ', name_start + 1);
  std::string chain_name = rule.substr(name_start + 1, name_end == std::string::npos
                                                           ? name_end
                                                           : name_end - name_start - 1);
  std::string first_error;
  bool chain_found = false;
  for (const Table& t : rs_.tables) {
    if (!only_table.empty() && TableName(t.id) != only_table) continue;
    const Chain* chain = t.FindChain(chain_name);
    if (!chain) continue;
    chain_found = true;
    // The table's chains that the rule names (its own, a -j/-g target),
    // declared so the rule loads as it does in the ruleset.
    std::string mini = "*" + std::string(TableName(t.id)) + "\n";
    for (const Chain& c : t.chains)
      if (c.builtin || c.name == chain_name || NamesWord(rule, c.name))
        mini += ":" + c.name + (c.builtin ? " ACCEPT" : " -") + " [0:0]\n";
    mini += rule + "\nCOMMIT\n";
    LoadOptions opts;
    opts.family = rs_.family;
    opts.threads = 1;
    LoadResult r = LoadRuleset(mini, "rule", opts);
    if (!r.ok()) {
      if (first_error.empty() && !r.diagnostics.diagnostics().empty())
        first_error = r.diagnostics.diagnostics()[0].message;
      continue;
    }
    const Table* mt = r.ruleset.FindTable(t.id);
    const Chain* mc = mt ? mt->FindChain(chain_name) : nullptr;
    if (!mc) continue;
    std::vector<std::string> wanted;
    for (const Rule& mr : mc->rules) {
      wanted.emplace_back();
      SaveRule(*mt, mr, chain_name, rs_.family, wanted.back());
    }
    std::string saved;
    for (const Rule& r : chain->rules) {
      saved.clear();
      SaveRule(t, r, chain_name, rs_.family, saved);
      for (const std::string& w : wanted)
        if (saved == w) out->push_back({&t, chain, &r});
    }
  }
  if (!chain_found)
    return Error(s.at, "'" + s.text + "': no table " +
                           (only_table.empty() ? "" : "'" + only_table + "' ") +
                           "of the ruleset has a chain '" + chain_name + "'");
  if (out->empty() && !first_error.empty())
    return Error(s.at, "'" + s.text + "' is not a valid rule: " + first_error);
  if (out->empty())
    Error(s.at, "no rule of the ruleset is '" + s.text + "' (compared as iptables -S prints it)");
}

void Binder::SelectComment(const RuleSelector& s, std::vector<RuleEntry>* out) {
  auto [first, last] = Comments().equal_range(s.text);
  for (auto it = first; it != last; ++it) out->push_back(it->second);
  // The ruleset's order, not the hash map's.
  std::sort(out->begin(), out->end(), [](const RuleEntry& a, const RuleEntry& b) {
    return std::less<const Rule*>()(a.rule, b.rule);
  });
  if (out->empty()) Error(s.at, "no rule of the ruleset has the comment '" + s.text + "'");
}

bool Binder::Select(const RuleSelector& s, BoundSelector* out) {
  out->spelled = s.kind == RuleSelector::Kind::kComment ? "comment '" + s.text + "'" : s.text;
  switch (s.kind) {
    case RuleSelector::Kind::kPosition: SelectPosition(s, &out->entries); break;
    case RuleSelector::Kind::kText: SelectText(s, &out->entries); break;
    case RuleSelector::Kind::kComment: SelectComment(s, &out->entries); break;
  }
  return !out->entries.empty();
}

// "ADDR", "ADDR:PORT", "[ADDR6]:PORT" in the canonical spelling.
std::optional<std::string> Binder::NatAddress(const SpecText& t) {
  std::string addr = t.text, port;
  if (!addr.empty() && addr[0] == '[') {
    size_t close = addr.find(']');
    if (close != std::string::npos && (close + 1 == addr.size() || addr[close + 1] == ':')) {
      port = close + 1 < addr.size() ? addr.substr(close + 2) : "";
      addr = addr.substr(1, close - 1);
    }
  } else if (size_t colon = addr.rfind(':');
             colon != std::string::npos && addr.find(':') == colon) {
    port = addr.substr(colon + 1);
    addr = addr.substr(0, colon);
  }
  IpAddr ip;
  uint64_t p = 0;
  const Family f = rs_.family;
  if (!ParseIpAddr(f, addr, &ip) || (!port.empty() && !ParseUIntDec(port, 0, 65535, &p))) {
    Error(t.at, "nat: '" + t.text + "' is not " +
                    (f == Family::kIPv4 ? "ADDRESS[:PORT]" : "ADDRESS or [ADDRESS]:PORT") +
                    " of the ruleset's family");
    return std::nullopt;
  }
  std::string s = FormatIpAddr(f, ip);
  if (port.empty()) return s;
  return (f == Family::kIPv6 ? "[" + s + "]" : s) + ":" + std::to_string(p);
}

void Binder::BindExpectations(const Expectations& e, BoundExpectations* out) {
  out->spec = &e;
  for (const RuleSelector& s : e.rule) {
    // Alternatives: one selector fitting every rule any of them fits.
    BoundSelector one;
    Select(s, &one);
    if (!out->rule) out->rule.emplace();
    out->rule->spelled += (out->rule->spelled.empty() ? "" : " or ") + one.spelled;
    out->rule->entries.insert(out->rule->entries.end(), one.entries.begin(), one.entries.end());
  }
  for (const RuleSelector& s : e.path_includes) Select(s, &out->path_includes.emplace_back());
  for (const RuleSelector& s : e.path_excludes) Select(s, &out->path_excludes.emplace_back());
  if (e.nat_rewritten) out->nat_rewritten = NatAddress(*e.nat_rewritten);
  if (e.nat_src) out->nat_src = NatAddress(*e.nat_src);
  if (e.nat_dst) out->nat_dst = NatAddress(*e.nat_dst);
}

bool Binder::BindPacket(const SpecPacket& p, BoundPacket* out) {
  std::vector<std::string> default_texts, own_texts;
  for (const PacketWord& w : spec_.defaults) default_texts.push_back(w.text);
  for (const PacketWord& w : p.words) own_texts.push_back(w.text);
  std::vector<PacketWord> words;
  for (const MergedWord& m : MergePacketWords(default_texts, own_texts, rs_.family))
    words.push_back(m.from_defaults ? spec_.defaults[m.index] : p.words[m.index]);
  std::vector<std::string> texts;
  for (const PacketWord& w : words) {
    texts.push_back(w.text);
    out->words += (out->words.empty() ? "" : " ") + w.text;
  }
  PacketSpec ps;
  Status st = ParsePacketSpec(texts, rs_.family, &ps);
  if (!st.ok()) {
    SpecPos at = st.arg() >= 0 && static_cast<size_t>(st.arg()) < words.size()
                     ? words[st.arg()].at
                     : p.at;
    Error(at, "packet: " + st.message());
    return false;
  }
  out->packet = BuildPacket(ps);
  BindExpectations(p.expect, &out->expect);
  return true;
}

void Binder::BindCase(const SpecCase& c, BoundCase* out) {
  out->spec = &c;
  for (const SpecPacket& p : c.packets) BindPacket(p, &out->packets.emplace_back());
}

}  // namespace

std::string RuleComment(std::string_view saved) {
  size_t at = saved.find(" --comment ");
  if (at == std::string_view::npos) return "";
  std::string_view rest = saved.substr(at + 11);
  std::string out;
  if (rest.empty() || rest[0] != '"') return std::string(rest.substr(0, rest.find(' ')));
  // iptables-save quotes a comment with blanks and escapes '"' and '\'.
  for (size_t i = 1; i < rest.size() && rest[i] != '"'; ++i) {
    if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
    out += rest[i];
  }
  return out;
}

bool BindTestSpec(const TestSpec& spec, std::string_view spec_text, const Ruleset& rs,
                  std::vector<BoundCase>* out, DiagnosticSink* diags) {
  const size_t errors_before = diags->error_count();
  Binder binder(spec, spec_text, rs, diags);
  for (const SpecCase& c : spec.cases) binder.BindCase(c, &out->emplace_back());
  return diags->error_count() == errors_before;
}

}  // namespace iptsim
