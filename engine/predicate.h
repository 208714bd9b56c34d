// A rule's conditions as predicates over a fixed set of header fields, and
// its target's effect on those fields: what the symbolic evaluation
// (symbolic/, `iptsim diff`) reasons about.  A match
// describes itself (Match::Describe); what it cannot describe over these
// fields is an opaque condition, never a guess: the symbolic layer keeps it
// as an explicit "if -m NAME matches" in its answers.
//
// The same predicate can be evaluated on a concrete packet (Holds), so a
// description is checked against the match's own Evaluate (tests/unit).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/eval.h"
#include "engine/model.h"
#include "engine/netaddr.h"

namespace iptsim {

struct PacketView;
struct EvalContext;
struct CtRef;

// The fields.  Numbers are unsigned and at most 32 bits wide (FieldBits).
enum class Field : uint8_t {
  kSrc,       // source address (32 or 128 bits)
  kDst,       // destination address
  kProto,     // transport protocol (IPv6: after the extension headers)
  kSport,     // ports: 0 for protocols without them (and for later fragments)
  kDport,
  kTcpFlags,  // FIN SYN RST PSH ACK URG ECE CWR (0x01..0x80); 0 unless TCP
  kIcmpType,  // ICMP or ICMPv6 type and code; 0 unless ICMP
  kIcmpCode,
  kCtState,   // one of the CtStateValue values below
  kMark,      // skb->mark
  kLength,    // as -m length sees it: IPv4 total length, IPv6 payload length + 40
  kTos,       // IPv4 TOS byte, IPv6 traffic class (DSCP << 2 | ECN)
  kTtl,       // TTL / hop limit
  kFragment,  // 0 not a fragment, 1 first fragment, 2 later fragment (IPv4)
  kInIface,   // interface names (predicates: IfaceIs)
  kOutIface,
};
constexpr int kNumFields = 16;
// Width in bits of a numeric field (addresses: 32 or 128 by family;
// interfaces: 0, they are names).
int FieldBits(Field f, Family family);
// "src", "dport", ... (iptsim's words, for messages).
std::string_view FieldName(Field f);

// The connection-tracking states as -m state / -m conntrack --ctstate see
// them (the virtual SNAT/DNAT states are not among them: a match on them
// is opaque).
enum CtStateValue : uint32_t {
  kCtInvalid = 0,
  kCtNew = 1,
  kCtEstablished = 2,
  kCtRelated = 3,
  kCtUntracked = 4,
};
constexpr uint32_t kNumCtStates = 5;
// "INVALID", "NEW", "ESTABLISHED", "RELATED", "UNTRACKED": the names
// -m state and --ctstate use.
std::string_view CtStateName(uint32_t state);

// A condition over the fields, as a small tree.
struct Pred {
  enum class Op : uint8_t {
    kTrue,
    kFalse,
    kOpaque,      // not expressible over the fields
    kNumIn,       // lo <= field <= hi
    kNumMasked,   // (field & mask) == value
    kAddrMasked,  // (address & mask) == addr (mask need not be contiguous)
    kAddrIn,      // lo <= address <= hi (iprange)
    kIfaceIs,     // the interface name matches `iface` (a trailing '+': prefix)
    kNot,
    kAnd,
    kOr,
  };
  Op op = Op::kTrue;
  Field field = Field::kSrc;
  uint32_t lo = 0, hi = 0;  // kNumIn: the range; kNumMasked: lo = value, hi = mask
  IpAddr a, b;              // kAddrMasked: a = addr, b = mask; kAddrIn: a..b
  IfaceName iface;
  std::vector<Pred> kids;   // kNot: one; kAnd/kOr: any number

  static Pred True() { return Pred{}; }
  static Pred False();
  static Pred Opaque();
  static Pred NumIn(Field f, uint32_t lo, uint32_t hi);
  static Pred NumEq(Field f, uint32_t v) { return NumIn(f, v, v); }
  static Pred NumMasked(Field f, uint32_t value, uint32_t mask);
  static Pred AddrMasked(Field f, const IpPrefix& p);
  static Pred AddrIn(Field f, const IpAddr& lo, const IpAddr& hi);
  static Pred IfaceIs(Field f, const IfaceName& name);
  static Pred Not(Pred p);
  static Pred And(std::vector<Pred> kids);
  static Pred Or(std::vector<Pred> kids);
  // `p`, negated when `invert` (a match's '!').
  static Pred Inverted(Pred p, bool invert) { return invert ? Not(std::move(p)) : p; }

  bool IsOpaque() const;  // any opaque part
};

// The fields' values of one concrete packet at one point of its walk.
struct FieldValues {
  IpAddr src, dst;
  uint32_t num[kNumFields] = {};  // indexed by Field (addresses and interfaces unused)
  IfaceName in, out;
  uint32_t get(Field f) const { return num[static_cast<int>(f)]; }
  void set(Field f, uint32_t v) { num[static_cast<int>(f)] = v; }
};

// The packet's values as the walk sees them (ctstate from ctx.ct, mark
// from the packet, ...).
FieldValues FieldsOf(const PacketView& v, const EvalContext& ctx);

// The state -m state / -m conntrack would see (CtStateOf in
// matchers/ct_common.h gives the same as a state bit).
CtStateValue CtStateOfRef(const CtRef* ct);

// Whether the packet's values satisfy `p`.  An opaque part that the answer
// depends on sets *decided = false (the returned value is then meaningless).
bool Holds(const Pred& p, const FieldValues& v, Family family, bool* decided);

// A target's effect on the walk and on the fields (Target::DescribeEffect).
struct TargetEffect {
  enum class Kind : uint8_t {
    kUnmodelled,  // iptsim cannot follow this target symbolically
    kContinue,    // no verdict, no field changed (LOG, NFLOG, TRACE, TCPMSS...)
    kVerdict,     // ends the walk: `verdict` (REJECT: kDrop)
    kSetBits,     // field = (field & ~mask) ^ value, then continue
    kSetUnknown,  // field gets a value iptsim cannot know (CONNMARK
                  // --restore-mark, TTL --ttl-dec...), then continue
    kNat,         // a NAT binding: ends the nat table's walk with ACCEPT;
                  // `field` (kSrc or kDst) becomes nat_addr when single
  };
  Kind kind = Kind::kUnmodelled;
  TargetVerdict verdict = TargetVerdict::kContinue;
  Field field = Field::kMark;
  uint32_t mask = 0, value = 0;
  // kNat: the new address range and port range (port 0..0: unchanged);
  // nat_known false when the address comes from the host (MASQUERADE,
  // REDIRECT): the field becomes unknown.
  bool nat_known = false;
  IpAddr nat_lo, nat_hi;
  uint16_t port_lo = 0, port_hi = 0;
};

}  // namespace iptsim
