#include "loader/test_spec.h"

#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <span>
#include <string>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "base/numbers.h"
#include "loader/packet_spec.h"

namespace iptsim {
namespace {

constexpr std::string_view kVerdicts[] = {"ACCEPT", "DROP", "REJECT", "QUEUE", "STOLEN"};
constexpr std::string_view kCtStates[] = {"NEW", "ESTABLISHED", "RELATED", "INVALID",
                                          "UNTRACKED"};
constexpr std::string_view kTopKeys[] = {"rules", "host",  "ipsets", "defaults",
                                         "seed",  "assume", "cases"};
// The keys of a case besides the expectations; and of a flow's packet.
constexpr std::string_view kCaseKeys[] = {"name", "packet", "flow", "golden"};
constexpr std::string_view kExpectKeys[] = {"verdict", "rule",    "path_includes",
                                            "path_excludes", "nat", "mark", "ctstate", "log"};

// Where 1-based line `line` of `text` starts (its end when there are fewer).
size_t LineStart(std::string_view text, uint32_t line) {
  size_t pos = 0;
  for (uint32_t l = 1; l < line && pos < text.size(); ++l) {
    pos = text.find('\n', pos);
    pos = pos == std::string_view::npos ? text.size() : pos + 1;
  }
  return pos;
}

// Reads one spec, collecting every error in the sink.
class SpecReader {
 public:
  SpecReader(std::string_view text, const std::string& file, DiagnosticSink* diags)
      : text_(text), file_(file), diags_(diags) {}

  void Read(const YAML::Node& root, TestSpec* out);

 private:
  SpecPos At(const YAML::Node& n) const {
    const YAML::Mark m = n.Mark();
    if (m.line < 0) return {};
    return {static_cast<uint32_t>(m.line + 1), static_cast<uint32_t>(m.column + 1)};
  }
  void Error(SpecPos at, std::string message) {
    diags_->Add(SpecDiagnostic(text_, file_, at, std::move(message)));
  }
  void Error(const YAML::Node& n, std::string message) { Error(At(n), std::move(message)); }

  bool Scalar(const YAML::Node& n, const char* what, SpecText* out);
  void Paths(const YAML::Node& n, const char* what, std::vector<SpecText>* out);
  void Words(const YAML::Node& n, const char* what, std::vector<PacketWord>* out);
  bool KnownKeys(const YAML::Node& map, std::initializer_list<std::span<const std::string_view>>
                                            allowed, const char* where);
  void Selector(const YAML::Node& n, const char* key, RuleSelector* out);
  void Selectors(const YAML::Node& n, const char* key, std::vector<RuleSelector>* out);
  void Nat(const YAML::Node& n, Expectations* e);
  void Log(const YAML::Node& n, Expectations* e);
  void Expect(const YAML::Node& map, Expectations* e);
  void ReadPacket(const YAML::Node& n, SpecPacket* out);
  void Case(const YAML::Node& n, size_t index, SpecCase* out);
  void Assume(const YAML::Node& n, TestSpec* out);

