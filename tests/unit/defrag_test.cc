// Conntrack's defragmentation (engine/defrag.h): the kernel's reassembly
// rules.  The sequences the kernel was asked directly are scenarios
// (corpus/scenarios/flow-frag-* and flow-v6-frag-*); these cover the rest
// of ip_frag_queue / nf_ct_frag6_queue / inet_frag_queue_insert.
#include <catch2/catch.hpp>

#include "engine/defrag.h"
#include "engine/packet_builder.h"
#include "loader/packet_spec.h"

using namespace iptsim;

namespace {

Packet Frag(const std::string& line, Family f = Family::kIPv4, double time = 0) {
  PacketSpec s;
  Diagnostic d;
  INFO(line);
  REQUIRE(ParsePacketLine(line, f, &s, &d));
  Packet p = BuildPacket(s);
  p.time = time;
  return p;
}

const char* kV4 = "-s 10.0.0.1 -d 10.0.0.2 -p udp ";
const char* kV6 = "-s 2001:db8::1 -d 2001:db8::2 -p udp ";

DefragStep Add(Defragmenter& d, const std::string& opts, Family f = Family::kIPv4,
               double time = 0) {
  const std::string id = opts.find("--id") == std::string::npos ? "--id 7 " : "";
  Packet p = Frag((f == Family::kIPv4 ? kV4 : kV6) + id + opts, f, time);
  return d.Add(p, false).step;
}

}  // namespace

TEST_CASE("defrag: an overlap discards the datagram, a duplicate only itself") {
  for (Family f : {Family::kIPv4, Family::kIPv6}) {
    const DefragStep refused = f == Family::kIPv4 ? DefragStep::kStolen : DefragStep::kDropped;
    Defragmenter d;
    CHECK(Add(d, "--mf --payload xxxxxxxx", f) == DefragStep::kHeld);              // [0,16)
    CHECK(Add(d, "--frag 8 --mf --payload yyyyyyyyyyyyyyyy", f) == refused);       // [8,24)
    CHECK(Add(d, "--frag 16 --payload zzzzzzzz", f) == DefragStep::kHeld);         // a new queue
    Defragmenter e;
    CHECK(Add(e, "--mf --payload xxxxxxxx", f) == DefragStep::kHeld);
    CHECK(Add(e, "--frag 8 --mf --payload xxxxxxxx", f) == DefragStep::kStolen);  // inside [0,16)
    CHECK(Add(e, "--frag 16 --payload zzzzzzzz", f) == DefragStep::kPass);
  }
}

TEST_CASE("defrag: only a fragment inside one run is a duplicate") {
  // [16,24) then [0,8) and [8,16) come as runs of their own: [0,16) spans two.
  Defragmenter d;
  CHECK(Add(d, "--frag 16 --mf --payload zzzzzzzz") == DefragStep::kHeld);
  CHECK(Add(d, "--mf --payload x --len 28") == DefragStep::kHeld);  // [0,8): UDP header only
  CHECK(Add(d, "--frag 8 --mf --payload yyyyyyyy") == DefragStep::kHeld);
  CHECK(Add(d, "--mf --payload xxxxxxxx") == DefragStep::kStolen);  // [0,16): an overlap
}

TEST_CASE("defrag: the reassembled datagram is whole, ECN and DF as the kernel sets them") {
  Defragmenter d;
  Packet a = Frag(std::string(kV4) + "--id 7 --mf --df --tos 2 --payload xxxxxxxx");
  REQUIRE(d.Add(a, false).step == DefragStep::kHeld);
  Packet b = Frag(std::string(kV4) + "--id 7 --frag 16 --tos 3 --payload zzzz");
  REQUIRE(d.Add(b, false).step == DefragStep::kPass);
  REQUIRE(b.bytes.size() == 20 + 20);
  CHECK((b.bytes[1] & 3) == 3);   // ECT with CE: CE
  CHECK(b.bytes[6] == 0x40);      // the largest fragment had DF
  CHECK(b.bytes[7] == 0);
  // Not-ECT mixed with ECT: the kernel refuses the datagram.
  Defragmenter e;
  CHECK(Add(e, "--mf --tos 2 --payload xxxxxxxx") == DefragStep::kHeld);
  CHECK(Add(e, "--frag 16 --payload zzzz") == DefragStep::kStolen);
}

