#include "output/trace_output.h"

#include <algorithm>
#include <tuple>
#include <vector>

#include "engine/log_format.h"
#include "engine/walker.h"
#include "loader/printer.h"
#include "output/answer.h"

namespace iptsim {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n;
  uint32_t cp;
  if (c >= 0xc2 && c <= 0xdf) n = 2, cp = c & 0x1f;
  else if (c >= 0xe0 && c <= 0xef) n = 3, cp = c & 0x0f;
  else if (c >= 0xf0 && c <= 0xf4) n = 4, cp = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (b(i + k) & 0x3f);
  }
  // Overlong forms, surrogates, beyond U+10FFFF.
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
      (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return n;
}

}  // namespace

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  out.reserve(s.size() + 2);
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      size_t n = Utf8Length(s, i);
      if (n) {
        out.append(s.substr(i, n));
        i += n;
        continue;
      }
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20 || c >= 0x80) {
          char buf[8];
          snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
  return out;
}

std::unordered_map<const Rule*, uint64_t> NftRuleHandles(const Ruleset& rs) {
  std::unordered_map<const Rule*, uint64_t> handles;
  for (const Table& t : rs.tables) {
    // (line, 0 = a chain / 1 = a rule, position, rule)
    std::vector<std::tuple<uint32_t, int, size_t, const Rule*>> objects;
    size_t pos = 0;
    for (const Chain& c : t.chains) {
      if (c.line > 0) objects.emplace_back(c.line, 0, pos++, nullptr);
      else if (c.builtin && !c.rules.empty()) objects.emplace_back(c.rules[0].line, 0, pos++, nullptr);
      for (const Rule& r : c.rules) objects.emplace_back(r.line, 1, pos++, &r);
    }
    std::sort(objects.begin(), objects.end());
    uint64_t handle = 0;
    for (const auto& o : objects) {
      ++handle;
      if (std::get<3>(o)) handles[std::get<3>(o)] = handle;
    }
  }
  return handles;
}

bool NftChainExists(const Chain& chain) {
  return !chain.builtin || chain.line > 0 || !chain.rules.empty();
}

