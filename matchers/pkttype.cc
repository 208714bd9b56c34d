// Extension: pkttype (match, IPv4 IPv6)
// Synopsis: -m pkttype [!] --pkt-type unicast|broadcast|multicast|otherhost
// Semantics: the link-layer packet type (skb->pkt_type): unicast to this
//   host, broadcast, multicast, or unicast to another host.  Aliases host,
//   bcast and mcast; names in any case.  Looped-back packets
//   (PACKET_LOOPBACK) count as multicast when IPv6 or to an IPv4 multicast
//   address, else as broadcast.
// Example: -m pkttype --pkt-type broadcast
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
