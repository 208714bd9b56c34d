#include "verifier/inject.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/bytes.h"
#include "base/checksum.h"
#include "base/mac.h"
#include "verifier/sys.h"

namespace iptsim::verifier {
namespace {

constexpr uint16_t kEthIpv4 = 0x0800;
constexpr uint16_t kEthIpv6 = 0x86dd;
constexpr size_t kEthHeader = 14;

// Keeps CAP_NET_RAW (raw socket, SO_BINDTODEVICE) and CAP_NET_ADMIN (SO_MARK)
// effective after the switch to the packet's uid (PR_SET_KEEPCAPS kept them
// permitted).  A raw syscall: async-signal-safe, no libcap.
int KeepNetCaps() {
  __user_cap_header_struct hdr{};
  hdr.version = _LINUX_CAPABILITY_VERSION_3;
  __user_cap_data_struct data[2]{};
  uint32_t want = (1u << CAP_NET_RAW) | (1u << CAP_NET_ADMIN);
  data[0].effective = want;
  data[0].permitted = want;
  return static_cast<int>(syscall(SYS_capset, &hdr, data));
}

// The frame as it goes on the wire: Packet::mac (or a made-up Ethernet header
// addressed to the port when the packet has none) + the datagram.
std::vector<uint8_t> FrameOf(const Lab::Port& port, const Packet& p) {
  std::vector<uint8_t> frame;
  if (p.mac_len == kEthHeader) {
    frame.assign(p.mac.begin(), p.mac.end());
  } else {
    MacAddr dst{}, src{};
    ParseMacStrict(port.mac, &dst);
    ParseMacStrict(port.peer_mac, &src);
    frame.insert(frame.end(), dst.begin(), dst.end());
    frame.insert(frame.end(), src.begin(), src.end());
    uint16_t type = p.family == Family::kIPv6 ? kEthIpv6 : kEthIpv4;
    frame.push_back(static_cast<uint8_t>(type >> 8));
    frame.push_back(static_cast<uint8_t>(type & 0xff));
  }
  frame.insert(frame.end(), p.bytes.begin(), p.bytes.end());
  return frame;
}

Status SendOnTun(const Lab& lab, const Lab::Port& port, const Packet& p, int timeout_ms) {
  ifreq ifr{};
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", port.name.c_str());
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  // Attaching to the persistent device and writing one datagram: the kernel
  // receives it on the device as if it came from the tunnel.
  return RunInChild(lab.host_netns_fd(), timeout_ms, [&](const char** what) {
    *what = "open /dev/net/tun";
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) return errno;
    *what = "TUNSETIFF";
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) return errno;
    *what = "write to the tun device";
    ssize_t n = write(fd, p.bytes.data(), p.bytes.size());
    if (n != static_cast<ssize_t>(p.bytes.size())) return n < 0 ? errno : EMSGSIZE;
    close(fd);
    return 0;
  });
}

Status SendOnPeer(const Lab::Port& port, const Packet& p, int timeout_ms) {
  std::vector<uint8_t> frame = FrameOf(port, p);
  ifreq ifr{};
  snprintf(ifr.ifr_name, IFNAMSIZ, "%s", port.peer_device.c_str());
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons(GetBe16(frame.data() + 12));
  to.sll_halen = 6;
  memcpy(to.sll_addr, frame.data(), 6);
  return RunInChild(port.peer_netns_fd, timeout_ms, [&](const char** what) {
    *what = "socket(AF_PACKET)";
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    *what = "SIOCGIFINDEX";
    if (ioctl(fd, SIOCGIFINDEX, &ifr) != 0) return errno;
    to.sll_ifindex = ifr.ifr_ifindex;
    *what = "sendto(AF_PACKET)";
    ssize_t n = sendto(fd, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to),
                       sizeof to);
    if (n != static_cast<ssize_t>(frame.size())) return n < 0 ? errno : EMSGSIZE;
    close(fd);
    return 0;
  });
}

