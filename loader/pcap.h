// Packets from a capture file: a small in-memory reader of the pcap and
// pcapng formats (no libpcap: the reader works on a byte span, which is what
// the fuzz target needs), and the step from a captured frame to a Packet.
//
// Formats: pcap (microsecond and nanosecond magics, either byte order) and
// pcapng (section header, interface description with if_name and
// if_tsresol, enhanced/simple/obsolete packet blocks with the epb_flags
// direction; other blocks skipped; several sections).
// Link types: Ethernet (DLT_EN10MB 1; 802.1Q/802.1ad tags are removed, as
// the kernel's VLAN acceleration does), raw IP (LINKTYPE_RAW 101, DLT_RAW 12
// and 14, LINKTYPE_IPV4 228, LINKTYPE_IPV6 229), Linux cooked captures (SLL
// 113, SLL2 276).
//
// The interface and direction of a frame (PcapOverrides are -i/-o of the
// command line): with both -i and -o every frame is forwarded that way.
// Otherwise, when the capture gives the frame's direction (pcapng
// epb_flags; SLL/SLL2 packet type: OUTGOING or received), a received frame
// arrives on -i, or on the capture's interface name (pcapng if_name), and a
// sent frame leaves by -o or that name (or is simply locally generated: no
// name needed).  Without a direction, -i/-o apply as given.  SLL2's
// interface index cannot be mapped to a name offline.  A received frame
// with no name, and a frame with neither direction nor -i/-o, is sent as
// locally generated, and the caller notes it (kNoDirection).
// The link layer: an Ethernet frame keeps its 14-byte header (the MAC= of
// the log); SLL/SLL2 over Ethernet (ARPHRD_ETHER, 6-byte address) keep the
// sender's MAC and get iptsim's default destination MAC 02:00:00:00:00:02;
// raw IP and other cooked frames have none (a device without a hard header,
// "MAC=" in the log).  The datagram is cut to its IP length (Ethernet
// padding); a frame whose capture is shorter than its IP header claims (a
// snap length) is skipped with a note, as are non-IP frames and frames of
// the other IP family.  The packet's time is the capture timestamp (seconds
// since the epoch), unless --time is given.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/packet.h"

namespace iptsim {

namespace linktype {
constexpr uint32_t kEthernet = 1, kRaw = 101, kRawBsd = 12, kRawOpenBsd = 14, kIpv4 = 228,
                   kIpv6 = 229, kSll = 113, kSll2 = 276;
}  // namespace linktype

struct PcapFrame {
  uint64_t number = 0;          // 1-based, in file order
  uint32_t linktype = 0;
  std::span<const uint8_t> data;  // the captured bytes (a view into the file)
  uint32_t orig_len = 0;
  double time = 0;              // seconds since the epoch
  std::string ifname;           // pcapng if_name, or ""
  enum class Dir : uint8_t { kUnknown, kInbound, kOutbound } dir = Dir::kUnknown;
};

// Reads every frame of a pcap or pcapng file.  An error (with the byte
// offset of the problem in it) for a file that is neither, or is cut or
// inconsistent.
Status ReadCapture(std::span<const uint8_t> file, std::vector<PcapFrame>* out);

// What the command line says about every captured packet.
struct PcapOverrides {
  std::optional<std::string> in, out;  // -i / -o
  std::string phys_in, phys_out;
  std::optional<uint32_t> mark;
  std::optional<double> time;
  std::optional<uint32_t> uid, gid;
};

enum class FrameStatus : uint8_t {
  kOk,
  kNoDirection,  // a packet, sent as locally generated: nothing said where it was
  kSkip,         // not an IP packet of the family (reason in *reason)
  kError,        // an unknown link type (reason in *reason)
};

FrameStatus FrameToPacket(const PcapFrame& f, Family family, const PcapOverrides& o, Packet* out,
                          std::string* reason);

}  // namespace iptsim
