// --from-log: kernel TRACE/LOG lines turned back into packets.  The round
// trip is checked against every kernel line the repository holds (the
// reference captures and the differential scenarios' expectations, all
// printed by real kernels): formatting the rebuilt packet must give the
// line's packet part back, byte for byte.
#include <catch2/catch.hpp>

#include <dirent.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/log_format.h"
#include "engine/packet_builder.h"
#include "loader/log_packet.h"

namespace iptsim {
namespace {

std::vector<std::string> FilesIn(const std::string& dir, const std::string& leaf) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n[0] == '.') continue;
    std::string path = dir + "/" + n + (leaf.empty() ? "" : "/" + leaf);
    if (std::ifstream(path).good()) out.push_back(path);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

// A kernel packet dump: TRACE or LOG text with "IN=... OUT=" (not the
// "PACKET:" lines of xtables-monitor, nor the nft flavour's lines).
bool IsKernelDump(const std::string& line) {
  if (line.find("PACKET:") != std::string::npos) return false;
  if (line.find("trace id") != std::string::npos) return false;
  size_t in = line.find("IN=");
  return in != std::string::npos && line.find(" OUT=", in) != std::string::npos &&
         line.find("SRC=") != std::string::npos;
}

// Lines whose packet part cannot come back, with the reason (what the line
// does not carry).
struct Exception {
  const char* file;    // a substring of the file's path
  const char* needle;  // a substring of the line ("" for any)
  size_t length;       // the line's length (0 for any)
  const char* reason;
};
constexpr Exception kExceptions[] = {
    {"e1-tun-mac.txt", "MAC= SRC=", 0,
     "an input device without a link-layer header (tun): the packet spec always gives an "
     "input packet an Ethernet header"},
    {"e3-kernel-generated-untraced.txt", "", 200,
     "the capture file keeps the first 200 characters of each line: the packet part is cut"},
    {"e5-log-v6-exthdr.txt", "FLOWLBL=65553 PROTO=UDP", 0,
     "a 20-byte AH header hidden by a LOG without --log-ip-options: the builder's AH is 24 "
     "bytes and the line does not say which header it was"},
    {"e6-ah-fixed.txt", "OPT ( AH SPI=0xdeadbeef )", 0,
     "an AH header of 20 bytes (the line does not show its length; the builder's AH is 24 "
     "bytes, so UDP would be cut)"},
    {"e5-log-v6-exthdr.txt", "OPT ( AH SPI=0xdeadbeef )", 0,
     "as e6-ah-fixed: a 20-byte AH header"},
    {"target-tee/expected", ":00:00:00:00 SRC=", 0,
     "a TEE copy's POSTROUTING line: the kernel prints stale bytes as its MAC header, with "
     "an ethertype of 0000 that no packet option makes"},
};

std::string Why(const std::string& path, const std::string& line) {
  for (const Exception& e : kExceptions)
    if (path.find(e.file) != std::string::npos && line.find(e.needle) != std::string::npos &&
        (e.length == 0 || line.size() == e.length))
      return e.reason;
  return "";
}

TEST_CASE("from-log round trip over every kernel line in the repository", "[from-log]") {
  const std::string src = IPTSIM_SOURCE_DIR;
  std::vector<std::string> files = FilesIn(src + "/corpus/reference/captures", "");
  std::vector<std::string> scen = FilesIn(src + "/corpus/scenarios", "expected");
  files.insert(files.end(), scen.begin(), scen.end());
  REQUIRE(files.size() > 100);
  size_t lines = 0, same = 0, excepted = 0;
  std::ostringstream failures;
  size_t failed = 0;
  for (const std::string& path : files) {
    std::ifstream in(path);
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      if (!IsKernelDump(line)) continue;
      ++lines;
      LogLine parsed;
      Diagnostic d;
      std::string got;
      bool ok = ParseLogLine(line, std::nullopt, &parsed, &d);
      std::string want = line.substr(parsed.packet_offset);
      if (ok) {
        got = FormatLogPacket(BuildPacket(parsed.spec), parsed.logflags);
        // The capture files keep the kernel's trailing space only where the
        // kernel printed one; a line cut to 1016 characters is compared cut.
        if (got.size() > want.size() && got.compare(0, want.size(), want) == 0 &&
            got.find_first_not_of(' ', want.size()) == std::string::npos)
          got.resize(want.size());
      }
      if (ok && got == want) {
        ++same;
        continue;
      }
      if (!Why(path, line).empty()) {
        ++excepted;
        continue;
      }
      if (++failed <= 100) {
        failures << path.substr(src.size() + 1) << ":" << lineno << ": ";
        if (!ok) failures << "error: " << d.col << ": " << d.message << "\n";
        else {
          size_t k = 0;
          while (k < got.size() && k < want.size() && got[k] == want[k]) ++k;
          failures << "got ..." << got.substr(k > 20 ? k - 20 : 0, 60) << "\n    want ..." << want.substr(k > 20 ? k - 20 : 0, 60) << "\n";
        }
      }
    }
  }
  INFO(failures.str());
  INFO(lines << " kernel lines, " << same << " reproduced, " << excepted << " excepted");
  CHECK(failed == 0);
  CHECK(lines > 1000);
}

}  // namespace
}  // namespace iptsim

