// ipsets as `ipset save` shows them (loader/ipset_file.h reads that text),
// and the kernel's test/add/del of a packet against a set (net/netfilter/
// ipset/): what -m set and -j SET need.  A run works on its own copy: SET
// --add-set/--del-set change the copy, later packets of the run see it.
//
// Model: an element is a tuple of up to three dimensions (address with a
// prefix length, protocol and port, MAC, mark, interface name) as the set
// type says; timeouts are ignored (the file is a snapshot: every listed
// element is present); "nomatch" elements and per-element packet/byte
// counters and skbinfo marks are kept.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/eval.h"
#include "engine/netaddr.h"
#include "engine/run_state.h"

namespace iptsim {

enum class IpsetDim : uint8_t { kIp, kNet, kPort, kMac, kMark, kIface, kSet };

struct IpsetValue {
  IpAddr addr;            // kIp, kNet (masked to cidr)
  uint8_t cidr = 0;       // kIp, kNet: prefix length (kIp: the host length, or the netmask)
  uint8_t proto = 0;      // kPort: IP protocol
  uint16_t port = 0;      // kPort: port, or (type << 8) | code for ICMP
  std::array<uint8_t, 6> mac{};
  uint32_t mark = 0;      // kMark (masked with markmask)
  std::string iface;      // kIface (kSet: the member set's name)
  bool physdev = false;   // kIface: "physdev:" prefix
  bool operator==(const IpsetValue&) const = default;
};

struct IpsetElement {
  std::vector<IpsetValue> v;  // one per dimension
  bool nomatch = false;
  uint64_t packets = 0, bytes = 0;
  std::optional<uint32_t> skbmark, skbmarkmask;
  uint32_t line = 0;  // where the file added it (0: added by a rule)
};

struct Ipset {
  std::string name;
  std::string type;            // "hash:ip,port" ...
  std::vector<IpsetDim> dims;  // from the type
  Family family = Family::kIPv4;
  bool family_any = false;     // list:set, bitmap:port, hash:mac: any family
  bool counters = false, skbinfo = false;
  uint8_t netmask = 0;         // hash:ip / bitmap:ip netmask (0: host)
  uint32_t markmask = 0xffffffff;
  // bitmap:ip / bitmap:port range (inclusive).
  IpAddr range_from, range_to;
  uint16_t port_from = 0, port_to = 0;
  std::vector<IpsetElement> elements;
  uint32_t line = 0;
  bool bitmap() const { return type.rfind("bitmap:", 0) == 0; }
};

using IpsetDb = std::map<std::string, Ipset>;

// The run's copy of the sets (RunState::Named("ipset", "")), made by the
// Simulator from SimulatorOptions::ipsets.
struct IpsetRunState : ExtState {
  bool loaded = false;
  IpsetDb db;
};
// The run's sets, or nullptr when the run has none (no --ipset, or a lone
// evaluation).
inline IpsetDb* RunIpsets(const EvalContext& ctx) {
  if (!ctx.run) return nullptr;
  IpsetRunState& st = ctx.run->Named<IpsetRunState>("ipset", "");
  return st.loaded ? &st.db : nullptr;
}

// Flags of a set reference: `dim` words, bit i of src_bits set when word
// i+1 is "src" (matchers/ipset_util.h IpsetRef).
struct IpsetTestResult {
  Tri matched = Tri::kFalse;  // kUnknown with a reason
  std::string reason;
};

// ip_set_test: the packet against set `name` with the reference's flags.
// return_nomatch: --return-nomatch; counters: update and compare counters
// (cmp: nullptr when no --packets-*/--bytes-* condition).
struct IpsetCounterCond {
  uint8_t op = 0;  // 0 none, 1 eq, 2 ne, 3 lt, 4 gt
  uint64_t value = 0;
};
struct IpsetTestOptions {
  uint8_t dim = 0, src_bits = 0;
  bool return_nomatch = false;
  bool update_counters = true;
  IpsetCounterCond packets, bytes;
};
// *hit (when not nullptr) gets the element that decided a match.
IpsetTestResult IpsetTest(IpsetDb& db, const std::string& name, const PacketView& v,
                          const EvalContext& ctx, const IpsetTestOptions& opt,
                          const IpsetElement** hit = nullptr, int depth = 0);

// The element of set `name` that matches the packet (as -m set would), or
// nullptr.  Counters are left alone.
const IpsetElement* IpsetFind(IpsetDb& db, const std::string& name, const PacketView& v,
                              uint8_t dim, uint8_t src_bits);

// ip_set_add / ip_set_del from a packet (-j SET).  Nothing happens when the
// packet does not give the element (a later fragment, no MAC header...), the
// set does not exist or the dimensions/family do not fit, as in the kernel
// (the target continues either way).
void IpsetAddDel(IpsetDb& db, const std::string& name, const PacketView& v, uint8_t dim,
                 uint8_t src_bits, bool add, int depth = 0);

// The dimensions of a set type ("hash:net,port" -> net, port); false for a
// type iptsim does not know.
bool IpsetTypeDims(const std::string& type, std::vector<IpsetDim>* dims);
// Whether the type has the "nomatch" feature (its elements may be nomatch).
bool IpsetTypeHasNomatch(const std::vector<IpsetDim>& dims);

}  // namespace iptsim
