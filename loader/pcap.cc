#include "loader/pcap.h"

#include <algorithm>
#include <cmath>

#include "base/bytes.h"

namespace iptsim {
namespace {

class Reader {
 public:
  Reader(std::span<const uint8_t> d, bool swap) : d_(d), swap_(swap) {}
  // The file's byte order: little-endian unless swapped.
  uint16_t U16(size_t o) const { return swap_ ? GetBe16(&d_[o]) : GetLe16(&d_[o]); }
  uint32_t U32(size_t o) const { return swap_ ? GetBe32(&d_[o]) : GetLe32(&d_[o]); }
  void set_swap(bool s) { swap_ = s; }
  bool swap() const { return swap_; }

 private:
  std::span<const uint8_t> d_;
  bool swap_;
};

std::string At(size_t off) { return " (at byte " + std::to_string(off) + ")"; }

Status ReadPcap(std::span<const uint8_t> f, std::vector<PcapFrame>* out) {
  uint32_t magic_le = GetLe32(&f[0]);
  bool swap = magic_le == 0xd4c3b2a1 || magic_le == 0x4d3cb2a1;
  bool nano = magic_le == 0xa1b23c4d || magic_le == 0x4d3cb2a1;
  Reader r(f, swap);
  if (f.size() < 24) {
    return Status::Error("pcap file header cut short (24 bytes needed)");
  }
  uint32_t linktype = r.U32(20) & 0x0fffffff;  // the upper bits are FCS flags
  size_t off = 24;
  uint64_t n = 0;
  while (off < f.size()) {
    if (f.size() - off < 16) {
      return Status::Error("record header cut short" + At(off));
    }
    uint32_t sec = r.U32(off), frac = r.U32(off + 4), caplen = r.U32(off + 8),
             origlen = r.U32(off + 12);
    if (caplen > f.size() - off - 16) {
      return Status::Error("record of " + std::to_string(caplen) +
                           " bytes runs past the end of the file" + At(off));
    }
    PcapFrame fr;
    fr.number = ++n;
    fr.linktype = linktype;
    fr.data = f.subspan(off + 16, caplen);
    fr.orig_len = origlen;
    fr.time = sec + frac / (nano ? 1e9 : 1e6);
    out->push_back(std::move(fr));
    off += 16 + size_t{caplen};
  }
  return Status();
}

struct Iface {
  uint32_t linktype;
  std::string name;
  double tick = 1e-6;  // if_tsresol
};

// pcapng options: code, length, value padded to 4.
template <typename Fn>
bool ForOptions(const Reader& r, std::span<const uint8_t> f, size_t off, size_t end, Fn fn) {
  while (off + 4 <= end) {
    uint16_t code = r.U16(off), len = r.U16(off + 2);
    if (code == 0) return true;  // opt_endofopt
    size_t padded = (size_t{len} + 3) & ~size_t{3};
    if (padded > end - off - 4) return false;
    fn(code, f.subspan(off + 4, len));
    off += 4 + padded;
  }
  return true;
}

Status ReadPcapng(std::span<const uint8_t> f, std::vector<PcapFrame>* out) {
  Reader r(f, false);
  std::vector<Iface> ifaces;
  size_t off = 0;
  uint64_t n = 0;
  bool have_section = false;
  while (off < f.size()) {
    if (f.size() - off < 12) {
      return Status::Error("pcapng block cut short" + At(off));
    }
    uint32_t type_le = GetLe32(&f[off]);
    if (type_le == 0x0A0D0D0A) {  // section header: the byte order
      uint32_t bom = GetLe32(&f[off + 8]);
      if (bom == 0x1A2B3C4D) r.set_swap(false);
      else if (bom == 0x4D3C2B1A) r.set_swap(true);
      else {
        return Status::Error("pcapng section header with a bad byte-order magic" + At(off + 8));
      }
      ifaces.clear();
      have_section = true;
    } else if (!have_section) {
      return Status::Error("pcapng file does not start with a section header");
    }
    uint32_t type = r.U32(off), blen = r.U32(off + 4);
    if (blen < 12 || blen % 4 || blen > f.size() - off) {
      return Status::Error("pcapng block of bad length " + std::to_string(blen) + At(off));
    }
    if (r.U32(off + blen - 4) != blen) {
      return Status::Error("pcapng block's trailing length differs from its leading one" + At(off));
    }
    const size_t body = off + 8, end = off + blen - 4;
    auto bad = [&](const char* what) {
      return Status::Error(std::string("pcapng ") + what + At(off));
    };
    switch (type) {
      case 0x0A0D0D0A:
        if (end - body < 16) return bad("section header cut short");
        break;
      case 1: {  // interface description
        if (end - body < 8) return bad("interface description cut short");
        Iface i{r.U16(body), "", 1e-6};
        bool ok = ForOptions(r, f, body + 8, end, [&](uint16_t code, std::span<const uint8_t> v) {
          if (code == 2) {  // if_name
            i.name.assign(v.begin(), v.end());
            while (!i.name.empty() && i.name.back() == '\0') i.name.pop_back();
          } else if (code == 9 && v.size() >= 1) {  // if_tsresol
            uint8_t e = v[0] & 0x7f;
            i.tick = (v[0] & 0x80) ? std::pow(2.0, -static_cast<double>(std::min<uint8_t>(e, 64)))
                                   : std::pow(10.0, -static_cast<double>(std::min<uint8_t>(e, 30)));
          }
        });
        if (!ok) return bad("interface option runs past its block");
        ifaces.push_back(std::move(i));
        break;
      }
      case 6:    // enhanced packet
      case 2: {  // obsolete packet
        if (end - body < 20) return bad("packet block cut short");
        uint32_t id = type == 6 ? r.U32(body) : r.U16(body);
        if (id >= ifaces.size()) return bad("packet block names an undescribed interface");
        uint64_t ts = (uint64_t{r.U32(body + 4)} << 32) | r.U32(body + 8);
        uint32_t caplen = r.U32(body + 12), origlen = r.U32(body + 16);
        if (caplen > end - body - 20) return bad("packet data runs past its block");
        PcapFrame fr;
        fr.number = ++n;
        fr.linktype = ifaces[id].linktype;
        fr.data = f.subspan(body + 20, caplen);
        fr.orig_len = origlen;
        fr.time = static_cast<double>(ts) * ifaces[id].tick;
        fr.ifname = ifaces[id].name;
        size_t opts = body + 20 + ((size_t{caplen} + 3) & ~size_t{3});
        if (type == 6 && opts < end) {
          ForOptions(r, f, opts, end, [&](uint16_t code, std::span<const uint8_t> v) {
            if (code == 2 && v.size() >= 4) {  // epb_flags: bits 0-1 direction
              uint32_t fl = Reader(v, r.swap()).U32(0);
              switch (fl & 3) {
                case 1: fr.dir = PcapFrame::Dir::kInbound; break;
                case 2: fr.dir = PcapFrame::Dir::kOutbound; break;
              }
            }
          });
        }
        out->push_back(std::move(fr));
        break;
      }
      case 3: {  // simple packet: interface 0, no timestamp
        if (end - body < 4) return bad("simple packet block cut short");
        if (ifaces.empty()) return bad("simple packet block before any interface description");
        uint32_t origlen = r.U32(body);
        size_t caplen = std::min<size_t>(origlen, end - body - 4);
        PcapFrame fr;
        fr.number = ++n;
        fr.linktype = ifaces[0].linktype;
        fr.data = f.subspan(body + 4, caplen);
        fr.orig_len = origlen;
        fr.ifname = ifaces[0].name;
        out->push_back(std::move(fr));
        break;
      }
      default:
        break;  // statistics, name resolution, custom blocks...
    }
    off += blen;
  }
  return Status();
}

}  // namespace

Status ReadCapture(std::span<const uint8_t> file, std::vector<PcapFrame>* out) {
  out->clear();
  if (file.size() < 4) {
    return Status::Error("not a pcap or pcapng file (too short)");
  }
  uint32_t m = GetLe32(&file[0]);
  switch (m) {
    case 0xa1b2c3d4: case 0xd4c3b2a1: case 0xa1b23c4d: case 0x4d3cb2a1:
      return ReadPcap(file, out);
    case 0x0A0D0D0A:
      return ReadPcapng(file, out);
  }
  return Status::Error("not a pcap or pcapng file (unknown magic number)");
}

FrameStatus FrameToPacket(const PcapFrame& f, Family family, const PcapOverrides& o, Packet* out,
                          std::string* reason) {
  *out = Packet();
  const uint8_t* d = f.data.data();
  size_t len = f.data.size();
  size_t l3 = 0;
  uint16_t ethertype = 0;  // 0: take the IP version
  std::array<uint8_t, 14> mac{};
  bool have_mac = false;
  PcapFrame::Dir dir = f.dir;
  auto cut = [&](const char* what) {
    *reason = std::string(what) + " cut short";
    return FrameStatus::kSkip;
  };
  switch (f.linktype) {
    case linktype::kEthernet: {
      if (len < 14) return cut("Ethernet header");
      std::copy_n(d, 14, mac.begin());
      have_mac = true;
      l3 = 14;
      ethertype = GetBe16(d + 12);
      while (ethertype == 0x8100 || ethertype == 0x88a8) {  // VLAN tags
        if (len < l3 + 4) return cut("VLAN tag");
        ethertype = GetBe16(d + l3 + 2);
        l3 += 4;
      }
      mac[12] = static_cast<uint8_t>(ethertype >> 8);
      mac[13] = static_cast<uint8_t>(ethertype);
      break;
    }
    case linktype::kRaw: case linktype::kRawBsd: case linktype::kRawOpenBsd:
      break;
    case linktype::kIpv4: ethertype = 0x0800; break;
    case linktype::kIpv6: ethertype = 0x86dd; break;
    case linktype::kSll:
    case linktype::kSll2: {
      const bool v2 = f.linktype == linktype::kSll2;
      const size_t hl = v2 ? 20 : 16;
      if (len < hl) return cut(v2 ? "SLL2 header" : "SLL header");
      uint16_t pkttype = v2 ? d[10] : GetBe16(d);
      uint16_t hatype = v2 ? GetBe16(d + 8) : GetBe16(d + 2);
      uint16_t alen = v2 ? d[11] : GetBe16(d + 4);
      const uint8_t* addr = d + (v2 ? 12 : 6);
      ethertype = v2 ? GetBe16(d) : GetBe16(d + 14);
      l3 = hl;
      if (dir == PcapFrame::Dir::kUnknown)
        dir = pkttype == 4 ? PcapFrame::Dir::kOutbound : PcapFrame::Dir::kInbound;
      if (hatype == 1 && alen == 6) {  // ARPHRD_ETHER: the sender's MAC
        static constexpr uint8_t kDefaultDst[6] = {0x02, 0, 0, 0, 0, 0x02};
        std::copy_n(kDefaultDst, 6, mac.begin());
        std::copy_n(addr, 6, mac.begin() + 6);
        mac[12] = static_cast<uint8_t>(ethertype >> 8);
        mac[13] = static_cast<uint8_t>(ethertype);
        have_mac = true;
      }
      break;
    }
    default:
      *reason = "link type " + std::to_string(f.linktype) +
                " is not supported (Ethernet 1, raw IP 101/12/14/228/229, Linux cooked 113/276)";
      return FrameStatus::kError;
  }
  if (l3 >= len) return cut("IP header");
  const uint8_t* ip = d + l3;
  size_t iplen = len - l3;
  uint8_t version = ip[0] >> 4;
  if (ethertype != 0 && ethertype != 0x0800 && ethertype != 0x86dd) {
    char buf[64];
    snprintf(buf, sizeof buf, "not an IP packet (ethertype 0x%04x)", ethertype);
    *reason = buf;
    return FrameStatus::kSkip;
  }
  if ((ethertype == 0x0800 && version != 4) || (ethertype == 0x86dd && version != 6) ||
      (version != 4 && version != 6)) {
    *reason = "not an IP packet (version " + std::to_string(version) + ")";
    return FrameStatus::kSkip;
  }
  Family fam = version == 4 ? Family::kIPv4 : Family::kIPv6;
  if (fam != family) {
    *reason = std::string("an ") + (fam == Family::kIPv4 ? "IPv4" : "IPv6") + " packet in an " +
              (family == Family::kIPv4 ? "IPv4" : "IPv6") + " simulation";
    return FrameStatus::kSkip;
  }
  size_t claimed;
  if (fam == Family::kIPv4) {
    if (iplen < 20) return cut("IPv4 header");
    claimed = GetBe16(ip + 2);
    if (claimed < size_t{(ip[0] & 0x0fu) * 4u} || (ip[0] & 0x0f) < 5) {
      *reason = "IPv4 header with a bad length";
      return FrameStatus::kSkip;
    }
  } else {
    if (iplen < 40) return cut("IPv6 header");
    claimed = 40 + size_t{GetBe16(ip + 4)};  // (a jumbogram's 0 is not supported)
  }
  if (claimed > iplen) {
    *reason = "captured " + std::to_string(iplen) + " of the " + std::to_string(claimed) +
              " bytes the IP header claims (snap length?)";
    return FrameStatus::kSkip;
  }
  out->family = fam;
  out->bytes.assign(ip, ip + claimed);
  // Where the frame went.
  std::string in, outif;
  bool known = false;
  if (o.in && o.out) {
    // Both given: every frame crosses the host that way (forwarded).
    in = *o.in;
    outif = *o.out;
    known = true;
  } else if (dir != PcapFrame::Dir::kUnknown) {
    // The frame's direction decides; -i names the interface of received
    // frames, -o of sent ones, else the capture's interface name.
    const bool inbound = dir == PcapFrame::Dir::kInbound;
    const std::optional<std::string>& given = inbound ? o.in : o.out;
    std::string name = given ? *given : f.ifname;
    (inbound ? in : outif) = name;
    known = !name.empty() || !inbound;  // a sent frame needs no name
  } else if (o.in || o.out) {
    in = o.in.value_or("");
    outif = o.out.value_or("");
    known = true;
  }
  if (in.size() > 15 || outif.size() > 15) {
    *reason = "interface name '" + (in.size() > 15 ? in : outif) + "' is longer than 15 characters";
    return FrameStatus::kError;
  }
  out->in = IfaceName(in);
  out->out = IfaceName(outif);
  out->phys_in = IfaceName(o.phys_in);
  out->phys_out = IfaceName(o.phys_out);
  if (!in.empty()) {
    if (have_mac) {
      out->mac = mac;
      out->mac_len = 14;
    } else {
      out->mac_len = 0;
    }
  }
  out->mark = o.mark.value_or(0);
  out->uid = o.uid;
  out->gid = o.gid;
  out->time = o.time.value_or(f.time);
  return known ? FrameStatus::kOk : FrameStatus::kNoDirection;
}

}  // namespace iptsim
