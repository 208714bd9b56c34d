// Extension: pkttype (match, IPv4 IPv6)
// Synopsis: -m pkttype [!] --pkt-type unicast|broadcast|multicast|otherhost
// Semantics: the link-layer packet type (skb->pkt_type): unicast to this
//   host, broadcast, multicast, or unicast to another host.  Aliases host,
//   bcast and mcast; names in any case.  Looped-back packets
//   (PACKET_LOOPBACK) count as multicast when IPv6 or to an IPv4 multicast
//   address, else as broadcast.
// Example: -m pkttype --pkt-type broadcast
// Evaluation: yes
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {{"pkt-type", 1, true}};

// Linux PACKET_* values.
constexpr struct {
  std::string_view name;
  uint8_t type;
} kTypes[] = {
    {"unicast", 0}, {"broadcast", 1}, {"multicast", 2}, {"otherhost", 3},
    // aliases (never printed)
    {"bcast", 1},   {"mcast", 2},     {"host", 0},
};

bool EqualNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

class PkttypeMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int, bool invert, std::span<const Arg> args, const ParseContext&) override {
    if (given_) return Status::Error("option '--pkt-type' may be given only once");
    given_ = true;
    invert_ = invert;
    for (const auto& t : kTypes)
      if (EqualNoCase(args[0].text, t.name)) {
        type_ = t.type;
        return {};
      }
    return Status::Error("invalid packet type '" + std::string(args[0].text) +
                             "' (expected unicast, broadcast, multicast or otherhost)",
                         0);
  }
  Status Finish(const ParseContext&) override {
    if (!given_) return Status::Error("'--pkt-type TYPE' is required");
    return {};
  }
  // xt_pkttype: skb->pkt_type (PACKET_LOOPBACK never occurs for the packets
  // iptsim builds: it marks the looped-back copy of a multicast the host sent).
  Tri Evaluate(const PacketView& v, EvalContext&) const override {
    return ToTri((PacketType(*v.pkt) == type_) != invert_);
  }
  // What skb->pkt_type is at the netfilter hooks:
  // - a frame received on an Ethernet-like device: eth_type_trans sets it from
  //   the destination MAC: ff:ff:ff:ff:ff:ff broadcast, other group addresses
  //   (low bit of the first byte set) multicast, a unicast address other than
  //   the device's PACKET_OTHERHOST, which ip_rcv / ipv6_rcv drop before
  //   PREROUTING (and br_netfilter turns into PACKET_HOST for its hooks), so
  //   every unicast frame that reaches a hook is PACKET_HOST;
  // - a device without a link-layer header (tun, mac_len 0): PACKET_HOST;
  // - a locally generated packet: alloc_skb leaves 0, PACKET_HOST, also for
  //   broadcast and multicast destinations (OUTPUT and POSTROUTING).
  static uint8_t PacketType(const Packet& p) {
    if (p.in.empty() || p.mac_len != 14 || !(p.mac[0] & 1)) return 0;
    for (int i = 0; i < 6; ++i)
      if (p.mac[i] != 0xff) return 2;
    return 1;
  }
  void Save(std::string& out, const SaveContext&) const override {
    for (const auto& t : kTypes)
      if (t.type == type_) {
        SaveOpt(out, "pkt-type", t.name, invert_);
        return;
      }
  }
  // PACKET_HOST 0, PACKET_BROADCAST 1, PACKET_MULTICAST 2, PACKET_OTHERHOST 3.
  uint8_t type() const { return type_; }
  bool invert() const { return invert_; }

 private:
  uint8_t type_ = 0;
  bool invert_ = false, given_ = false;
};

}  // namespace

extern const ExtensionInfo kPkttypeMatch = {
    .name = "pkttype",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<PkttypeMatch>,
};

}  // namespace iptsim
