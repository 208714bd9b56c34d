#include "symbolic/space.h"

#include <cstdio>
#include <cstdlib>

#include "engine/walker.h"

namespace iptsim::symbolic {

namespace {

// About 20 bytes a node: the analysis stops past about 1.6 GB.
constexpr int kMaxNodes = 80'000'000;
constexpr int kConditionChunk = 256;

// The order of the fields' variables: those rules test most first, so the
// diagrams of typical rulesets stay small.
constexpr Field kVarOrder[] = {
    Field::kInIface,  Field::kOutIface, Field::kCtState,  Field::kProto,
    Field::kDst,      Field::kDport,    Field::kSrc,      Field::kSport,
    Field::kTcpFlags, Field::kIcmpType, Field::kIcmpCode, Field::kMark,
    Field::kLength,   Field::kTos,      Field::kTtl,      Field::kFragment,
};

void OnBddError(int code) {
  // BuDDy cannot unwind: say what happened and stop (exit status 2).
  std::fflush(stdout);
  if (code == BDD_NODENUM || code == BDD_MEMORY)
    std::fprintf(stderr,
                 "iptsim: the symbolic analysis needs more than %d BDD nodes (about %d MB): the "
                 "rulesets are too large or too irregular to compare symbolically; compare "
                 "concrete packets with --packets or --pcap\n",
                 kMaxNodes, kMaxNodes / 50'000);
  else
    std::fprintf(stderr, "iptsim: internal error in the BDD library: %s\n", bdd_errstring(code));
  std::exit(2);
}

bool Active = false;

int Bits(int n) {
  int b = 1;
  while ((1 << b) < n) ++b;
  return b;
}

bool MatchesAny(const IfaceName& name, const std::vector<IfaceName>& patterns) {
  for (const IfaceName& p : patterns)
    if (IfaceMatches(p, name)) return true;
  return false;
}

// Representative names: none, lo, every exact name, one name for each
// prefix pattern that no exact name takes, and one name no pattern
// matches.
std::vector<IfaceRep> Representatives(const std::vector<IfaceName>& patterns) {
  std::vector<IfaceRep> reps;
  auto have = [&](std::string_view n) {
    for (const IfaceRep& r : reps)
      if (r.name.view() == n) return true;
    return false;
  };
  reps.push_back({IfaceName(""), "(none)"});
  reps.push_back({IfaceName("lo"), "lo"});
  for (const IfaceName& p : patterns)
    if (!p.empty() && p.view().back() != '+' && !have(p.view()))
      reps.push_back({p, std::string(p.view())});
  for (const IfaceName& p : patterns) {
    if (p.empty() || p.view().back() != '+') continue;
    std::string prefix(p.view().substr(0, p.view().size() - 1));
    for (int k = 0; k < 100; ++k) {
      std::string cand = prefix + std::to_string(k);
      if (cand.size() > 15) break;
      bool exact = false;
      for (const IfaceName& q : patterns) exact |= q.view() == cand;
      if (exact || have(cand)) continue;
      reps.push_back({IfaceName(cand), std::string(p.view()) + " (other)"});
      break;
    }
  }
  for (std::string cand : {"other0", "zz0", "x9", "q7w"}) {
    if (MatchesAny(IfaceName(cand), patterns) || have(cand)) continue;
    reps.push_back({IfaceName(cand), "(other)"});
    break;
  }
  return reps;
}

}  // namespace

Space::Space(Family family, const std::vector<IfaceName>& patterns)
    : family_(family), ifaces_(Representatives(patterns)), tracked_(family) {
  if (Active) {
    std::fprintf(stderr, "iptsim: internal error: two symbolic analyses at once\n");
    std::exit(2);
  }
  Active = true;
  bdd_init(1'000'000, 100'000);
  bdd_error_hook(OnBddError);
  bdd_gbc_hook(nullptr);
  bdd_setmaxnodenum(kMaxNodes);
  bdd_setmaxincrease(4'000'000);
  int total = 0;
  for (Field f : kVarOrder) {
    const bool iface = f == Field::kInIface || f == Field::kOutIface;
    total += iface ? Bits(static_cast<int>(ifaces_.size())) : FieldBits(f, family);
  }
  allocated_vars_ = total + kConditionChunk;
  bdd_setvarnum(allocated_vars_);
  for (Field f : kVarOrder) {
    const bool iface = f == Field::kInIface || f == Field::kOutIface;
    const int w = iface ? Bits(static_cast<int>(ifaces_.size())) : FieldBits(f, family);
    BitVec& v = vars_[static_cast<int>(f)];
    for (int i = 0; i < w; ++i) v.push_back(bdd_ithvarpp(next_var_++));
  }
  header_vars_ = next_var_;
}

std::span<const Field> Space::Order() { return kVarOrder; }

Space::~Space() {
  for (BitVec& v : vars_) v.clear();
  universe_ = bddfalse;
  bdd_done();
  Active = false;
}

void AddInterfacePatterns(const Ruleset& rs, std::vector<IfaceName>* out) {
  for (const Table& t : rs.tables)
    for (const Chain& c : t.chains)
      for (const Rule& r : c.rules) {
        if (!r.ip.in_iface.empty()) out->push_back(r.ip.in_iface);
        if (!r.ip.out_iface.empty()) out->push_back(r.ip.out_iface);
      }
}

int Space::IfaceCode(std::string_view name) const {
  for (size_t i = 0; i < ifaces_.size(); ++i)
    if (ifaces_[i].name.view() == name) return static_cast<int>(i);
  return -1;
}

bdd Space::IfaceMatches(const BitVec& bits, const IfaceName& pattern) const {
  bdd r = bddfalse;
  for (size_t i = 0; i < ifaces_.size(); ++i)
    if (iptsim::IfaceMatches(pattern, ifaces_[i].name))
      r |= Equals(bits, WordConst::Of(static_cast<uint32_t>(i)));
  return r;
}

namespace {

bool HasPorts(uint32_t p) { return p == 6 || p == 17 || p == 33 || p == 132 || p == 136; }

// The transport header the packet builder writes for each protocol: a
// shorter packet would be a truncated one, which the analysis leaves out.
uint32_t TransportHeaderLen(uint32_t proto, Family family) {
  switch (proto) {
    case 6: return 20;
    case 17:
    case 33: return 8;
    case 132: return 12;
    case 136: return 16;
    case 1: return family == Family::kIPv4 ? 8 : 0;
    case 58: return family == Family::kIPv6 ? 8 : 0;
    default: return 0;
  }
}

// IPv6 next-header values that are extension headers or end the chain:
// a packet "of" such a protocol is not one the analysis describes.
bool IsIpv6ExtensionOrEnd(uint32_t p) {
  return p == 0 || p == 43 || p == 44 || p == 50 || p == 51 || p == 59 || p == 60 || p == 135 ||
         p == 139 || p == 140;
}

}  // namespace

bool IsBuildableProtocol(uint32_t p, Family family) {
  if (family == Family::kIPv4) return p != 0 && p != 58;
  return p != 1 && !IsIpv6ExtensionOrEnd(p);
}

namespace {

// The states conntrack can give packets of `proto` whose TCP flags (ICMP
// type) are `detail`.
bdd ReachableStates(const TrackedStates& ts, const BitVec& state, uint32_t proto, uint32_t detail) {
  bdd r = bddfalse;
  for (uint32_t s = 0; s < kNumCtStates; ++s)
    if (ts.Reachable(proto, detail, s)) r |= Equals(state, WordConst::Of(s));
  return r;
}

}  // namespace

bdd Space::TrackedStatesOf(uint32_t p) const {
  const BitVec& st = Var(Field::kCtState);
  const int kind = TrackedStates::Kind(p, family_);
  if (kind == 2) return ReachableStates(tracked_, st, p, 0);
  const BitVec& detail = Var(kind == 0 ? Field::kTcpFlags : Field::kIcmpType);
  bdd r = bddfalse;
  for (uint32_t d = 0; d < 256; ++d)
    r |= Equals(detail, WordConst::Of(d)) & ReachableStates(tracked_, st, p, d);
  return r;
}

bdd Space::Universe() const {
  if (universe_ == bddfalse) universe_ = BuildUniverse();
  return universe_;
}

bdd Space::BuildUniverse() const {
  const uint32_t n = static_cast<uint32_t>(ifaces_.size());
  bdd u = AtMost(Var(Field::kInIface), WordConst::Of(n - 1)) &
          AtMost(Var(Field::kOutIface), WordConst::Of(n - 1)) &
          AtMost(Var(Field::kCtState), WordConst::Of(kNumCtStates - 1)) &
          Equals(Var(Field::kFragment), WordConst::Of(0));
  const bool v4 = family_ == Family::kIPv4;
  const uint32_t icmp = v4 ? 1 : 58;
  const uint32_t ip_header = v4 ? 20 : 40;
  // Per protocol: the fields it has, and the least length.
  bdd per_proto = bddfalse;
  for (uint32_t p = 0; p < 256; ++p) {
    if (!IsBuildableProtocol(p, family_)) continue;
    bdd c = Equals(Var(Field::kProto), WordConst::Of(p));
    if (!HasPorts(p))
      c &= Equals(Var(Field::kSport), WordConst::Of(0)) & Equals(Var(Field::kDport), WordConst::Of(0));
    if (p != 6) c &= Equals(Var(Field::kTcpFlags), WordConst::Of(0));
    if (p != icmp)
      c &= Equals(Var(Field::kIcmpType), WordConst::Of(0)) &
           Equals(Var(Field::kIcmpCode), WordConst::Of(0));
    c &= AtLeast(Var(Field::kLength), WordConst::Of(ip_header + TransportHeaderLen(p, family_)));
    c &= TrackedStatesOf(p);
    // An SCTP packet longer than its common header would carry chunks,
    // which the trackers read: the space holds the bare header only.
    if (p == 132)
      c &= Equals(Var(Field::kLength), WordConst::Of(ip_header + TransportHeaderLen(p, family_)));
    per_proto |= c;
  }
  return u & per_proto;
}

int Space::NewConditionVar() {
  if (next_var_ >= allocated_vars_) {
    allocated_vars_ += kConditionChunk;
    bdd_setvarnum(allocated_vars_);
  }
  return next_var_++;
}

bdd Space::FieldVarSet() const {
  bdd s = bddtrue;
  for (const BitVec& v : vars_)
    for (const bdd& b : v) s &= b;
  return s;
}

bdd Space::Projection(const bdd& set, Field f) const {
  bdd others = bddtrue;
  for (int g = 0; g < kNumFields; ++g)
    if (g != static_cast<int>(f))
      for (const bdd& b : vars_[g]) others &= b;
  return bdd_exist(set, others);
}

}  // namespace iptsim::symbolic
