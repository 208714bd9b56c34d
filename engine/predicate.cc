#include "engine/predicate.h"

#include <algorithm>

#include "base/bytes.h"
#include "engine/conntrack_entry.h"
#include "engine/eval.h"
#include "engine/walker.h"

namespace iptsim {

int FieldBits(Field f, Family family) {
  switch (f) {
    case Field::kSrc:
    case Field::kDst: return family == Family::kIPv4 ? 32 : 128;
    case Field::kProto:
    case Field::kTcpFlags:
    case Field::kIcmpType:
    case Field::kIcmpCode:
    case Field::kTos:
    case Field::kTtl: return 8;
    case Field::kSport:
    case Field::kDport:
    case Field::kLength: return 16;
    case Field::kCtState: return 3;
    case Field::kMark: return 32;
    case Field::kFragment: return 2;
    case Field::kInIface:
    case Field::kOutIface: return 0;
  }
  return 0;
}

std::string_view FieldName(Field f) {
  switch (f) {
    case Field::kSrc: return "src";
    case Field::kDst: return "dst";
    case Field::kProto: return "proto";
    case Field::kSport: return "sport";
    case Field::kDport: return "dport";
    case Field::kTcpFlags: return "tcp-flags";
    case Field::kIcmpType: return "icmp-type";
    case Field::kIcmpCode: return "icmp-code";
    case Field::kCtState: return "ctstate";
    case Field::kMark: return "mark";
    case Field::kLength: return "length";
    case Field::kTos: return "tos";
    case Field::kTtl: return "ttl";
    case Field::kFragment: return "fragment";
    case Field::kInIface: return "in";
    case Field::kOutIface: return "out";
  }
  return "";
}

Pred Pred::False() {
  Pred p;
  p.op = Op::kFalse;
  return p;
}

Pred Pred::Opaque() {
  Pred p;
  p.op = Op::kOpaque;
  return p;
}

Pred Pred::NumIn(Field f, uint32_t lo, uint32_t hi) {
  Pred p;
  p.op = Op::kNumIn;
  p.field = f;
  p.lo = lo;
  p.hi = hi;
  return p;
}

Pred Pred::NumMasked(Field f, uint32_t value, uint32_t mask) {
  Pred p;
  p.op = Op::kNumMasked;
  p.field = f;
  p.lo = value & mask;
  p.hi = mask;
  return p;
}

Pred Pred::AddrMasked(Field f, const IpPrefix& prefix) {
  Pred p;
  p.op = Op::kAddrMasked;
  p.field = f;
  p.a = prefix.addr;
  p.b = prefix.mask;
  for (size_t i = 0; i < p.a.b.size(); ++i) p.a.b[i] &= p.b.b[i];
  return p;
}

Pred Pred::AddrIn(Field f, const IpAddr& lo, const IpAddr& hi) {
  Pred p;
  p.op = Op::kAddrIn;
  p.field = f;
  p.a = lo;
  p.b = hi;
  return p;
}

Pred Pred::IfaceIs(Field f, const IfaceName& name) {
  Pred p;
  p.op = Op::kIfaceIs;
  p.field = f;
  p.iface = name;
  return p;
}

Pred Pred::Not(Pred k) {
  Pred p;
  p.op = Op::kNot;
  p.kids.push_back(std::move(k));
  return p;
}

Pred Pred::And(std::vector<Pred> kids) {
  Pred p;
  p.op = Op::kAnd;
  p.kids = std::move(kids);
  return p;
}

Pred Pred::Or(std::vector<Pred> kids) {
  Pred p;
  p.op = Op::kOr;
  p.kids = std::move(kids);
  return p;
}

bool Pred::IsOpaque() const {
  if (op == Op::kOpaque) return true;
  return std::any_of(kids.begin(), kids.end(), [](const Pred& k) { return k.IsOpaque(); });
}

std::string_view CtStateName(uint32_t state) {
  constexpr std::string_view kNames[kNumCtStates] = {"INVALID", "NEW", "ESTABLISHED", "RELATED",
                                                     "UNTRACKED"};
  return state < kNumCtStates ? kNames[state] : "";
}

CtStateValue CtStateOfRef(const CtRef* ct) {
  if (!ct) return kCtInvalid;
  if (ct->untracked) return kCtUntracked;
  if (!ct->entry) return ct->tmpl ? kCtNew : kCtInvalid;
  switch (static_cast<unsigned>(ct->info) % 3) {
    case 0: return kCtEstablished;
    case 1: return kCtRelated;
    default: return kCtNew;
  }
}

namespace {

bool IsPortProto(uint8_t p) { return p == 6 || p == 17 || p == 33 || p == 132 || p == 136; }

}  // namespace

FieldValues FieldsOf(const PacketView& v, const EvalContext& ctx) {
  FieldValues f;
  const Packet& p = *v.pkt;
  f.src = v.src();
  f.dst = v.dst();
  f.in = p.in;
  f.out = p.out;
  const bool v4 = p.family == Family::kIPv4;
  const uint8_t* d = v.data();
  const size_t n = v.size();
  f.set(Field::kProto, v.l4proto);
  if (v4 && n >= 20) {
    f.set(Field::kLength, GetBe16(d + 2));
    f.set(Field::kTos, d[1]);
    f.set(Field::kTtl, d[8]);
  } else if (!v4 && n >= 40) {
    // Summed in 16 bits, as xt_length does (a payload length above 65495 wraps).
    f.set(Field::kLength, static_cast<uint16_t>(GetBe16(d + 4) + 40u));
    f.set(Field::kTos, static_cast<uint32_t>((d[0] & 0x0f) << 4 | d[1] >> 4));
    f.set(Field::kTtl, d[7]);
  }
  if (v.is_fragment) f.set(Field::kFragment, v.fragoff == 0 ? 1 : 2);
  const uint8_t* t = v.transport();
  const size_t tn = v.transport_size();
  if (v.fragoff == 0) {
    if (IsPortProto(v.l4proto) && tn >= 4) {
      f.set(Field::kSport, GetBe16(t));
      f.set(Field::kDport, GetBe16(t + 2));
    }
    if (v.l4proto == 6 && tn >= 14) f.set(Field::kTcpFlags, t[13]);
    if ((v.l4proto == 1 || v.l4proto == 58) && tn >= 2) {
      f.set(Field::kIcmpType, t[0]);
      f.set(Field::kIcmpCode, t[1]);
    }
  }
  f.set(Field::kMark, p.mark);
  f.set(Field::kCtState, CtStateOfRef(ctx.ct));
  return f;
}

namespace {

bool AddrMaskedHolds(const Pred& p, const IpAddr& a, int len) {
  for (int i = 0; i < len; ++i)
    if ((a.b[i] & p.b.b[i]) != p.a.b[i]) return false;
  return true;
}

bool AddrInHolds(const Pred& p, const IpAddr& a, int len) {
  auto lo = std::lexicographical_compare(a.b.begin(), a.b.begin() + len, p.a.b.begin(),
                                         p.a.b.begin() + len);
  auto hi = std::lexicographical_compare(p.b.b.begin(), p.b.b.begin() + len, a.b.begin(),
                                         a.b.begin() + len);
  return !lo && !hi;
}

}  // namespace

bool Holds(const Pred& p, const FieldValues& v, Family family, bool* decided) {
  const int len = AddrLen(family);
  switch (p.op) {
    case Pred::Op::kTrue: return true;
    case Pred::Op::kFalse: return false;
    case Pred::Op::kOpaque: *decided = false; return false;
    case Pred::Op::kNumIn: return v.get(p.field) >= p.lo && v.get(p.field) <= p.hi;
    case Pred::Op::kNumMasked: return (v.get(p.field) & p.hi) == p.lo;
    case Pred::Op::kAddrMasked:
      return AddrMaskedHolds(p, p.field == Field::kSrc ? v.src : v.dst, len);
    case Pred::Op::kAddrIn: return AddrInHolds(p, p.field == Field::kSrc ? v.src : v.dst, len);
    case Pred::Op::kIfaceIs:
      return IfaceMatches(p.iface, p.field == Field::kInIface ? v.in : v.out);
    case Pred::Op::kNot: return !Holds(p.kids[0], v, family, decided);
    case Pred::Op::kAnd:
      for (const Pred& k : p.kids)
        if (!Holds(k, v, family, decided)) return false;
      return true;
    case Pred::Op::kOr:
      for (const Pred& k : p.kids)
        if (Holds(k, v, family, decided)) return true;
      return false;
  }
  return false;
}

}  // namespace iptsim
