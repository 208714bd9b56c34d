#include "engine/ipset.h"

#include <algorithm>

#include "base/bytes.h"

namespace iptsim {
namespace {

constexpr int kMaxListDepth = 8;  // list:set may not contain list:set; a guard anyway

IpAddr Masked(const IpAddr& a, Family f, int len) {
  IpAddr m = PrefixMask(f, len);
  IpAddr r;
  for (size_t i = 0; i < 16; ++i) r.b[i] = a.b[i] & m.b[i];
  return r;
}

int HostLen(Family f) { return f == Family::kIPv4 ? 32 : 128; }

// ip_set_get_ip4_port / ip_set_get_ip6_port (ip_set_getport.c): the
// protocol and the source or destination port (ICMP: type << 8 | code);
// false when the packet does not show them.
bool PacketPort(const PacketView& v, bool src, uint8_t* proto, uint16_t* port) {
  *port = 0;
  *proto = v.l4proto;
  const bool v4 = v.pkt->family == Family::kIPv4;
  // ip_set_get_ip6_port: a chain ipv6_skip_exthdr cannot walk, or a later
  // fragment, gives nothing.
  if (!v4 && (!v.l4proto_found || (v.is_fragment && v.fragoff))) return false;
  if (v4 && v.l4proto == 0) return false;  // "protocol <= 0"
  const bool has_ports = v.l4proto == 6 || v.l4proto == 17 || v.l4proto == 132 ||
                         v.l4proto == 136;
  const bool icmp = v.l4proto == (v4 ? 1 : 58);
  if (v.is_fragment && v.fragoff) return !(has_ports || icmp);
  if (has_ports) {
    if (v.transport_size() < 4) return false;
    const uint8_t* t = v.transport() + (src ? 0 : 2);
    *port = GetBe16(t);
  } else if (icmp) {
    if (v.transport_size() < 2) return false;
    *port = GetBe16(v.transport());
  }
  return true;
}

// The packet's value for dimension i of `set` (src or dst side); false when
// the packet does not give it.
bool PacketValue(const Ipset& set, IpsetDim d, bool src, const PacketView& v, IpsetValue* out) {
  const Family f = v.pkt->family;
  switch (d) {
    case IpsetDim::kIp:
    case IpsetDim::kNet:
      out->addr = src ? v.src() : v.dst();
      out->cidr = static_cast<uint8_t>(HostLen(f));
      if (d == IpsetDim::kIp && set.netmask) {
        out->addr = Masked(out->addr, f, set.netmask);
        out->cidr = set.netmask;
      }
      return true;
    case IpsetDim::kPort:
      return PacketPort(v, src, &out->proto, &out->port);
    case IpsetDim::kMac:
      if (v.pkt->mac_len < 14) return false;
      std::copy(v.pkt->mac.begin() + (src ? 6 : 0), v.pkt->mac.begin() + (src ? 12 : 6),
                out->mac.begin());
      return true;
    case IpsetDim::kMark:
      out->mark = v.pkt->mark & set.markmask;
      return true;
    case IpsetDim::kIface: {
      const IfaceName& n = src ? v.pkt->in : v.pkt->out;
      if (n.empty()) return false;
      out->iface = std::string(n.view());
      return true;
    }
    case IpsetDim::kSet:
      return false;
  }
  return false;
}

// Whether the set's element value `have` covers the packet's `want`.
bool Covers(const Ipset& set, IpsetDim d, const IpsetValue& have, const IpsetValue& want,
            Family f) {
  switch (d) {
    case IpsetDim::kIp:
    case IpsetDim::kNet:
      return Masked(want.addr, f, have.cidr) == have.addr;
    case IpsetDim::kPort:
      // bitmap:port keeps the port only (bitmap_port_kadt: any protocol).
      if (set.type == "bitmap:port") return have.port == want.port;
      return have.proto == want.proto && have.port == want.port;
    case IpsetDim::kMac:
      return have.mac == want.mac;
    case IpsetDim::kMark:
      return have.mark == want.mark;
    case IpsetDim::kIface:
      // "physdev:" elements need the PHYSDEV command flag, which xt_set
      // never passes: they do not match from iptables.
      return !have.physdev && have.iface == want.iface;
    case IpsetDim::kSet:
      return false;
  }
  return false;
}

bool CounterOk(uint64_t have, const IpsetCounterCond& c) {
  switch (c.op) {
    case 1: return have == c.value;
    case 2: return have != c.value;
    case 3: return have < c.value;
    case 4: return have > c.value;
    default: return true;
  }
}

// The packet's values for every dimension of the set, or false.
bool PacketValues(const Ipset& set, const PacketView& v, uint8_t src_bits,
                  std::vector<IpsetValue>* want, bool* physdev_ok = nullptr) {
  want->assign(set.dims.size(), IpsetValue{});
  for (size_t i = 0; i < set.dims.size(); ++i) {
    const bool src = src_bits & (1u << i);
    if (!PacketValue(set, set.dims[i], src, v, &(*want)[i])) return false;
  }
  (void)physdev_ok;
  return true;
}

bool InBitmapRange(const Ipset& set, const std::vector<IpsetValue>& want) {
  if (set.type == "bitmap:port") return want[0].port >= set.port_from && want[0].port <= set.port_to;
  if (set.type.rfind("bitmap:ip", 0) == 0) {
    return !(want[0].addr.b < set.range_from.b) && !(set.range_to.b < want[0].addr.b);
  }
  return true;
}

}  // namespace

bool IpsetTypeDims(const std::string& type, std::vector<IpsetDim>* dims) {
  dims->clear();
  std::string kinds;
  if (type.rfind("hash:", 0) == 0) kinds = type.substr(5);
  else if (type.rfind("bitmap:", 0) == 0) kinds = type.substr(7);
  else if (type == "list:set") kinds = "set";
  else return false;
  size_t i = 0;
  while (i <= kinds.size()) {
    size_t j = kinds.find(',', i);
    if (j == std::string::npos) j = kinds.size();
    std::string k = kinds.substr(i, j - i);
    if (k == "ip") dims->push_back(IpsetDim::kIp);
    else if (k == "net") dims->push_back(IpsetDim::kNet);
    else if (k == "port") dims->push_back(IpsetDim::kPort);
    else if (k == "mac") dims->push_back(IpsetDim::kMac);
    else if (k == "mark") dims->push_back(IpsetDim::kMark);
    else if (k == "iface") dims->push_back(IpsetDim::kIface);
    else if (k == "set") dims->push_back(IpsetDim::kSet);
    else return false;
    i = j + 1;
  }
  static const char* const kKnown[] = {
      "hash:ip", "hash:net", "hash:ip,port", "hash:net,port", "hash:ip,port,ip",
      "hash:ip,port,net", "hash:net,net", "hash:net,port,net", "hash:ip,mark", "hash:mac",
      "hash:ip,mac", "hash:net,iface", "bitmap:ip", "bitmap:ip,mac", "bitmap:port", "list:set"};
  return std::find(std::begin(kKnown), std::end(kKnown), type) != std::end(kKnown);
}

bool IpsetTypeHasNomatch(const std::vector<IpsetDim>& dims) {
  return std::find(dims.begin(), dims.end(), IpsetDim::kNet) != dims.end();
}

IpsetTestResult IpsetTest(IpsetDb& db, const std::string& name, const PacketView& v,
                          const EvalContext& ctx, const IpsetTestOptions& opt,
                          const IpsetElement** hit, int depth) {
  IpsetTestResult res;
  auto it = db.find(name);
  if (it == db.end()) {
    res.matched = Tri::kUnknown;
    res.reason = "the ipset '" + name + "' is not in the --ipset files (the kernel refuses a rule "
                 "naming a set that does not exist)";
    return res;
  }
  Ipset& set = it->second;
  // ip_set_test: too few flags for the set's dimensions, or another family.
  if (opt.dim < set.dims.size() || (!set.family_any && set.family != v.pkt->family)) return res;
  if (set.type == "list:set") {
    if (depth >= kMaxListDepth) return res;
    for (const IpsetElement& e : set.elements) {
      IpsetTestResult r = IpsetTest(db, e.v[0].iface, v, ctx, opt, hit, depth + 1);
      if (r.matched != Tri::kFalse) return r;
    }
    return res;
  }
  std::vector<IpsetValue> want;
  if (!PacketValues(set, v, opt.src_bits, &want)) return res;
  if (set.bitmap() && !InBitmapRange(set, want)) return res;
  // Candidates, most specific prefix lengths first (mtype_test_cidrs).
  std::vector<IpsetElement*> found;
  for (IpsetElement& e : set.elements) {
    bool ok = true;
    for (size_t i = 0; ok && i < set.dims.size(); ++i)
      ok = Covers(set, set.dims[i], e.v[i], want[i], v.pkt->family);
    if (ok) found.push_back(&e);
  }
  auto cidrs = [&](const IpsetElement* e) {
    std::vector<int> c;
    for (size_t i = 0; i < set.dims.size(); ++i)
      if (set.dims[i] == IpsetDim::kNet) c.push_back(e->v[i].cidr);
    return c;
  };
  std::stable_sort(found.begin(), found.end(),
                   [&](const IpsetElement* a, const IpsetElement* b) { return cidrs(a) > cidrs(b); });
  for (IpsetElement* e : found) {
    if (set.counters) {
      if (opt.update_counters) {
        e->packets += 1;
        e->bytes += v.size();
      }
      if (!CounterOk(e->packets, opt.packets) || !CounterOk(e->bytes, opt.bytes)) continue;
    }
    bool match = !e->nomatch;
    if (opt.return_nomatch && IpsetTypeHasNomatch(set.dims)) match = !match;
    res.matched = ToTri(match);
    if (hit && match) *hit = e;
    return res;
  }
  return res;
}

const IpsetElement* IpsetFind(IpsetDb& db, const std::string& name, const PacketView& v,
                              uint8_t dim, uint8_t src_bits) {
  IpsetTestOptions opt;
  opt.dim = dim;
  opt.src_bits = src_bits;
  opt.update_counters = false;
  const IpsetElement* hit = nullptr;
  EvalContext ctx;
  IpsetTest(db, name, v, ctx, opt, &hit);
  return hit;
}

void IpsetAddDel(IpsetDb& db, const std::string& name, const PacketView& v, uint8_t dim,
                 uint8_t src_bits, bool add, int depth) {
  auto it = db.find(name);
  if (it == db.end()) return;
  Ipset& set = it->second;
  if (dim < set.dims.size() || (!set.family_any && set.family != v.pkt->family)) return;
  if (set.type == "list:set") {
    // list_set_kadd / kdel: the first member set that takes it.
    if (depth >= kMaxListDepth) return;
    for (const IpsetElement& e : set.elements) {
      auto m = db.find(e.v[0].iface);
      if (m == db.end() || m->second.type == "list:set") continue;
      size_t before = m->second.elements.size();
      IpsetAddDel(db, e.v[0].iface, v, dim, src_bits, add, depth + 1);
      if (m->second.elements.size() != before) return;
    }
    return;
  }
  std::vector<IpsetValue> want;
  if (!PacketValues(set, v, src_bits, &want)) return;
  if (set.bitmap() && !InBitmapRange(set, want)) return;
  // hash:net* (INIT_CIDR): the most specific prefix length in use in the
  // set for that dimension, the host length when the set is empty.
  const Family f = v.pkt->family;
  for (size_t i = 0; i < set.dims.size(); ++i) {
    if (set.dims[i] != IpsetDim::kNet) continue;
    int best = -1;
    for (const IpsetElement& e : set.elements) best = std::max<int>(best, e.v[i].cidr);
    int len = best < 0 ? HostLen(f) : best;
    want[i].cidr = static_cast<uint8_t>(len);
    want[i].addr = Masked(want[i].addr, f, len);
  }
  auto same = [&](const IpsetElement& e) { return e.v == want; };
  auto pos = std::find_if(set.elements.begin(), set.elements.end(), same);
  if (add) {
    if (pos == set.elements.end()) {
      IpsetElement e;
      e.v = std::move(want);
      set.elements.push_back(std::move(e));
    }
  } else if (pos != set.elements.end()) {
    set.elements.erase(pos);
  }
}

}  // namespace iptsim