Status SendLocal(const Lab& lab, const Packet& p, int timeout_ms) {
  bool v6 = p.family == Family::kIPv6;
  size_t need = v6 ? 40 : 20;
  if (p.bytes.size() < need) {
    return Status::Error("a locally generated " + std::string(v6 ? "IPv6" : "IPv4") +
                         " datagram needs at least " + std::to_string(need) +
                         " bytes to carry its destination");
  }
  sockaddr_storage to{};
  socklen_t to_len;
  if (v6) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&to);
    sin6->sin6_family = AF_INET6;
    memcpy(&sin6->sin6_addr, p.bytes.data() + 24, 16);
    to_len = sizeof *sin6;
  } else {
    auto* sin = reinterpret_cast<sockaddr_in*>(&to);
    sin->sin_family = AF_INET;
    memcpy(&sin->sin_addr, p.bytes.data() + 16, 4);
    to_len = sizeof *sin;
  }
  uid_t uid = p.uid.value_or(0);
  gid_t gid = p.gid.value_or(0);
  uint32_t mark = p.mark;
  char out_dev[IFNAMSIZ] = {};
  snprintf(out_dev, sizeof out_dev, "%.*s", static_cast<int>(p.out.view().size()),
           p.out.view().data());
  return RunInChild(lab.host_netns_fd(), timeout_ms, [&](const char** what) {
    // Credentials first: the socket's file remembers who opened it, and that
    // is what the kernel logs and -m owner matches.
    *what = "prctl(PR_SET_KEEPCAPS)";
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return errno;
    *what = "setgroups";
    if (setgroups(0, nullptr) != 0) return errno;
    *what = "setresgid";
    if (setresgid(gid, gid, gid) != 0) return errno;
    *what = "setresuid";
    if (setresuid(uid, uid, uid) != 0) return errno;
    *what = "capset";
    if (KeepNetCaps() != 0) return errno;
    *what = "socket(SOCK_RAW, IPPROTO_RAW)";
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    if (fd < 0) return errno;
    if (mark != 0) {
      *what = "setsockopt(SO_MARK)";
      if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0) return errno;
    }
    if (out_dev[0]) {
      *what = "setsockopt(SO_BINDTODEVICE)";
      if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, out_dev, sizeof out_dev) != 0) return errno;
    }
    *what = "sendto(raw socket)";
    ssize_t n = sendto(fd, p.bytes.data(), p.bytes.size(), 0, reinterpret_cast<sockaddr*>(&to),
                       to_len);
    if (n != static_cast<ssize_t>(p.bytes.size())) return n < 0 ? errno : EMSGSIZE;
    close(fd);
    return 0;
  });
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Hex16(uint16_t v) {
  char buf[8];
  snprintf(buf, sizeof buf, "0x%04x", v);
  return buf;
}

}  // namespace

Status Inject(const Lab& lab, const Packet& packet, int timeout_ms) {
  if (lab.destroyed()) return Status::Error("the lab was destroyed");
  if (packet.bytes.empty()) return Status::Error("the packet has no bytes");
  Status sent;
  if (packet.in.empty()) {
    sent = SendLocal(lab, packet, timeout_ms);
  } else {
    const Lab::Port* port = lab.FindPort(packet.in.view());
    if (!port) return Status::Error("the lab has no interface '" + std::string(packet.in.view()) + "'");
    sent = port->tun ? SendOnTun(lab, *port, packet, timeout_ms)
                     : SendOnPeer(*port, packet, timeout_ms);
  }
  return sent.ok() ? sent : Status::Error("injecting the packet: " + sent.message());
}