  std::string_view text_;
  const std::string& file_;
  DiagnosticSink* diags_;
};

std::string KeyOf(const YAML::Node& key) { return key.IsScalar() ? key.Scalar() : ""; }

bool SpecReader::Scalar(const YAML::Node& n, const char* what, SpecText* out) {
  if (!n.IsScalar()) {
    Error(n, std::string(what) + " takes a single value (a string)");
    return false;
  }
  *out = {n.Scalar(), At(n)};
  return true;
}

void SpecReader::Paths(const YAML::Node& n, const char* what, std::vector<SpecText>* out) {
  auto one = [&](const YAML::Node& item) {
    SpecText t;
    if (!Scalar(item, what, &t)) return;
    if (t.text.empty()) return Error(item, std::string(what) + ": empty path");
    t.text = SpecRelativePath(file_, t.text);
    out->push_back(std::move(t));
  };
  if (n.IsSequence()) {
    if (n.size() == 0) Error(n, std::string(what) + ": an empty list");
    for (const YAML::Node& item : n) one(item);
  } else {
    one(n);
  }
}

void SpecReader::Words(const YAML::Node& n, const char* what, std::vector<PacketWord>* out) {
  if (n.IsSequence()) {
    for (const YAML::Node& item : n) {
      if (!item.IsScalar()) {
        Error(item, std::string(what) + ": a packet's words are strings");
        continue;
      }
      out->push_back({item.Scalar(), At(item)});
    }
    return;
  }
  if (!n.IsScalar()) {
    Error(n, std::string(what) + " takes packet options: a string or a list of words");
    return;
  }
  // A line of words, split as `--packets` lines are (quotes, backslashes).
  std::vector<iptsim::SpecWord> words;
  uint32_t error_col = 0;
  SpecPos at = At(n);
  // A quoted scalar's text starts one column after its mark.
  const size_t start = LineStart(text_, at.line) + at.col - 1;
  const size_t offset =
      start < text_.size() && (text_[start] == '"' || text_[start] == '\'') ? 1 : 0;
  Status st = SplitPacketLine(n.Scalar(), &words, &error_col);
  if (!st.ok()) {
    Error({at.line, at.col + static_cast<uint32_t>(offset) + error_col - 1},
          std::string(what) + ": " + st.message());
    return;
  }
  for (auto& w : words)
    out->push_back({std::move(w.text), {at.line, at.col + static_cast<uint32_t>(offset) + w.col - 1}});
}

bool SpecReader::KnownKeys(const YAML::Node& map,
                           std::initializer_list<std::span<const std::string_view>> allowed,
                           const char* where) {
  bool ok = true;
  std::vector<std::string_view> names;
  for (auto list : allowed) names.insert(names.end(), list.begin(), list.end());
  for (const auto& kv : map) {
    std::string key = KeyOf(kv.first);
    bool known = false;
    for (std::string_view k : names) known = known || k == key;
    if (known) continue;
    std::string guess = ClosestName(key, names);
    Error(kv.first, "unknown key '" + key + "' in " + where +
                        (guess.empty() ? "" : ", did you mean '" + guess + "'?"));
    ok = false;
  }
  return ok;
}

void SpecReader::Selector(const YAML::Node& n, const char* key, RuleSelector* out) {
  out->at = At(n);
  if (n.IsMap()) {
    if (n.size() != 1 || !n["comment"] || !n["comment"].IsScalar()) {
      Error(n, std::string(key) + ": a map names a rule by its comment: {comment: TEXT}");
      return;
    }
    out->kind = RuleSelector::Kind::kComment;
    out->text = n["comment"].Scalar();
    return;
  }
  SpecText t;
  if (!Scalar(n, key, &t)) return;
  out->text = t.text;
  const std::string& s = t.text;
  if (s.rfind("-A ", 0) == 0 || s.rfind("-t ", 0) == 0 || s.rfind("--append ", 0) == 0) {
    out->kind = RuleSelector::Kind::kText;
    return;
  }
  size_t c1 = s.find(':'), c2 = c1 == std::string::npos ? c1 : s.find(':', c1 + 1);
  if (c2 == std::string::npos || c1 == 0 || c2 == c1 + 1 || c2 + 1 == s.size() ||
      s.find(':', c2 + 1) != std::string::npos) {
    Error(n, std::string(key) + ": name a rule as TABLE:CHAIN:N (or TABLE:CHAIN:policy), as "
                                "'-A CHAIN ...' (iptables -S text) or as {comment: TEXT}, not '" +
                 s + "'");
    return;
  }
  out->kind = RuleSelector::Kind::kPosition;
}

void SpecReader::Selectors(const YAML::Node& n, const char* key, std::vector<RuleSelector>* out) {
  if (!n.IsSequence()) {
    out->emplace_back();
    return Selector(n, key, &out->back());
  }
  for (const YAML::Node& item : n) {
    out->emplace_back();
    Selector(item, key, &out->back());
  }
}

void SpecReader::Nat(const YAML::Node& n, Expectations* e) {
  if (n.IsScalar()) {
    e->nat_rewritten = SpecText{n.Scalar(), At(n)};
    return;
  }
  if (!n.IsMap()) return Error(n, "nat takes ADDRESS[:PORT] or {src: ..., dst: ...}");
  static constexpr std::string_view kSides[] = {"src", "dst"};
  KnownKeys(n, {kSides}, "nat");
  SpecText t;
  if (n["src"] && Scalar(n["src"], "nat: src", &t)) e->nat_src = t;
  if (n["dst"] && Scalar(n["dst"], "nat: dst", &t)) e->nat_dst = t;
}

void SpecReader::Log(const YAML::Node& n, Expectations* e) {
  e->has_log = true;
  auto one = [&](const YAML::Node& item) {
    if (item.IsScalar()) {
      e->log.push_back({item.Scalar(), false, At(item)});
    } else if (item.IsMap() && item.size() == 1 && item["exact"] && item["exact"].IsScalar()) {
      e->log.push_back({item["exact"].Scalar(), true, At(item)});
    } else {
      Error(item, "log: each line is a substring (a string) or {exact: LINE}");
    }
  };
  if (n.IsSequence()) {
    for (const YAML::Node& item : n) one(item);
  } else {
    one(n);
  }
}

void SpecReader::Expect(const YAML::Node& map, Expectations* e) {
  if (const YAML::Node n = map["verdict"]) {
    SpecText t;
    if (Scalar(n, "verdict", &t)) {
      std::string first = t.text.substr(0, t.text.find(' '));
      bool known = false;
      for (std::string_view v : kVerdicts) known = known || v == first;
      if (!known || (first != "REJECT" && first != t.text))
        Error(n, "verdict: '" + t.text + "' is none of ACCEPT, DROP, REJECT [TYPE], QUEUE, STOLEN");
      else
        e->verdict = t;
    }
  }
  if (const YAML::Node n = map["rule"]) Selectors(n, "rule", &e->rule);
  if (const YAML::Node n = map["path_includes"]) Selectors(n, "path_includes", &e->path_includes);
  if (const YAML::Node n = map["path_excludes"]) Selectors(n, "path_excludes", &e->path_excludes);
  if (const YAML::Node n = map["nat"]) Nat(n, e);
  if (const YAML::Node n = map["mark"]) {
    SpecText t;
    uint64_t v;
    if (Scalar(n, "mark", &t)) {
      if (ParseUInt(t.text, 0, UINT32_MAX, &v)) {
        e->mark = static_cast<uint32_t>(v);
        e->mark_at = t.at;
      } else {
        Error(n, "mark: '" + t.text + "' is not a 32-bit number (decimal or 0x hex)");
      }
    }
  }
  if (const YAML::Node n = map["ctstate"]) {
    SpecText t;
    if (Scalar(n, "ctstate", &t)) {
      bool known = false;
      for (std::string_view s : kCtStates) known = known || s == t.text;
      if (known)
        e->ctstate = t;
      else
        Error(n, "ctstate: '" + t.text +
                     "' is none of NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED");
    }
  }
  if (const YAML::Node n = map["log"]) Log(n, e);
}

void SpecReader::ReadPacket(const YAML::Node& n, SpecPacket* out) {
  out->at = At(n);
  if (!n.IsMap()) return Words(n, "packet", &out->words);
  KnownKeys(n, {std::span<const std::string_view>(kCaseKeys, 2), kExpectKeys}, "a flow's packet");
  if (n["name"]) Error(n["name"], "a flow's packets have no name (the case has)");
  if (!n["packet"]) return Error(n, "a flow's packet needs 'packet:' (its options)");
  Words(n["packet"], "packet", &out->words);
  Expect(n, &out->expect);
}

void SpecReader::Case(const YAML::Node& n, size_t index, SpecCase* out) {
  out->at = At(n);
  if (!n.IsMap()) return Error(n, "a case is a map (name:, packet: or flow:, expectations)");
  KnownKeys(n, {kCaseKeys, kExpectKeys}, "a case");
  SpecText name;
  if (!n["name"])
    out->name = "case " + std::to_string(index + 1);
  else if (Scalar(n["name"], "name", &name))
    out->name = name.text;
  const YAML::Node packet = n["packet"], flow = n["flow"];
  if (packet && flow) return Error(flow, "a case has 'packet:' or 'flow:', not both");
  if (!packet && !flow) return Error(n, "case '" + out->name + "' has no 'packet:' or 'flow:'");
  if (packet) {
    out->packets.emplace_back();
    Words(packet, "packet", &out->packets.back().words);
    out->packets.back().at = At(packet);
  } else {
    out->flow = true;
    if (!flow.IsSequence() || flow.size() == 0)
      return Error(flow, "flow: a list of packets (each options, or {packet:, expectations})");
    for (const YAML::Node& item : flow) {
      out->packets.emplace_back();
      ReadPacket(item, &out->packets.back());
    }
  }
  Expectations& last = out->packets.back().expect;
  Expectations own;
  Expect(n, &own);
  if (!own.empty() && !last.empty())
    Error(n, "case '" + out->name +
                 "': expectations both on the case and on its flow's last packet; put them "
                 "in one place");
  else if (!own.empty())
    last = std::move(own);
  if (n["golden"]) {
    SpecText g;
    if (Scalar(n["golden"], "golden", &g)) {
      g.text = SpecRelativePath(file_, g.text);
      out->golden = g;
    }
  }
  // Expectation keys count even when their value was refused above.
  auto has_expectation = [](const YAML::Node& map) {
    if (!map.IsMap()) return false;
    for (std::string_view k : kExpectKeys)
      if (map[std::string(k)]) return true;
    return false;
  };
  bool any = n["golden"] || has_expectation(n);
  if (flow)
    for (const YAML::Node& item : flow) any = any || has_expectation(item);
  if (!any)
    Error(n, "case '" + out->name + "' expects nothing (give verdict:, rule:, golden: ...)");
}

void SpecReader::Assume(const YAML::Node& n, TestSpec* out) {
  if (!n.IsMap()) return Error(n, "assume takes a map of extension names: {cgroup: true}");
  for (const auto& kv : n) {
    std::string value = kv.second.IsScalar() ? kv.second.Scalar() : "";
    if (value != "true" && value != "false") {
      Error(kv.second, "assume: " + KeyOf(kv.first) + " takes true or false");
      continue;
    }
    out->assume[KeyOf(kv.first)] = value == "true";
  }
}

void SpecReader::Read(const YAML::Node& root, TestSpec* out) {
  if (!root.IsMap()) return Error(root, "a test spec is a map (rules:, cases: ...)");
  KnownKeys(root, {kTopKeys}, "a test spec");
  if (!root["rules"]) Error(root, "the spec names no ruleset ('rules: FILE')");
  else Paths(root["rules"], "rules", &out->rules);
  if (const YAML::Node h = root["host"]) {
    std::vector<SpecText> one;
    if (h.IsSequence()) Error(h, "host takes one file");
    else Paths(h, "host", &one);
    if (!one.empty()) out->host = one[0];
  }
  if (const YAML::Node s = root["ipsets"]) Paths(s, "ipsets", &out->ipsets);
  if (const YAML::Node d = root["defaults"]) Words(d, "defaults", &out->defaults);
  if (const YAML::Node n = root["seed"]) {
    SpecText t;
    uint64_t v;
    if (Scalar(n, "seed", &t) && ParseUIntDec(t.text, 0, UINT64_MAX, &v))
      out->seed = v;
    else if (n.IsScalar())
      Error(n, "seed takes a non-negative integer, not '" + t.text + "'");
  }
  if (const YAML::Node n = root["assume"]) Assume(n, out);
  const YAML::Node cases = root["cases"];
  if (!cases || !cases.IsSequence() || cases.size() == 0)
    return Error(cases ? cases : root, "the spec has no cases ('cases:', a list)");
  for (size_t i = 0; i < cases.size(); ++i) {
    out->cases.emplace_back();
    Case(cases[i], i, &out->cases.back());
  }
  // Names identify cases in reports and -k; two alike would be confused.
  for (size_t i = 0; i < out->cases.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (out->cases[i].name == out->cases[j].name) {
        Error(out->cases[i].at, "a second case named '" + out->cases[i].name + "' (line " +
                                    std::to_string(out->cases[j].at.line) + " has the first)");
        break;
      }
}

}  // namespace

Diagnostic SpecDiagnostic(std::string_view text, const std::string& file, SpecPos at,
                          std::string message) {
  Diagnostic d;
  d.file = file;
  d.line = at.line;
  d.col = at.col;
  d.message = std::move(message);
  if (at.line) {
    size_t pos = LineStart(text, at.line);
    size_t end = text.find('\n', pos);
    d.source_line = std::string(text.substr(pos, end == std::string_view::npos ? end : end - pos));
    if (!d.source_line.empty() && d.source_line.back() == '\r') d.source_line.pop_back();
  }
  return d;
}

std::string SpecRelativePath(const std::string& spec_file, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  // "specs/../rulesets/x.v4" is named "rulesets/x.v4" in reports.
  return (std::filesystem::path(spec_file).parent_path() / path).lexically_normal().string();
}

bool ReadTestSpec(std::string_view text, const std::string& file, TestSpec* out,
                  DiagnosticSink* diags) {
  out->file = file;
  const size_t errors_before = diags->error_count();
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    SpecPos at;
    if (e.mark.line >= 0)
      at = {static_cast<uint32_t>(e.mark.line + 1), static_cast<uint32_t>(e.mark.column + 1)};
    diags->Add(SpecDiagnostic(text, file, at, "not valid YAML: " + e.msg));
    return false;
  }
  try {
    SpecReader(text, file, diags).Read(root, out);
  } catch (const YAML::Exception& e) {
    // yaml-cpp throws on a few malformed trees (an alias to nothing...).
    diags->Add(SpecDiagnostic(text, file, {}, "cannot read the spec: " + e.msg));
  }
  return diags->error_count() == errors_before;
}

}  // namespace iptsim
