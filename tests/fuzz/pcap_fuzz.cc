// libFuzzer target for --pcap (loader/pcap): any bytes are read as a pcap or
// pcapng file; every frame is turned into a packet of both families and
// dumped.  Nothing may crash, hang or trip a sanitizer; a packet must be a
// whole IP datagram (its length field equals its size).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/log_format.h"
#include "loader/pcap.h"

using namespace iptsim;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<PcapFrame> frames;
  if (!ReadCapture({data, size}, &frames).ok()) return 0;
  PcapOverrides none;
  for (const PcapFrame& f : frames) {
    if (f.data.data() < data || f.data.data() + f.data.size() > data + size) abort();
    for (Family fam : {Family::kIPv4, Family::kIPv6}) {
      Packet p;
      std::string why;
      FrameStatus st = FrameToPacket(f, fam, none, &p, &why);
      if (st == FrameStatus::kSkip || st == FrameStatus::kError) continue;
      const std::vector<uint8_t>& b = p.bytes;
      size_t claimed = fam == Family::kIPv4 ? (b[2] << 8 | b[3]) : (b[4] << 8 | b[5]) + 40u;
      if (claimed != b.size()) abort();
      (void)FormatLogPacket(p, logflag::kTrace);
    }
  }
  return 0;
}
