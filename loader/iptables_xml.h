// iptables-xml output read as a ruleset: the XML becomes the iptables-save
// text that iptables' own iptables.xslt makes of it, with a map from every
// piece of every produced line back to the XML element it came from, so that
// the loader's diagnostics (and the rules' line numbers) point into the XML.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/diagnostics.h"

namespace iptsim {

// Where a stretch of a produced line came from: from column `col` of that
// line (1-based) on, the XML text at xml_line:xml_col, xml_len bytes long.
struct XmlSpan {
  uint32_t col = 1;
  uint32_t xml_line = 1;
  uint32_t xml_col = 1;
  uint32_t xml_len = 1;
};

struct IptablesXmlText {
  std::string text;                       // iptables-save text, one line per rule
  std::vector<std::vector<XmlSpan>> map;  // map[n - 1]: line n's spans, by column
};

// True when the first line that is not blank starts like XML ("<?xml" or
// "<iptables-rules"): the loader then reads the text with ReadIptablesXml.
bool LooksLikeIptablesXml(std::string_view text);

// Converts iptables-xml output (with or without -c/--combine and -v) to
// iptables-save text.  Returns false, with errors in `sink` pointing into
// the XML, when the text is not well-formed XML or not iptables-xml's shape.
bool ReadIptablesXml(std::string_view xml, const std::string& file, IptablesXmlText* out,
                     DiagnosticSink* sink);

// Points diagnostics about the produced text into the XML `xml` instead:
// line, column, length and source line.  One tied to no line stays as it is.
void PointIntoXml(const IptablesXmlText& produced, std::string_view xml,
                  std::vector<Diagnostic>* diagnostics);

// The XML line that produced line `line` (1-based) came from (0 stays 0).
uint32_t XmlLineOf(const IptablesXmlText& produced, uint32_t line);

}  // namespace iptsim
