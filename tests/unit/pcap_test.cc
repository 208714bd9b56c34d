// The capture reader (loader/pcap) on hand-built files: both byte orders,
// pcapng options, simple packet blocks, and the frame -> packet step.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "loader/pcap.h"

namespace iptsim {
namespace {

struct Writer {
  bool big = false;
  std::vector<uint8_t> b;
  void U8(uint8_t v) { b.push_back(v); }
  void U16(uint16_t v) {
    if (big) U8(v >> 8), U8(v & 0xff);
    else U8(v & 0xff), U8(v >> 8);
  }
  void U32(uint32_t v) {
    if (big) U16(v >> 16), U16(v & 0xffff);
    else U16(v & 0xffff), U16(v >> 16);
  }
  void Bytes(const std::vector<uint8_t>& v) { b.insert(b.end(), v.begin(), v.end()); }
  void Pad() { while (b.size() % 4) U8(0); }
};

// A 28-byte IPv4 UDP datagram 10.0.0.1 -> 10.0.0.2, ports 1 -> 2.
std::vector<uint8_t> Udp4() {
  return {0x45, 0, 0, 28, 0, 5, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
          0, 1, 0, 2, 0, 8, 0, 0};
}

// A pcapng block: type, body; lengths in the writer's byte order.
void Block(Writer& w, uint32_t type, const std::vector<uint8_t>& body) {
  uint32_t len = 12 + static_cast<uint32_t>((body.size() + 3) & ~size_t{3});
  w.U32(type);
  w.U32(len);
  w.Bytes(body);
  w.Pad();
  w.U32(len);
}

TEST_CASE("pcapng, big-endian: names, resolution, direction, simple packets", "[pcap]") {
  Writer w;
  w.big = true;
  Writer body{true, {}};
  body.U32(0x1A2B3C4D); body.U16(1); body.U16(0); body.U32(0xffffffff); body.U32(0xffffffff);
  Block(w, 0x0A0D0D0A, body.b);
  body.b.clear();
  body.U16(101); body.U16(0); body.U32(0);          // raw IP
  body.U16(2); body.U16(4); body.Bytes({'e', 't', 'h', '1'});  // if_name
  body.U16(9); body.U16(1); body.Bytes({9, 0, 0, 0});          // if_tsresol: ns
  body.U16(0); body.U16(0);
  Block(w, 1, body.b);
  body.b.clear();
  uint64_t ts = 1500000000ull * 1000000000ull + 250000000ull;
  body.U32(0); body.U32(static_cast<uint32_t>(ts >> 32)); body.U32(static_cast<uint32_t>(ts));
  body.U32(28); body.U32(28); body.Bytes(Udp4()); body.Pad();
  body.U16(2); body.U16(4); body.U32(2);  // epb_flags: outbound
  body.U16(0); body.U16(0);
  Block(w, 6, body.b);
  body.b.clear();
  body.U32(28); body.Bytes(Udp4());
  Block(w, 3, body.b);
  Block(w, 0x0BAD, {1, 2, 3, 4});  // unknown blocks are skipped

  std::vector<PcapFrame> frames;
  REQUIRE(ReadCapture(w.b, &frames).ok());
  REQUIRE(frames.size() == 2);
  CHECK(frames[0].ifname == "eth1");
  CHECK(frames[0].dir == PcapFrame::Dir::kOutbound);
  CHECK(frames[0].time == Approx(1500000000.25));
  CHECK(frames[1].dir == PcapFrame::Dir::kUnknown);
  CHECK(frames[1].data.size() == 28);

  Packet p;
  std::string why;
  CHECK(FrameToPacket(frames[0], Family::kIPv4, {}, &p, &why) == FrameStatus::kOk);
  CHECK(p.out.view() == "eth1");
  CHECK(p.in.empty());
  CHECK(p.bytes == Udp4());
  CHECK(FrameToPacket(frames[1], Family::kIPv4, {}, &p, &why) == FrameStatus::kNoDirection);
  PcapOverrides o;
  o.in = "d0";
  o.mark = 7;
  CHECK(FrameToPacket(frames[1], Family::kIPv4, o, &p, &why) == FrameStatus::kOk);
  CHECK(p.in.view() == "d0");
  CHECK(p.out.empty());
  CHECK(p.mac_len == 0);
  CHECK(p.mark == 7);
  CHECK(FrameToPacket(frames[1], Family::kIPv6, o, &p, &why) == FrameStatus::kSkip);
  CHECK(why == "an IPv4 packet in an IPv6 simulation");
}

TEST_CASE("pcap: Ethernet padding, VLAN tags, snap length, errors", "[pcap]") {
  Writer w;
  w.U32(0xa1b2c3d4); w.U16(2); w.U16(4); w.U32(0); w.U32(0); w.U32(96); w.U32(1);
  std::vector<uint8_t> eth = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x81, 0, 0, 5, 0x08, 0};
  std::vector<uint8_t> f = eth;
  std::vector<uint8_t> ip = Udp4();
  f.insert(f.end(), ip.begin(), ip.end());
  f.resize(64, 0);  // Ethernet padding
  w.U32(1); w.U32(0); w.U32(static_cast<uint32_t>(f.size())); w.U32(static_cast<uint32_t>(f.size()));
  w.Bytes(f);
  std::vector<uint8_t> cut(f.begin(), f.begin() + 30);  // snap length: IP header cut
  w.U32(2); w.U32(0); w.U32(30); w.U32(64);
  w.Bytes(cut);
  std::vector<PcapFrame> frames;
  REQUIRE(ReadCapture(w.b, &frames).ok());
  REQUIRE(frames.size() == 2);
  Packet p;
  std::string why;
  PcapOverrides o;
  o.in = "d0";
  REQUIRE(FrameToPacket(frames[0], Family::kIPv4, o, &p, &why) == FrameStatus::kOk);
  CHECK(p.bytes == Udp4());  // tag removed, padding cut
  CHECK(p.mac_len == 14);
  CHECK(p.mac[12] == 0x08);
  CHECK(p.mac[13] == 0x00);
  CHECK(FrameToPacket(frames[1], Family::kIPv4, o, &p, &why) == FrameStatus::kSkip);
  CHECK(why == "IPv4 header cut short");

  std::vector<uint8_t> bad = w.b;
  bad.resize(bad.size() - 3);
  Status error = ReadCapture(bad, &frames);
  CHECK_FALSE(error.ok());
  CHECK(error.message() == "record of 30 bytes runs past the end of the file (at byte 104)");
  error = ReadCapture(std::vector<uint8_t>{1, 2, 3, 4, 5}, &frames);
  CHECK_FALSE(error.ok());
  CHECK(error.message() == "not a pcap or pcapng file (unknown magic number)");
  error =
      ReadCapture(std::vector<uint8_t>{0x0a, 0x0d, 0x0d, 0x0a, 12, 0, 0, 0, 1, 2, 3, 4}, &frames);
  CHECK_FALSE(error.ok());
  CHECK(error.message() == "pcapng section header with a bad byte-order magic (at byte 8)");
}

}  // namespace
}  // namespace iptsim
