// iptables-xml output to iptables-save text, the way iptables.xslt (shipped
// with iptables) does it:
//   <table name="T">                      *T, then ":C POLICY [p:b]" per chain
//   <chain name="C" policy="P" ...>       (no policy: "-"), then the rules
//   <rule packet-count="p" byte-count="b"> "[p:b] -A C" (counters only when given)
//   <conditions><match>...</match>        options of no module: no "-m"
//               <M>...</M>                " -m M" and M's options
//   <x invert="1">v</x>                   " ! -x v" (one letter) / " ! --x v" (longer)
//   <actions><call><C/></call>            " -j C" (a jump to a user chain)
//            <goto><C/></goto>            " -g C"
//            <T><opt>v</opt></T>          " -j T --opt v"
// One produced line per action: "iptables-xml -c" folds the actions of
// consecutive rules with the same conditions into one <rule>, and the xslt
// unfolds them again.  Where the xslt would write text it does not read
// back (a chain header twice, when iptables-xml split a chain whose rules
// were interleaved with another's), the chain's header is written once.
#include "loader/iptables_xml.h"

#include <pugixml.hpp>

#include <algorithm>
#include <cstdlib>
#include <set>

namespace iptsim {

namespace {

// Byte offsets to line:col, and the lines themselves, for diagnostics.
class XmlPositions {
 public:
  explicit XmlPositions(std::string_view xml) : xml_(xml) {
    starts_.push_back(0);
    for (size_t i = 0; i < xml.size(); ++i)
      if (xml[i] == '\n') starts_.push_back(i + 1);
  }
  XmlSpan At(ptrdiff_t offset, size_t len) const {
    size_t off = offset < 0 ? 0 : std::min(static_cast<size_t>(offset), xml_.size());
    size_t line = std::upper_bound(starts_.begin(), starts_.end(), off) - starts_.begin();
    XmlSpan s;
    s.xml_line = static_cast<uint32_t>(line);
    s.xml_col = static_cast<uint32_t>(off - starts_[line - 1] + 1);
    s.xml_len = static_cast<uint32_t>(std::max<size_t>(len, 1));
    return s;
  }
  std::string_view Line(uint32_t line) const {
    if (line == 0 || line > starts_.size()) return {};
    size_t begin = starts_[line - 1];
    size_t end = line < starts_.size() ? starts_[line] - 1 : xml_.size();
    std::string_view l = xml_.substr(begin, end - begin);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    return l;
  }