namespace iptsim {
namespace {

std::string Error(std::string_view line, std::optional<Family> f = std::nullopt) {
  LogLine out;
  Diagnostic d;
  if (ParseLogLine(line, f, &out, &d)) return "ok";
  d.file = "--from-log";
  d.line = 1;
  return FormatDiagnostic(d);
}

TEST_CASE("from-log: what a line gives", "[from-log]") {
  LogLine out;
  Diagnostic d;
  REQUIRE(ParseLogLine("[ 12.5] IN-UDP: IN=d0 OUT= MAC=02:00:00:00:00:02:02:00:00:00:00:01:08:00 "
                       "SRC=10.0.0.1 DST=10.0.0.2 LEN=28 TOS=0x08 PREC=0x20 TTL=7 ID=9 DF "
                       "PROTO=UDP SPT=1 DPT=2 LEN=8 UID=5 GID=6 MARK=0x1f",
                       Family::kIPv4, &out, &d));
  CHECK(out.prefix == "[ 12.5] IN-UDP: ");
  CHECK(out.spec.in == "d0");
  CHECK(out.spec.out.empty());
  CHECK(out.spec.tos == 0x28);
  CHECK(out.spec.ttl == 7);
  CHECK(out.spec.id == 9);
  CHECK(out.spec.df);
  CHECK(out.spec.proto == ipproto::kUdp);
  CHECK(out.spec.sport == 1);
  CHECK(out.spec.dport == 2);
  CHECK(out.spec.uid == 5u);
  CHECK(out.spec.gid == 6u);
  CHECK(out.spec.mark == 0x1f);
  CHECK(out.spec.len == 28u);

  REQUIRE(ParseLogLine("TRACE: filter:INPUT:rule:1 IN=eth0 OUT= MAC=00:11:22:33:44:55:66:77:88:99:aa:bb:08:00 "
                       "SRC=10.0.0.1 DST=10.0.0.2 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=TCP "
                       "SPT=1000 DPT=22 SEQ=5 ACK=6 WINDOW=100 RES=0x08 AE CWR ACK SYN URGP=3 "
                       "OPT (020405B4) ",
                       std::nullopt, &out, &d));
  CHECK(out.spec.seq == 5);
  CHECK(out.spec.ack == 6);
  CHECK(out.spec.window == 100);
  CHECK(out.spec.tcp_flags == (tcpflag::kAe | tcpflag::kCwr | tcpflag::kAck | tcpflag::kSyn | 0x200));
  CHECK(out.spec.urgp == 3);
  CHECK(out.spec.tcp_options == std::vector<uint8_t>{2, 4, 5, 0xb4});
  CHECK(out.spec.mac_dst == std::array<uint8_t, 6>{0, 0x11, 0x22, 0x33, 0x44, 0x55});
  CHECK(out.spec.mac_src == std::array<uint8_t, 6>{0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb});
}

TEST_CASE("from-log: errors point at the word", "[from-log]") {
  CHECK(Error("hello world") ==
        "--from-log:1:1: error: not a kernel TRACE/LOG line: no 'IN=... OUT=...' packet part\n"
        "hello world\n"
        "^\n");
  CHECK(Error("IN=d0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=2x TOS=0x00") ==
        "--from-log:1:38: error: bad number '2x' (at most 65535)\n"
        "IN=d0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=2x TOS=0x00\n"
        "                                     ^~~~~~\n");
  CHECK(Error("IN=d0 OUT= SRC=::1 DST=::2 LEN=40 TC=0 HOPLIMIT=1 FLOWLBL=0 PROTO=59 ",
              Family::kIPv4) ==
        "--from-log:1:12: error: an IPv6 packet, but the ruleset is IPv4\n"
        "IN=d0 OUT= SRC=::1 DST=::2 LEN=40 TC=0 HOPLIMIT=1 FLOWLBL=0 PROTO=59 \n"
        "           ^~~~~~~\n");
  CHECK(Error("IN=d0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=20 TOS=0x00 PREC=0x00 TTL=1 ID=0 PROTO=TCP SPT=1") ==
        "--from-log:1:90: error: expected DPT= at the end\n"
        "IN=d0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=20 TOS=0x00 PREC=0x00 TTL=1 ID=0 PROTO=TCP SPT=1\n"
        "                                                                                         ^\n");
  CHECK(Error("IN=averyveryverylongname OUT= SRC=10.0.0.1").find(
            "interface name 'averyveryverylongname' is longer than 15 characters") !=
        std::string::npos);
  CHECK(Error("IN=d0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=20 TOS=0x00 PREC=0x00 TTL=1 ID=0 PROTO=FOO ")
            .find("unknown PROTO= 'FOO'") != std::string::npos);
  CHECK(Error("IN=d0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=20 TOS=0x00 PREC=0x00 TTL=1 ID=0 PROTO=UDP SPT=1 DPT=2 LEN=8 bogus")
            .find("unexpected 'bogus'") != std::string::npos);
}

}  // namespace
}  // namespace iptsim
