// libFuzzer target for the iptables-xml reader (loader/iptables_xml.cc):
// any input either converts or gets diagnostics; nothing may crash, hang or
// trip a sanitizer.  A conversion maps every produced line back into the
// XML (a line and column inside it), and loading the XML through
// LoadRuleset points every diagnostic at a line of the XML.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "loader/iptables_xml.h"
#include "loader/loader.h"

using namespace iptsim;

namespace {

size_t LineCount(const std::string& s) {
  size_t n = 1;
  for (char c : s) n += c == '\n';
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  // Half the inputs as they are, half behind iptables-xml's first line so
  // that the loader takes them for XML.
  std::string xml(reinterpret_cast<const char*>(data), size);
  if (size && (data[0] & 1)) xml = "<iptables-rules version=\"1.0\">\n" + xml.substr(1);
  const size_t xml_lines = LineCount(xml);
  IptablesXmlText out;
  DiagnosticSink sink;
  if (!ReadIptablesXml(xml, "fuzz.xml", &out, &sink)) {
    if (sink.error_count() == 0) abort();  // a failure always says why
  } else {
    size_t lines = 0;
    for (char c : out.text) lines += c == '\n';
    if (lines != out.map.size()) abort();
    for (const auto& spans : out.map)
      for (const XmlSpan& s : spans)
        if (s.xml_line == 0 || s.xml_line > xml_lines || s.xml_col == 0) abort();
  }
  (void)sink.Format();
  if (!LooksLikeIptablesXml(xml)) return 0;
  LoadResult r = LoadRuleset(xml, "fuzz.xml");
  for (const Diagnostic& d : r.diagnostics.diagnostics())
    if (d.line > xml_lines) abort();
  (void)r.diagnostics.Format();
  return 0;
}
