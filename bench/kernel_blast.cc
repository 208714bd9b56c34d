// Benchmark helper (not a test; root): sends the packets of a packet file
// (iptsim trace packet options, one per line) as Ethernet frames on IFACE
// with AF_PACKET + sendmmsg, round robin, for SECONDS, and prints
// "<frames sent> <seconds>".  bench/bench_trace.sh runs it inside the peer
// namespace of a throw-away lab; the frames are built by iptsim's own
// packet builder, with its default MACs (the script gives the receiving
// device the destination MAC 02:00:00:00:00:02).
//
//   iptsim_kernel_blast IFACE PACKETS SECONDS
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "engine/packet_builder.h"
#include "loader/packet_spec.h"

int main(int argc, char** argv) {
  using namespace iptsim;
  if (argc != 4) {
    fprintf(stderr, "usage: iptsim_kernel_blast IFACE PACKETS SECONDS\n");
    return 2;
  }
  const double seconds = atof(argv[3]);
  std::ifstream pf(argv[2]);
  if (!pf) {
    fprintf(stderr, "cannot read %s\n", argv[2]);
    return 1;
  }
  std::vector<std::vector<uint8_t>> frames;
  std::string line;
  while (std::getline(pf, line)) {
    size_t p = line.find_first_not_of(" \t");
    if (p == std::string::npos || line[p] == '#') continue;
    PacketSpec spec;
    Diagnostic d;
    if (!ParsePacketLine(line, Family::kIPv4, &spec, &d)) {
      fprintf(stderr, "%s: %s\n", argv[2], d.message.c_str());
      return 1;
    }
    Packet pkt = BuildPacket(spec);
    std::vector<uint8_t> f(pkt.mac.begin(), pkt.mac.end());
    f.insert(f.end(), pkt.bytes.begin(), pkt.bytes.end());
    frames.push_back(std::move(f));
  }
  if (frames.empty()) return 1;

  int fd = socket(AF_PACKET, SOCK_RAW, 0);  // protocol 0: send only, receive nothing
  if (fd < 0) {
    perror("socket(AF_PACKET)");
    return 1;
  }
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = static_cast<int>(if_nametoindex(argv[1]));
  if (!sll.sll_ifindex || bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) < 0) {
    perror("bind");
    return 1;
  }
  int one = 1;
  setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one);

  constexpr size_t kBatch = 64;
  std::vector<iovec> iov(frames.size());
  std::vector<mmsghdr> msgs(frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    iov[i] = {frames[i].data(), frames[i].size()};
    msgs[i] = {};
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  auto now = [] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
  size_t sent = 0, next = 0;
  double start = now(), end = start;
  while (end - start < seconds) {
    for (int k = 0; k < 64; ++k) {
      size_t n = std::min(kBatch, frames.size() - next);
      int r = sendmmsg(fd, &msgs[next], static_cast<unsigned>(n), 0);
      if (r < 0) {
        if (errno == ENOBUFS || errno == EAGAIN) continue;
        perror("sendmmsg");
        return 1;
      }
      sent += static_cast<size_t>(r);
      next = (next + static_cast<size_t>(r)) % frames.size();
    }
    end = now();
  }
  printf("%zu %.6f\n", sent, end - start);
  close(fd);
  return 0;
}
