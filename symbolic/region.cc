#include "symbolic/region.h"

#include <functional>

#include "engine/netaddr.h"

namespace iptsim::symbolic {

namespace {

using Word = unsigned __int128;

WordConst ConstOf(Word v, int width) {
  const int n = (width + 7) / 8;
  WordConst c;
  c.bytes.resize(n);
  for (int i = n - 1; i >= 0; --i, v >>= 8) c.bytes[i] = static_cast<uint8_t>(v);
  return c;
}

Word MaxWord(int width) { return width >= 128 ? ~Word(0) : (Word(1) << width) - 1; }

// The least value of `bits` in `set` (not empty).
Word MinValue(bdd set, const BitVec& bits) {
  Word v = 0;
  const int w = static_cast<int>(bits.size());
  for (int i = 0; i < w; ++i) {
    const bdd zero = set & (!bits[i]);
    if (zero != bddfalse) {
      set = zero;
    } else {
      set &= bits[i];
      v |= Word(1) << (w - 1 - i);
    }
  }
  return v;
}

struct Interval {
  Word lo, hi;
};

// The maximal runs of values of `bits` in `set` (a set over those bits
// only), lowest first; at most `cap` (then *more is set).
std::vector<Interval> Intervals(const bdd& set, const BitVec& bits, size_t cap, bool* more) {
  const int w = static_cast<int>(bits.size());
  std::vector<Interval> out;
  bdd rest = set;
  *more = false;
  while (rest != bddfalse) {
    if (out.size() == cap) {
      *more = true;
      break;
    }
    const Word lo = MinValue(rest, bits);
    const bdd gap = (!set) & AtLeast(bits, ConstOf(lo, w));
    const Word hi = gap == bddfalse ? MaxWord(w) : MinValue(gap, bits) - 1;
    out.push_back({lo, hi});
    rest &= !(AtLeast(bits, ConstOf(lo, w)) & AtMost(bits, ConstOf(hi, w)));
  }
  return out;
}

std::string AddrText(Word v, Family fam) {
  IpAddr a;
  const int len = AddrLen(fam);
  for (int i = len - 1; i >= 0; --i, v >>= 8) a.b[i] = static_cast<uint8_t>(v);
  return FormatIpAddr(fam, a);
}

// A range of addresses as the fewest CIDR blocks.
void AppendCidrs(Word lo, Word hi, Family fam, std::vector<std::string>& out) {
  const int w = AddrLen(fam) * 8;
  while (true) {
    int len = w;
    // The largest aligned block that starts at lo and ends by hi.
    while (len > 0) {
      const int host = w - (len - 1);
      const Word size = host >= 128 ? 0 : Word(1) << host;
      if (host >= 128 || (lo & (size - 1)) != 0 || lo + (size - 1) > hi) break;
      --len;
    }
    const int host = w - len;
    out.push_back(AddrText(lo, fam) + "/" + std::to_string(len));
    const Word last = host >= 128 ? MaxWord(128) : lo + ((Word(1) << host) - 1);
    if (last >= hi) return;
    lo = last + 1;
  }
}

std::string Join(const std::vector<std::string>& items) {
  std::string s;
  for (const std::string& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

std::string NumText(Word v) { return std::to_string(static_cast<uint64_t>(v)); }

constexpr const char* kFlagNames[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};

// Values given bit by bit (TCP flags, mark): each bit set, clear or free.
bool CubeText(const bdd& values, const BitVec& bits, Field f, std::string* out) {
  const int w = static_cast<int>(bits.size());
  bdd cube = bddtrue;
  uint32_t set = 0, clear = 0;
  for (int i = 0; i < w; ++i) {
    const uint32_t bit = 1u << (w - 1 - i);
    if ((values & bits[i]) == bddfalse) {
      clear |= bit;
      cube &= !bits[i];
    } else if ((values & (!bits[i])) == bddfalse) {
      set |= bit;
      cube &= bits[i];
    }
  }
  if (cube != values) return false;
  if (f == Field::kTcpFlags) {
    std::vector<std::string> on, off;
    for (int b = 0; b < 8; ++b) {
      if (set >> b & 1) on.push_back(kFlagNames[b]);
      if (clear >> b & 1) off.push_back(kFlagNames[b]);
    }
    std::string s;
    if (!on.empty()) s = Join(on) + " set";
    if (!off.empty()) s += (s.empty() ? "" : "; ") + Join(off) + " clear";
    *out = s;
    return true;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "0x%x/0x%x", set, set | clear);
  *out = buf;
  return true;
}

}  // namespace

std::string ProtoName(uint32_t p, Family family) {
  switch (p) {
    case 1: return family == Family::kIPv4 ? "icmp" : "1";
    case 6: return "tcp";
    case 17: return "udp";
    case 33: return "dccp";
    case 47: return "gre";
    case 50: return "esp";
    case 51: return "ah";
    case 58: return family == Family::kIPv6 ? "icmpv6" : "58";
    case 132: return "sctp";
    case 136: return "udplite";
    default: return std::to_string(p);
  }
}

namespace {

// The values of one field in words: the shorter of the values and "not"
// their complement (within what the field can hold in `domain`).
std::string ValuesText(Conditions& conds, Field f, const bdd& values, const bdd& domain) {
  Space& sp = conds.space();
  const BitVec& bits = sp.Var(f);
  const Family fam = sp.family();
  std::string cube;
  if ((f == Field::kTcpFlags || f == Field::kMark) && CubeText(values, bits, f, &cube))
    return cube;
  constexpr size_t kCap = 24;
  auto list = [&](const bdd& set, bool* more) {
    std::vector<std::string> items;
    for (const Interval& iv : Intervals(set, bits, kCap, more)) {
      if (f == Field::kSrc || f == Field::kDst) {
        AppendCidrs(iv.lo, iv.hi, fam, items);
        continue;
      }
      for (Word v = iv.lo; f == Field::kInIface || f == Field::kOutIface || f == Field::kProto ||
                           f == Field::kCtState;
           ++v) {
        if (f == Field::kInIface || f == Field::kOutIface)
          items.push_back(sp.ifaces()[static_cast<size_t>(v)].display);
        else if (f == Field::kProto)
          items.push_back(ProtoName(static_cast<uint32_t>(v), fam));
        else
          items.push_back(std::string(CtStateName(static_cast<uint32_t>(v))));
        if (v == iv.hi) break;
      }
      if (f == Field::kInIface || f == Field::kOutIface || f == Field::kProto ||
          f == Field::kCtState)
        continue;
      items.push_back(iv.lo == iv.hi ? NumText(iv.lo) : NumText(iv.lo) + ":" + NumText(iv.hi));
    }
    return items;
  };
  bool more = false, more_not = false;
  std::vector<std::string> yes = list(values, &more);
  std::vector<std::string> no = list(domain & (!values), &more_not);
  // Interface classes read better by what they are not ("in not lo"
  // rather than "in (other)") when the complement names only real names.
  auto synthetic = [](const std::vector<std::string>& items) {
    for (const std::string& i : items)
      if (i.find("(other)") != std::string::npos) return true;
    return false;
  };
  const bool names_better = !no.empty() && synthetic(yes) && !synthetic(no) &&
                            no.size() <= yes.size();
  if (!more_not && (more || no.size() < yes.size() || names_better))
    return "not " + Join(no);
  std::string s = Join(yes);
  if (more) s += ", ... (more values than shown)";
  return s;
}

}  // namespace

std::vector<Box> DescribeSet(Conditions& conds, const bdd& set, const bdd& universe,
                             size_t max_boxes, size_t* more) {
  Space& sp = conds.space();
  const std::span<const Field> order = Space::Order();
  std::vector<Box> out;
  *more = 0;
  // Outside the universe anything goes: the smallest diagram that agrees
  // with `set` on it says only what matters.
  const bdd simple = bdd_simplify(set, universe);
  std::function<void(const bdd&, size_t, Box)> split = [&](const bdd& r, size_t fi, Box box) {
    if (r == bddfalse) return;
    if (fi == order.size()) {
      // The conditions: one box per path to true.
      std::function<void(const bdd&, Box)> conds_walk = [&](const bdd& n, Box b) {
        if (n == bddfalse) return;
        if (n == bddtrue) {
          if (max_boxes && out.size() >= max_boxes) ++*more;
          else out.push_back(std::move(b));
          return;
        }
        const int v = bdd_var(n);
        Box lo = b, hi = std::move(b);
        lo.conditions.push_back({v, false});
        hi.conditions.push_back({v, true});
        conds_walk(bdd_low(n), std::move(lo));
        conds_walk(bdd_high(n), std::move(hi));
      };
      conds_walk(r, std::move(box));
      return;
    }
    const Field f = order[fi];
    const BitVec& bits = sp.Var(f);
    const int lo_var = bdd_var(bits.front()), hi_var = bdd_var(bits.back());
    // Group the field's values by the diagram they lead to.
    std::map<int, std::pair<bdd, bdd>> classes;  // node id -> (rest, values)
    std::function<void(const bdd&, const bdd&)> walk = [&](const bdd& n, const bdd& cube) {
      if (n == bddfalse) return;
      const bool inside = n != bddtrue && bdd_var(n) >= lo_var && bdd_var(n) <= hi_var;
      if (!inside) {
        auto [it, fresh] = classes.try_emplace(n.id(), n, cube);
        if (!fresh) it->second.second |= cube;
        return;
      }
      const bdd v = bdd_ithvarpp(bdd_var(n));
      walk(bdd_low(n), cube & (!v));
      walk(bdd_high(n), cube & v);
    };
    walk(r, bddtrue);
    const bdd domain = sp.Projection(universe, f);
    for (auto& [id, rv] : classes) {
      Box b = box;
      if (rv.second != bddtrue && (domain & !rv.second) != bddfalse)
        b.fields.push_back(
            {std::string(FieldName(f)), ValuesText(conds, f, rv.second & domain, domain)});
      split(rv.first, fi + 1, std::move(b));
    }
  };
  split(simple, 0, Box{});
  return out;
}

}  // namespace iptsim::symbolic

namespace iptsim::symbolic {

namespace {

uint32_t NaturalLength(uint32_t proto, Family fam) {
  const uint32_t ip = fam == Family::kIPv4 ? 20 : 40;
  switch (proto) {
    case 6: return ip + 20;
    case 17:
    case 33: return ip + 8;
    case 132: return ip + 12;
    case 136: return ip + 16;
    case 1:
    case 58: return ip + 8;
    default: return ip;
  }
}

// The values an example prefers for a field, in order: the packet
// builder's defaults and the usual cases, so examples read naturally.
std::vector<Word> Preferred(const Space& sp, Field f, const std::map<Field, Word>& chosen) {
  const bool v4 = sp.family() == Family::kIPv4;
  auto addr = [&](int last) -> Word {
    if (v4) return (Word(192) << 24) | (Word(2) << 8) | Word(last);
    return (Word(0x20010db8) << 96) | Word(last);
  };
  switch (f) {
    case Field::kInIface:
    case Field::kOutIface: {
      std::vector<Word> v;
      for (size_t i = 2; i < sp.ifaces().size(); ++i) v.push_back(i);
      v.push_back(1);
      v.push_back(0);
      return v;
    }
    case Field::kCtState: return {kCtNew, kCtEstablished, kCtRelated, kCtInvalid, kCtUntracked};
    case Field::kProto: return {6, 17, Word(v4 ? 1 : 58)};
    case Field::kSrc: return {addr(1)};
    case Field::kDst: return {addr(2)};
    case Field::kSport: return {40000};
    case Field::kDport: return {80, 443, 22};
    case Field::kTcpFlags: return {0x02, 0x10, 0x12};
    case Field::kIcmpType: return {Word(v4 ? 8 : 128)};
    case Field::kLength: {
      auto p = chosen.find(Field::kProto);
      return {NaturalLength(p == chosen.end() ? 6 : static_cast<uint32_t>(p->second), sp.family())};
    }
    case Field::kTtl: return {64};
    default: return {0};
  }
}

std::string Hex(Word v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%x", static_cast<uint32_t>(v));
  return buf;
}

std::string OptionsOf(const Space& sp, const std::map<Field, Word>& v) {
  const Family fam = sp.family();
  auto get = [&](Field f) { return v.at(f); };
  std::string s;
  auto add = [&](const std::string& w) { s += (s.empty() ? "" : " ") + w; };
  if (get(Field::kInIface)) add("-i " + std::string(sp.ifaces()[get(Field::kInIface)].name.view()));
  if (get(Field::kOutIface))
    add("-o " + std::string(sp.ifaces()[get(Field::kOutIface)].name.view()));
  add("-s " + AddrText(get(Field::kSrc), fam) + " -d " + AddrText(get(Field::kDst), fam));
  const uint32_t proto = static_cast<uint32_t>(get(Field::kProto));
  add("-p " + ProtoName(proto, fam));
  if (proto == 6 || proto == 17 || proto == 33 || proto == 132 || proto == 136)
    add("--sport " + NumText(get(Field::kSport)) + " --dport " + NumText(get(Field::kDport)));
  if (proto == 6) add("--tcp-flags ALL " + NumText(get(Field::kTcpFlags)));
  if ((proto == 1 && fam == Family::kIPv4) || (proto == 58 && fam == Family::kIPv6))
    add(std::string(fam == Family::kIPv4 ? "--icmp-type " : "--icmpv6-type ") +
        NumText(get(Field::kIcmpType)) + "/" + NumText(get(Field::kIcmpCode)));
  const uint32_t detail = static_cast<uint32_t>(
      proto == 6 ? get(Field::kTcpFlags) : get(Field::kIcmpType));
  add("--ctstate " + sp.tracked().AssumptionFor(proto, detail,
                                                static_cast<uint32_t>(get(Field::kCtState))));
  if (get(Field::kMark)) add("--mark " + Hex(get(Field::kMark)));
  if (get(Field::kLength) != NaturalLength(proto, fam)) add("--len " + NumText(get(Field::kLength)));
  if (get(Field::kTos)) add("--tos " + NumText(get(Field::kTos)));
  if (get(Field::kTtl) != 64) add("--ttl " + NumText(get(Field::kTtl)));
  return s;
}

}  // namespace

namespace {

// Fixes the fields in space order, each to the first of `candidates` the
// set still allows, else to `fallback`'s value; then every condition.
template <typename Candidates, typename Fallback, typename Answer>
Example Choose(Conditions& conds, const bdd& set, Candidates candidates, Fallback fallback,
               Answer answer) {
  Space& sp = conds.space();
  bdd r = set;
  std::map<Field, Word> chosen;
  for (Field f : Space::Order()) {
    const BitVec& bits = sp.Var(f);
    const int w = static_cast<int>(bits.size());
    bool found = false;
    for (Word p : candidates(f, chosen)) {
      if (p > MaxWord(w)) continue;
      const bdd with = r & Equals(bits, ConstOf(p, w));
      if (with == bddfalse) continue;
      chosen[f] = p;
      r = with;
      found = true;
      break;
    }
    if (found) continue;
    const Word v = fallback(r, bits);
    chosen[f] = v;
    r &= Equals(bits, ConstOf(v, w));
  }
  Example ex;
  ex.options = OptionsOf(sp, chosen);
  // Every condition gets an answer, so the concrete run needs no guess.
  for (const auto& [var, info] : conds.info()) {
    const bdd yes = r & sp.ConditionVar(var);
    const bdd no = r & !sp.ConditionVar(var);
    const bool holds = no == bddfalse || (yes != bddfalse && answer());
    r = holds ? yes : no;
    ex.conditions[var] = holds;
  }
  ex.point = r;
  return ex;
}

}  // namespace

Example PickExample(Conditions& conds, const bdd& set) {
  const Space& sp = conds.space();
  return Choose(
      conds, set, [&](Field f, const std::map<Field, Word>& chosen) { return Preferred(sp, f, chosen); },
      [](const bdd& r, const BitVec& bits) { return MinValue(r, bits); }, [] { return false; });
}

Example RandomExample(Conditions& conds, const bdd& set, std::mt19937_64& rng,
                      const Boundaries& boundaries) {
  auto candidates = [&](Field f, const std::map<Field, Word>&) {
    std::vector<Word> c;
    auto it = boundaries.find(f);
    if (it != boundaries.end() && !it->second.empty() && rng() % 2)
      c.push_back(it->second[rng() % it->second.size()]);
    return c;
  };
  auto random_bits = [&](const bdd& r, const BitVec& bits) {
    bdd rest = r;
    Word v = 0;
    const int w = static_cast<int>(bits.size());
    for (int i = 0; i < w; ++i) {
      const bool one = rng() % 2;
      bdd pick = rest & (one ? bits[i] : !bits[i]);
      bool bit = one;
      if (pick == bddfalse) {
        pick = rest & (one ? !bits[i] : bits[i]);
        bit = !one;
      }
      rest = pick;
      if (bit) v |= Word(1) << (w - 1 - i);
    }
    return v;
  };
  return Choose(conds, set, candidates, random_bits, [&] { return rng() % 2 == 1; });
}

}  // namespace iptsim::symbolic