 private:
  std::string_view xml_;
  std::vector<size_t> starts_;
};

// A character reference as iptables-xml writes it ("&#233;" for the byte
// 0xe9 of a UTF-8 comment): code points up to 255 are the bytes themselves;
// larger ones (only a hand-written file has them) are UTF-8.
void AppendCodePoint(unsigned long cp, std::string* out) {
  if (cp < 0x100) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xc0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xe0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    *out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    *out += static_cast<char>(0xf0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    *out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// XML's five entities and character references; anything else (a stray
// '&') is kept as written, as pugixml itself does.
std::string DecodeEntities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += s[i];
      continue;
    }
    std::string_view name = s.substr(i + 1, semi - i - 1);
    static const std::pair<std::string_view, char> kNamed[] = {
        {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}};
    bool done = false;
    for (const auto& [n, c] : kNamed)
      if (name == n) {
        out += c;
        done = true;
      }
    if (!done && name.size() > 1 && name[0] == '#') {
      const bool hex = name[1] == 'x';
      std::string digits(name.substr(hex ? 2 : 1));
      char* end = nullptr;
      unsigned long cp = digits.empty() ? 0 : std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
      if (!digits.empty() && *end == '\0' && cp > 0 && cp <= 0x10ffff &&
          digits.find_first_of("+- ") == std::string::npos) {
        AppendCodePoint(cp, &out);
        done = true;
      }
    }
    if (!done) {
      out += s[i];
      continue;
    }
    i = semi;
  }
  return out;
}

// XPath's "@invert=1": the attribute's value as a number is 1.
bool Inverted(const pugi::xml_node& n) {
  pugi::xml_attribute a = n.attribute("invert");
  if (!a) return false;
  std::string v = DecodeEntities(a.value());
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  while (end && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')) ++end;
  return end != v.c_str() && *end == '\0' && d == 1.0 && v.find_first_of("xXnN") == std::string::npos;
}

class Converter {
 public:
  Converter(std::string_view xml, const std::string& file, IptablesXmlText* out,
            DiagnosticSink* sink)
      : pos_(xml), file_(file), out_(out), sink_(sink) {}

  bool Run(const pugi::xml_document& doc);

 private:
  XmlSpan SpanOf(const pugi::xml_node& n) const {
    const bool element = n.type() == pugi::node_element;
    return pos_.At(n.offset_debug(), element ? std::string_view(n.name()).size()
                                             : std::string_view(n.value()).size());
  }
  void Error(const pugi::xml_node& n, std::string message) {
    XmlSpan s = SpanOf(n);
    Diagnostic d;
    d.file = file_;
    d.line = s.xml_line;
    d.col = s.xml_col;
    d.len = s.xml_len;
    d.message = std::move(message);
    d.source_line = std::string(pos_.Line(s.xml_line));
    sink_->Add(std::move(d));
  }
  // Adds `s` to the line being made, as coming from `n`.
  void Add(std::string_view s, const pugi::xml_node& n) {
    if (s.empty()) return;
    XmlSpan span = SpanOf(n);
    span.col = static_cast<uint32_t>(line_.size() + 1);
    spans_.push_back(span);
    line_ += s;
  }
  void EndLine() {
    out_->text += line_;
    out_->text += '\n';
    out_->map.push_back(std::move(spans_));
    line_.clear();
    spans_.clear();
  }
  // Text of a text node, decoded; false (with an error) when it would break
  // the one-line-per-rule text.
  bool TextOf(const pugi::xml_node& n, std::string* text) {
    *text = n.type() == pugi::node_cdata ? std::string(n.value()) : DecodeEntities(n.value());
    if (text->find_first_of("\r\n") != std::string::npos ||
        text->find('\0') != std::string::npos) {
      Error(n, "a line break or NUL byte in a value: iptables-xml never writes one, and "
               "iptables-save text cannot hold it");
      return false;
    }
    return true;
  }
  bool IsText(const pugi::xml_node& n) const {
    return n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata;
  }
  // Only elements named `allowed` (and comments) inside `parent`.
  bool CheckChildren(const pugi::xml_node& parent, std::string_view allowed,
                     std::string_view allowed2 = {});

  void Table(const pugi::xml_node& table);
  bool Rule(const pugi::xml_node& rule, const std::string& chain);
  bool RuleHead(const pugi::xml_node& rule, const std::string& chain);
  bool Option(const pugi::xml_node& option);
  bool Contents(const pugi::xml_node& element);
  bool Action(const pugi::xml_node& action);

  XmlPositions pos_;
  const std::string& file_;
  IptablesXmlText* out_;
  DiagnosticSink* sink_;
  std::string line_;
  std::vector<XmlSpan> spans_;
};

bool Converter::CheckChildren(const pugi::xml_node& parent, std::string_view allowed,
                              std::string_view allowed2) {
  bool ok = true;
  for (const pugi::xml_node& c : parent.children()) {
    if (c.type() == pugi::node_element && (c.name() == allowed || c.name() == allowed2))
      continue;
    if (c.type() == pugi::node_comment || c.type() == pugi::node_pi ||
        c.type() == pugi::node_declaration || c.type() == pugi::node_doctype)
      continue;
    std::string what = c.type() == pugi::node_element ? "element <" + std::string(c.name()) + ">"
                                                       : std::string("text");
    std::string expected = "<" + std::string(allowed) + ">";
    if (!allowed2.empty()) expected += " or <" + std::string(allowed2) + ">";
    Error(c, "unexpected " + what + " inside <" + std::string(parent.name()) +
                 ">: iptables-xml writes only " + expected + " there");
    ok = false;
  }
  return ok;
}

bool Converter::Run(const pugi::xml_document& doc) {
  pugi::xml_node root = doc.document_element();
  if (!root) {
    Error(doc, "no element: iptables-xml output is one <iptables-rules> element");
    return false;
  }
  if (std::string_view(root.name()) != "iptables-rules") {
    Error(root, "the root element is <" + std::string(root.name()) +
                    ">: iptables-xml output is one <iptables-rules> element");
    return false;
  }
  if (!CheckChildren(root, "table")) return false;
  const size_t errors = sink_->error_count();
  for (const pugi::xml_node& table : root.children("table")) Table(table);
  return sink_->error_count() == errors;
}

void Converter::Table(const pugi::xml_node& table) {
  if (!CheckChildren(table, "chain")) return;
  pugi::xml_attribute name = table.attribute("name");
  if (!name) {
    Error(table, "<table> without its name=\"...\" attribute");
    return;
  }
  Add("*" + DecodeEntities(name.value()), table);
  EndLine();
  // The chain headers first (each name once), then the rules in document
  // order, as the xslt does.
  std::set<std::string> declared;
  for (const pugi::xml_node& chain : table.children("chain")) {
    // iptables-xml -c compares a rule with the one before it even across
    // tables: a first rule with the chain name and conditions of the last
    // rule of the table before is "combined" into nothing, an <actions>
    // without its <rule>, and its conditions are gone.
    if (pugi::xml_node lost = chain.child("actions")) {
      Error(lost, "<actions> without its <rule>: 'iptables-xml -c' writes this for a rule it "
                  "folds into the previous table's last rule (same chain name and conditions), "
                  "and the rule's conditions are lost; run iptables-xml without -c");
      return;
    }
    if (!CheckChildren(chain, "rule")) return;
    pugi::xml_attribute cname = chain.attribute("name");
    if (!cname) {
      Error(chain, "<chain> without its name=\"...\" attribute");
      return;
    }
    std::string n = DecodeEntities(cname.value());
    if (!declared.insert(n).second) continue;
    std::string policy = DecodeEntities(chain.attribute("policy").value());
    std::string pkts = DecodeEntities(chain.attribute("packet-count").value());
    std::string bytes = DecodeEntities(chain.attribute("byte-count").value());
    Add(":" + n + " " + (policy.empty() ? "-" : policy) + " [" + (pkts.empty() ? "0" : pkts) +
            ":" + (bytes.empty() ? "0" : bytes) + "]",
        chain);
    EndLine();
  }
  for (const pugi::xml_node& chain : table.children("chain")) {
    std::string n = DecodeEntities(chain.attribute("name").value());
    for (const pugi::xml_node& rule : chain.children("rule"))
      if (!Rule(rule, n)) return;
  }
  Add("COMMIT", table);
  EndLine();
}

bool Converter::RuleHead(const pugi::xml_node& rule, const std::string& chain) {
  std::string pkts = DecodeEntities(rule.attribute("packet-count").value());
  std::string bytes = DecodeEntities(rule.attribute("byte-count").value());
  std::string head;
  if (!pkts.empty() || !bytes.empty())
    head = "[" + (pkts.empty() ? "0" : pkts) + ":" + (bytes.empty() ? "0" : bytes) + "] ";
  Add(head + "-A " + chain, rule);
  for (const pugi::xml_node& module : rule.child("conditions").children()) {
    if (IsText(module)) continue;  // the xslt writes only the elements here
    if (module.type() != pugi::node_element) continue;
    if (std::string_view(module.name()) != "match") Add(" -m " + std::string(module.name()), module);
    if (!Contents(module)) return false;
  }
  return true;
}

// " [!] -x VALUE" / " [!] --name VALUE", with any elements inside the same way.
bool Converter::Option(const pugi::xml_node& option) {
  std::string_view name = option.name();
  Add(std::string(Inverted(option) ? " !" : "") + (name.size() > 1 ? " --" : " -") +
          std::string(name) + " ",
      option);
  return Contents(option);
}

// What an element holds, in order: its text (the value) and the options nested in it.
bool Converter::Contents(const pugi::xml_node& element) {
  for (const pugi::xml_node& part : element.children()) {
    if (part.type() == pugi::node_element) {
      if (!Option(part)) return false;
    } else if (IsText(part)) {
      std::string text;
      if (!TextOf(part, &text)) return false;
      Add(text, part);
    }
  }
  return true;
}

bool Converter::Action(const pugi::xml_node& action) {
  std::string_view name = action.name();
  if (name == "call" || name == "goto") {
    Add(name == "call" ? " -j " : " -g ", action);
    bool any = false;
    for (const pugi::xml_node& chain : action.children()) {
      if (chain.type() != pugi::node_element) continue;
      any = true;
      Add(chain.name(), chain);
      if (!Contents(chain)) return false;
    }
    if (!any) {
      Error(action, "<" + std::string(name) + "> without the element that names its chain");
      return false;
    }
    return true;
  }
  Add(" -j " + std::string(name), action);
  for (const pugi::xml_node& option : action.children())
    if (option.type() == pugi::node_element && !Option(option)) return false;
  return true;
}

bool Converter::Rule(const pugi::xml_node& rule, const std::string& chain) {
  if (!CheckChildren(rule, "conditions", "actions")) return false;
  bool any_action = false;
  for (const pugi::xml_node& action : rule.child("actions").children()) {
    if (action.type() != pugi::node_element) continue;
    any_action = true;
    if (!RuleHead(rule, chain) || !Action(action)) return false;
    EndLine();
  }
  if (!any_action) {
    if (!RuleHead(rule, chain)) return false;
    EndLine();
  }
  return true;
}

}  // namespace

// "iptables-xml -v" (iptables 1.8.9) writes this line before the XML.
constexpr std::string_view kVerboseBanner = "xptables-xml\n";

bool LooksLikeIptablesXml(std::string_view text) {
  if (text.rfind(kVerboseBanner, 0) == 0) text.remove_prefix(kVerboseBanner.size());
  size_t i = text.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos) return false;
  // A UTF-8 byte order mark before the declaration.
  if (text.substr(i, 3) == "\xef\xbb\xbf") i += 3;
  std::string_view rest = text.substr(i);
  return rest.rfind("<?xml", 0) == 0 || rest.rfind("<iptables-rules", 0) == 0;
}