TEST_CASE("defrag: ends that disagree") {
  // IPv4: a fragment past the last fragment's end discards the datagram;
  // IPv6 drops that fragment alone.
  Defragmenter d;
  CHECK(Add(d, "--frag 16 --payload zzzzzzzz") == DefragStep::kHeld);
  CHECK(Add(d, "--frag 24 --mf --payload yyyyyyyy") == DefragStep::kStolen);
  CHECK(Add(d, "--mf --payload xxxxxxxx") == DefragStep::kHeld);
  Defragmenter e;
  CHECK(Add(e, "--frag 16 --payload zzzzzzzz", Family::kIPv6) == DefragStep::kHeld);
  CHECK(Add(e, "--frag 24 --mf --payload yyyyyyyy", Family::kIPv6) == DefragStep::kDropped);
  CHECK(Add(e, "--frag 16 --payload zzzzzzzzzzzzzzzz", Family::kIPv6) == DefragStep::kDropped);
  CHECK(Add(e, "--mf --payload xxxxxxxx", Family::kIPv6) == DefragStep::kPass);
  // An IPv4 fragment with no data left after the cut to a multiple of 8.
  Defragmenter g;
  CHECK(Add(g, "--frag 8 --mf --payload yyyy") == DefragStep::kStolen);
}

TEST_CASE("defrag: queues expire on the packets' clock") {
  Defragmenter d;
  CHECK(Add(d, "--mf --payload xxxxxxxx", Family::kIPv4, 100) == DefragStep::kHeld);
  CHECK(Add(d, "--frag 16 --payload zzzz", Family::kIPv4, 129.9) == DefragStep::kPass);
  CHECK(Add(d, "--mf --payload xxxxxxxx", Family::kIPv4, 200) == DefragStep::kHeld);
  CHECK(Add(d, "--frag 16 --payload zzzz", Family::kIPv4, 230) == DefragStep::kHeld);  // 30 s: gone
  Defragmenter e;  // IPv6: nf_conntrack_frag6_timeout, 60 s
  CHECK(Add(e, "--mf --payload xxxxxxxx", Family::kIPv6, 0) == DefragStep::kHeld);
  CHECK(Add(e, "--frag 16 --payload zzzz", Family::kIPv6, 59) == DefragStep::kPass);
  CHECK(Add(e, "--mf --payload xxxxxxxx", Family::kIPv6, 100) == DefragStep::kHeld);
  CHECK(Add(e, "--frag 16 --payload zzzz", Family::kIPv6, 160) == DefragStep::kHeld);
}

TEST_CASE("defrag: ipfrag_max_dist starts a queue over") {
  Defragmenter d;
  CHECK(Add(d, "--mf --payload xxxxxxxx") == DefragStep::kHeld);
  // 63 fragments of other datagrams from the same source in between: still
  // in reach (ip_frag_too_far: the source's count moved by 64, not more).
  for (int i = 0; i < 63; ++i)
    REQUIRE(Add(d, "--id " + std::to_string(100 + i) + " --frag 8 --mf --payload yyyyyyyy") ==
            DefragStep::kHeld);
  CHECK(Add(d, "--frag 16 --payload zzzz") == DefragStep::kPass);
  Defragmenter e;
  CHECK(Add(e, "--mf --payload xxxxxxxx") == DefragStep::kHeld);
  for (int i = 0; i < 64; ++i)
    REQUIRE(Add(e, "--id " + std::to_string(100 + i) + " --frag 8 --mf --payload yyyyyyyy") ==
            DefragStep::kHeld);
  CHECK(Add(e, "--frag 16 --payload zzzz") == DefragStep::kHeld);  // the first was dropped
}

TEST_CASE("defrag: a reassembled IPv4 datagram over 65535 bytes is refused") {
  Defragmenter d;
  const std::string big(65000, 'x');
  CHECK(Add(d, "--mf --payload " + big) == DefragStep::kHeld);  // [0,65008)
  CHECK(Add(d, "--frag 65008 --payload " + std::string(600, 'z')) == DefragStep::kStolen);
  Defragmenter e;  // at the limit: whole
  CHECK(Add(e, "--mf --payload " + big) == DefragStep::kHeld);
  CHECK(Add(e, "--frag 65008 --payload " + std::string(507, 'z')) == DefragStep::kPass);
}