std::vector<std::string> InjectionCaveats(const Lab& lab, const Packet& p) {
  std::vector<std::string> notes;
  const std::vector<uint8_t>& b = p.bytes;
  if (p.in.empty()) {
    if (p.family == Family::kIPv4 && b.size() >= 20) {
      size_t ihl = (b[0] & 0x0f) * 4u;
      if (ihl >= 20 && ihl <= b.size()) {
        if (GetBe16(&b[2]) != b.size()) {
          notes.push_back("the kernel sets the IPv4 total length to " + std::to_string(b.size()) +
                          " (the datagram's size) instead of " + std::to_string(GetBe16(&b[2])));
        }
        if (GetBe16(&b[4]) == 0) notes.push_back("the kernel replaces IPv4 ID 0 by a generated one");
        if (b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 0) {
          notes.push_back("the kernel replaces source 0.0.0.0 by the route's source address");
        }
        if (ChecksumFinish(ChecksumAdd(0, b.data(), ihl)) != 0) notes.push_back("the kernel recomputes the IPv4 header checksum");
      }
    }
    if (!p.uid || !p.gid) {
      notes.push_back("sent by a socket of uid " + std::to_string(p.uid.value_or(0)) + " gid " +
                      std::to_string(p.gid.value_or(0)) +
                      " (a locally generated packet always has a socket)");
    }
  } else {
    const Lab::Port* port = lab.FindPort(p.in.view());
    if (port && port->tun && p.mac_len != 0) {
      notes.push_back("the MAC header is not sent: '" + port->name + "' is a tun device");
    }
    if (port && !port->tun) {
      if (p.mac_len != kEthHeader) {
        notes.push_back("no MAC header given: sent with " + port->peer_mac + " -> " + port->mac);
      } else {
        MacAddr mine{};
        ParseMacStrict(port->mac, &mine);
        if (!(p.mac[0] & 1) && memcmp(p.mac.data(), mine.data(), 6) != 0) {
          notes.push_back("destination MAC " + FormatMac(p.mac.data()) + " is not " + port->name +
                          "'s (" + port->mac +
                          "): the kernel drops the frame as PACKET_OTHERHOST before PREROUTING");
        }
        uint16_t type = GetBe16(p.mac.data() + 12);
        uint16_t want = p.family == Family::kIPv6 ? kEthIpv6 : kEthIpv4;
        if (type != want) {
          notes.push_back("ethertype " + Hex16(type) + " is not " + Hex16(want) +
                          ": the IP layer never sees the frame");
        }
      }
    }
    if (p.mark != 0) {
      notes.push_back("a received packet carries mark 0 (a veth scrubs skb->mark between "
                      "namespaces); mark " + std::to_string(p.mark) + " not injected");
    }
    if (p.uid || p.gid) {
      notes.push_back("UID/GID of a received packet come only from early demux to a local "
                      "socket; not injected");
    }
  }
  if (!p.phys_in.empty() || !p.phys_out.empty()) {
    notes.push_back("bridge ports (PHYSIN/PHYSOUT) are not reproduced by the lab");
  }
  return notes;
}

bool ParseHex(std::string_view text, std::vector<uint8_t>* out) {
  out->clear();
  int hi = -1;
  for (char c : text) {
    if (c == ' ' || c == ':' || c == '\n' || c == '\t' || c == '\r' || c == '-') {
      if (hi >= 0) return false;  // separators only between whole bytes
      continue;
    }
    int d = HexDigit(c);
    if (d < 0) return false;
    if (hi < 0) {
      hi = d;
    } else {
      out->push_back(static_cast<uint8_t>(hi << 4 | d));
      hi = -1;
    }
  }
  return hi < 0;
}

bool PacketFromFrame(const std::vector<uint8_t>& frame, std::string_view in, Packet* out,
                     std::string* error) {
  if (in.empty() || in.size() > 15) {
    *error = "a received frame needs an input interface name (1 to 15 characters)";
    return false;
  }
  if (frame.size() < kEthHeader + 1) {
    *error = "an Ethernet frame needs 14 header bytes and a datagram";
    return false;
  }
  uint16_t type = GetBe16(frame.data() + 12);
  if (type != kEthIpv4 && type != kEthIpv6) {
    *error = "ethertype " + Hex16(type) + " is neither IPv4 (0x0800) nor IPv6 (0x86dd)";
    return false;
  }
  *out = Packet{};
  out->family = type == kEthIpv6 ? Family::kIPv6 : Family::kIPv4;
  std::copy(frame.begin(), frame.begin() + kEthHeader, out->mac.begin());
  out->mac_len = kEthHeader;
  out->bytes.assign(frame.begin() + kEthHeader, frame.end());
  out->in = IfaceName(in);
  return true;
}

bool PacketFromDatagram(const std::vector<uint8_t>& datagram, std::string_view in, Packet* out,
                        std::string* error) {
  if (datagram.empty()) {
    *error = "empty datagram";
    return false;
  }
  if (in.size() > 15) {
    *error = "interface name longer than 15 characters";
    return false;
  }
  int version = datagram[0] >> 4;
  if (version != 4 && version != 6) {
    *error = "IP version " + std::to_string(version) + " is neither 4 nor 6";
    return false;
  }
  *out = Packet{};
  out->family = version == 6 ? Family::kIPv6 : Family::kIPv4;
  out->bytes = datagram;
  if (!in.empty()) out->in = IfaceName(in);
  return true;
}

}  // namespace iptsim::verifier