bool ReadIptablesXml(std::string_view xml, const std::string& file, IptablesXmlText* out,
                     DiagnosticSink* sink) {
  out->text.clear();
  out->map.clear();
  // The -v banner becomes blanks, keeping every offset.
  std::string unbannered;
  if (xml.rfind(kVerboseBanner, 0) == 0) {
    unbannered.assign(xml);
    unbannered.replace(0, kVerboseBanner.size() - 1, kVerboseBanner.size() - 1, ' ');
  }
  const std::string_view parse_text = unbannered.empty() ? xml : std::string_view(unbannered);
  pugi::xml_document doc;
  // Entities are decoded here (DecodeEntities), not by pugixml: iptables-xml
  // writes each byte of a UTF-8 comment as its own character reference.
  const unsigned flags = pugi::parse_cdata | pugi::parse_wconv_attribute | pugi::parse_eol |
                         pugi::parse_comments;
  pugi::xml_parse_result parsed =
      doc.load_buffer(parse_text.data(), parse_text.size(), flags, pugi::encoding_utf8);
  if (!parsed) {
    XmlPositions pos(xml);
    XmlSpan s = pos.At(parsed.offset, 1);
    Diagnostic d;
    d.file = file;
    d.line = s.xml_line;
    d.col = s.xml_col;
    d.message = std::string("this is not well-formed XML (") + parsed.description() + ")";
    // A tag XML cannot read: most likely a chain or target name (iptables-xml
    // writes them as element names) that is no XML name.
    if (parsed.status == pugi::status_unrecognized_tag ||
        parsed.status == pugi::status_bad_start_element)
      d.message +=
          "; iptables-xml writes chain and target names as element names, so a name XML "
          "does not allow (one starting with a digit or holding '~', '!', '%'...) makes its "
          "output unreadable: load the iptables-save text instead";
    d.source_line = std::string(pos.Line(s.xml_line));
    sink->Add(std::move(d));
    return false;
  }
  Converter converter(xml, file, out, sink);
  return converter.Run(doc);
}

void PointIntoXml(const IptablesXmlText& produced, std::string_view xml,
                  std::vector<Diagnostic>* diagnostics) {
  XmlPositions pos(xml);
  for (Diagnostic& d : *diagnostics) {
    if (d.line == 0 || d.line > produced.map.size()) continue;
    const std::vector<XmlSpan>& spans = produced.map[d.line - 1];
    if (spans.empty()) continue;
    // The last span that starts at or before the column.
    const XmlSpan* at = &spans.front();
    for (const XmlSpan& s : spans)
      if (s.col <= std::max<uint32_t>(d.col, 1)) at = &s;
    d.line = at->xml_line;
    d.col = at->xml_col;
    d.len = at->xml_len;
    d.source_line = std::string(pos.Line(at->xml_line));
  }
}

uint32_t XmlLineOf(const IptablesXmlText& produced, uint32_t line) {
  if (line == 0 || line > produced.map.size() || produced.map[line - 1].empty()) return line;
  return produced.map[line - 1].front().xml_line;
}

}  // namespace iptsim