uint32_t NftTraceId(uint32_t n) {
  uint32_t h = n;
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

// ---- --format nft ---------------------------------------------------------

XtablesMonitorFormat::XtablesMonitorFormat(const Ruleset& rs, FILE* out)
    : rs_(rs), out_(out), handles_(NftRuleHandles(rs)) {}

void XtablesMonitorFormat::BeginPacket(uint32_t trace_id) {
  id_ = trace_id;
  dumped_ = false;
}

void XtablesMonitorFormat::Emit(const std::string& line) {
  fwrite(line.data(), 1, line.size(), out_);
  fputc('\n', out_);
  ++lines_;
}

void XtablesMonitorFormat::DumpPacket(const RuleEvent& e) {
  if (dumped_) return;
  dumped_ = true;
  Emit(FormatXtablesMonitorPacket(*e.packet, id_));
}

static std::string TracePrefixNft(const RuleEvent& e, uint32_t id) {
  char buf[48];
  snprintf(buf, sizeof buf, " TRACE: %d %08x ", e.packet->family == Family::kIPv6 ? 10 : 2, id);
  return buf + std::string(TableName(e.table)) + ":" + e.chain->name + ":";
}

void XtablesMonitorFormat::OnRule(const RuleEvent& e) {
  // Only the base chain's policy is reported before anything ran; matched
  // rules come through OnRuleDone, a user chain's end gives no event.
  if (e.rule || !e.chain->builtin || !e.traced || !NftChainExists(*e.chain)) return;
  DumpPacket(e);
  Emit(TracePrefixNft(e, id_) + "policy:" +
       (e.chain->policy == Policy::kAccept ? "ACCEPT" : "DROP") + " ");
}

void XtablesMonitorFormat::OnRuleDone(const RuleEvent& e, RuleOutcome outcome, const Chain* to) {
  if (!e.traced || !e.rule) return;
  std::string verdict;
  switch (outcome) {
    case RuleOutcome::kContinue: verdict = "CONTINUE"; break;
    case RuleOutcome::kAccept: verdict = "ACCEPT"; break;
    case RuleOutcome::kDrop: verdict = "DROP"; break;
    case RuleOutcome::kQueue: verdict = "QUEUE"; break;
    case RuleOutcome::kStolen: verdict = "STOLEN"; break;
    case RuleOutcome::kReturn: verdict = "0xfffffffb"; break;  // NFT_RETURN, printed raw
    case RuleOutcome::kJump: verdict = "JUMP:" + (to ? to->name : std::string()); break;
    case RuleOutcome::kGoto: verdict = "GOTO:" + (to ? to->name : std::string()); break;
    case RuleOutcome::kUnknown: return;
  }
  const Table* table = rs_.FindTable(e.table);
  if (!table) return;
  auto h = handles_.find(e.rule);
  char handle[24];
  snprintf(handle, sizeof handle, "0x%llx",
           static_cast<unsigned long long>(h == handles_.end() ? 0 : h->second));
  std::string rule;
  SaveRule(*table, *e.rule, e.chain->name, rs_.family, rule);
  while (!rule.empty() && (rule.back() == '\n' || rule.back() == ' ')) rule.pop_back();
  DumpPacket(e);
  Emit(TracePrefixNft(e, id_) + "rule:" + handle + ":" + verdict + "  " +
       (rs_.family == Family::kIPv6 ? "-6" : "-4") + " -t " + std::string(TableName(e.table)) +
       " " + rule);
}

void XtablesMonitorFormat::OnTableVerdict(TableId, Hook, Verdict) { dumped_ = false; }

// ---- --format json --------------------------------------------------------

JsonTraceFormat::JsonTraceFormat(const Ruleset& rs, std::string* out) : rs_(rs), out_(out) {}

std::string JsonTraceFormat::Entry(const RuleEvent& e, std::string_view event) const {
  std::string s = "{\"event\":" + JsonString(event) +
                  ",\"table\":" + JsonString(TableName(e.table)) +
                  ",\"chain\":" + JsonString(e.chain->name) +
                  ",\"label\":" + JsonString(TraceLabelName(e.label)) +
                  ",\"number\":" + std::to_string(e.number) +
                  ",\"traced\":" + (e.traced ? "true" : "false");
  if (generated_) s += ",\"generated\":" + JsonString(generated_);
  if (e.rule) {
    s += ",\"rule\":" + JsonString(e.rule->text) +
         ",\"source\":" + JsonString(rs_.file + ":" + std::to_string(e.rule->line));
  } else {
    s += ",\"rule\":null,\"source\":null";
  }
  return s;
}

void JsonTraceFormat::OnRule(const RuleEvent& e) {
  if (e.rule) {  // reported with its verdict by OnRuleDone; its LOG line after it
    in_rule_ = true;
    return;
  }
  std::string verdict = !e.chain->builtin ? "RETURN"
                        : e.chain->policy == Policy::kAccept ? "ACCEPT"
                                                             : "DROP";
  *out_ += Entry(e, "rule") + ",\"verdict\":" + JsonString(verdict) +
           ",\"packet\":" + std::to_string(packet_) + "}\n";
}

void JsonTraceFormat::OnRuleDone(const RuleEvent& e, RuleOutcome outcome, const Chain* to) {
  if (outcome == RuleOutcome::kUnknown) return;  // OnUnknown reports it
  std::string s = Entry(e, "rule") + ",\"verdict\":" + JsonString(RuleOutcomeName(outcome));
  if (to) s += ",\"to\":" + JsonString(to->name);
  *out_ += s + ",\"packet\":" + std::to_string(packet_) + "}\n" + held_;
  held_.clear();
  in_rule_ = false;
}

void JsonTraceFormat::OnLog(int level, std::string_view line) {
  (in_rule_ ? held_ : *out_) += "{\"event\":\"log\",\"level\":" + std::to_string(level) +
           ",\"line\":" + JsonString(line) + ",\"packet\":" + std::to_string(packet_) + "}\n";
}

void JsonTraceFormat::OnUnknown(const RuleEvent& e, std::string_view reason) {
  *out_ += Entry(e, "unknown") + ",\"reason\":" + JsonString(reason) +
           ",\"packet\":" + std::to_string(packet_) + "}\n" + held_;
  held_.clear();
  in_rule_ = false;
}

void JsonTraceFormat::OnGeneratedBegin(GeneratedKind kind, const Packet&) {
  generated_ = kind == GeneratedKind::kRejectReply ? "reject-reply" : "tee-copy";
}

void JsonTraceFormat::OnGeneratedEnd(GeneratedKind) { generated_ = nullptr; }

std::string JsonTraceFormat::EntryObject(const DecidingEntry& d) const {
  const TraceLabel label = d.rule ? LabelFor(*d.chain, *d.rule, rs_.family) : TraceLabel::kPolicy;
  std::string s = "{\"table\":" + JsonString(TableName(d.table)) +
                  ",\"chain\":" + JsonString(d.chain->name) +
                  ",\"label\":" + JsonString(TraceLabelName(label)) +
                  ",\"number\":" + std::to_string(d.number);
  s += d.rule ? ",\"rule\":" + JsonString(d.rule->text) + ",\"source\":" +
                    JsonString(rs_.file + ":" + std::to_string(d.rule->line))
              : std::string(",\"rule\":null,\"source\":null");
  return s + "}";
}

void JsonTraceFormat::EndPacket(const RunResult& run, bool default_path,
                                const std::vector<DecidingEntry>& via) {
  *out_ += held_;
  held_.clear();
  in_rule_ = false;
  const SimResult& res = run.sim;
  const bool decided = res.decided_by.chain && res.verdict != Verdict::kUnknown;
  std::string by = decided ? EntryObject(res.decided_by) : "null";
  if (decided) {
    by += ",\"via\":[";
    for (size_t i = 0; i < via.size(); ++i) by += (i ? "," : "") + EntryObject(via[i]);
    by += "]";
  }
  *out_ += "{\"event\":\"verdict\",\"verdict\":" + JsonString(FinalVerdictName(res)) +
           ",\"table\":" + JsonString(TableName(res.table)) +
           ",\"chain\":" + JsonString(HookChainName(res.hook)) +
           ",\"path\":" + JsonString(PacketPathName(run.path)) +
           ",\"default_path\":" + (default_path ? "true" : "false") + ",\"decided_by\":" + by;
  if (!res.unknown_reason.empty()) *out_ += ",\"reason\":" + JsonString(res.unknown_reason);
  *out_ += ",\"packet\":" + std::to_string(packet_) + "}\n";
}

}  // namespace iptsim
