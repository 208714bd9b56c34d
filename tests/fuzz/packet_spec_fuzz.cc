// libFuzzer target for the packet options: a line is split, parsed into a
// PacketSpec (for the family chosen by the first byte), built into a packet
// and formatted every way the kernel prints one.  Nothing may crash, hang or
// trip a sanitizer; a spec that parses must build a datagram whose length
// field matches its size and whose dumps are cut to the kernel's buffer.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/log_format.h"
#include "engine/packet_builder.h"
#include "loader/packet_spec.h"

using namespace iptsim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 16 * 1024) return 0;
  std::string line(reinterpret_cast<const char*>(data), size);
  // Seeds are text files: "6 " (or a first byte with the low bit set) asks for IPv6.
  Family family = Family::kIPv4;
  if (line.rfind("6 ", 0) == 0) {
    family = Family::kIPv6;
    line.erase(0, 2);
  } else if (line.rfind("4 ", 0) == 0) {
    line.erase(0, 2);
  }
  if (!line.empty() && line.back() == '\n') line.pop_back();
  PacketSpec spec;
  Diagnostic err;
  if (!ParsePacketLine(line, family, &spec, &err)) {
    err.file = "fuzz";
    err.line = 1;
    (void)FormatDiagnostic(err);
    return 0;
  }
  Packet p = BuildPacket(spec);
  const std::vector<uint8_t>& b = p.bytes;
  size_t claimed = family == Family::kIPv4 ? (b.size() >= 4 ? (b[2] << 8 | b[3]) : 0)
                                           : (b.size() >= 6 ? (b[4] << 8 | b[5]) + 40 : 0);
  if (claimed != b.size()) {
    fprintf(stderr, "length field %zu but %zu bytes for: %s\n", claimed, b.size(), line.c_str());
    abort();
  }
  for (uint8_t flags : {uint8_t{0}, logflag::kTrace, uint8_t{logflag::kTrace | logflag::kMacDecode}}) {
    std::string l = FormatLogLine("TRACE: raw:PREROUTING:rule:1 ", p, flags);
    if (l.size() > 1016) abort();
  }
  (void)FormatTraceLine("filter", "INPUT", "policy", 3, p);
  (void)FormatXtablesMonitorPacket(p, 0x12345678);
  // The same bytes with the metadata the options cannot set: no MAC header.
  p.mac_len = 0;
  (void)FormatLogPacket(p, logflag::kTrace);
  // And every prefix of the datagram, as a truncated capture would give.
  std::vector<uint8_t> whole = p.bytes;
  for (size_t n = 0; n < whole.size() && n < 200; n += 7) {
    p.bytes.assign(whole.begin(), whole.begin() + n);
    (void)FormatLogPacket(p, logflag::kTrace);
    (void)FormatXtablesMonitorPacket(p, 1);
  }
  return 0;
}
