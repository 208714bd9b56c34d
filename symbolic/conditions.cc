#include "symbolic/conditions.h"

#include "engine/extension.h"
#include "loader/printer.h"

namespace iptsim::symbolic {

FieldState FieldState::Arriving(const Space& space) {
  FieldState fs;
  for (int f = 0; f < kNumFields; ++f) fs.bits[f] = space.Var(static_cast<Field>(f));
  return fs;
}

void FieldState::Set(Field f, BitVec v) {
  bits[static_cast<int>(f)] = std::move(v);
  unknown &= ~(1u << static_cast<int>(f));
}

bool FieldState::operator==(const FieldState& o) const {
  if (unknown != o.unknown) return false;
  for (int f = 0; f < kNumFields; ++f) {
    if (bits[f].size() != o.bits[f].size()) return false;
    for (size_t i = 0; i < bits[f].size(); ++i)
      if (bits[f][i] != o.bits[f][i]) return false;
  }
  return true;
}

namespace {

bool TouchesUnknown(const Pred& p, const FieldState& fs) {
  switch (p.op) {
    case Pred::Op::kNumIn:
    case Pred::Op::kNumMasked:
    case Pred::Op::kAddrMasked:
    case Pred::Op::kAddrIn:
    case Pred::Op::kIfaceIs: return !fs.Known(p.field);
    default:
      for (const Pred& k : p.kids)
        if (TouchesUnknown(k, fs)) return true;
      return false;
  }
}

uint32_t MaxOf(int width) { return width >= 32 ? 0xffffffffu : (1u << width) - 1; }

}  // namespace

bdd Conditions::Compile(const Pred& p, const FieldState& fs, int var) {
  const int len = AddrLen(space_.family());
  switch (p.op) {
    case Pred::Op::kTrue: return bddtrue;
    case Pred::Op::kFalse: return bddfalse;
    case Pred::Op::kOpaque: return space_.ConditionVar(var);
    case Pred::Op::kNumIn: {
      const BitVec& x = fs.Of(p.field);
      const uint32_t max = MaxOf(static_cast<int>(x.size()));
      if (p.lo > max || p.lo > p.hi) return bddfalse;
      return AtLeast(x, WordConst::Of(p.lo)) & AtMost(x, WordConst::Of(std::min(p.hi, max)));
    }
    case Pred::Op::kNumMasked:
      return MaskedEquals(fs.Of(p.field), WordConst::Of(p.lo), WordConst::Of(p.hi));
    case Pred::Op::kAddrMasked:
      return MaskedEquals(fs.Of(p.field), WordConst::OfBytes(p.a.b.data(), len),
                          WordConst::OfBytes(p.b.b.data(), len));
    case Pred::Op::kAddrIn:
      return AtLeast(fs.Of(p.field), WordConst::OfBytes(p.a.b.data(), len)) &
             AtMost(fs.Of(p.field), WordConst::OfBytes(p.b.b.data(), len));
    case Pred::Op::kIfaceIs: return space_.IfaceMatches(fs.Of(p.field), p.iface);
    case Pred::Op::kNot: return !Compile(p.kids[0], fs, var);
    case Pred::Op::kAnd: {
      bdd r = bddtrue;
      for (const Pred& k : p.kids) {
        r &= Compile(k, fs, var);
        if (r == bddfalse) break;
      }
      return r;
    }
    case Pred::Op::kOr: {
      bdd r = bddfalse;
      for (const Pred& k : p.kids) r |= Compile(k, fs, var);
      return r;
    }
  }
  return bddfalse;
}

// -s -d -i -o -p -f as the walker's BaseMatches tests them.
bdd Conditions::BaseMatches(const IpHeaderMatch& ip, const FieldState& fs, int var) {
  std::vector<Pred> parts;
  const Family fam = space_.family();
  if (!ip.src.IsZero() || ip.inv_src)
    parts.push_back(Pred::Inverted(Pred::AddrMasked(Field::kSrc, ip.src), ip.inv_src));
  if (!ip.dst.IsZero() || ip.inv_dst)
    parts.push_back(Pred::Inverted(Pred::AddrMasked(Field::kDst, ip.dst), ip.inv_dst));
  if (!ip.in_iface.empty())
    parts.push_back(Pred::Inverted(Pred::IfaceIs(Field::kInIface, ip.in_iface), ip.inv_in));
  if (!ip.out_iface.empty())
    parts.push_back(Pred::Inverted(Pred::IfaceIs(Field::kOutIface, ip.out_iface), ip.inv_out));
  // IPv6 "-p 0" (or -p all) with the flag set tests nothing on the packets
  // of the analysis (no IPv6 packet of it has next header 0).
  if (ip.proto && (fam == Family::kIPv4 || ip.proto_given))
    parts.push_back(Pred::Inverted(Pred::NumEq(Field::kProto, ip.proto), ip.inv_proto));
  if (ip.fragment && fam == Family::kIPv4)
    parts.push_back(Pred::Inverted(Pred::NumEq(Field::kFragment, 2), ip.inv_frag));
  Pred all = Pred::And(std::move(parts));
  if (TouchesUnknown(all, fs)) return space_.ConditionVar(var);
  return Compile(all, fs, var);
}

std::string RuleIdentity(const Ruleset& rs, TableId table, const Chain& chain, const Rule& rule) {
  std::string saved;
  const Table* t = rs.FindTable(table);
  if (t) SaveRule(*t, rule, chain.name, rs.family, saved);
  int occurrence = 0;
  for (const Rule& r : chain.rules) {
    if (&r == &rule) break;
    if (r.text == rule.text) ++occurrence;
  }
  return std::string(TableName(table)) + " " + saved + " #" + std::to_string(occurrence);
}

int Conditions::VarFor(const Ruleset& rs, const Table& table, const Chain& chain,
                       const Rule& rule, int match, std::string text) {
  auto key_it = rule_keys_.find(&rule);
  if (key_it == rule_keys_.end())
    key_it = rule_keys_.emplace(&rule, RuleIdentity(rs, table.id, chain, rule)).first;
  const auto key = std::make_pair(key_it->second, match);
  auto it = vars_.find(key);
  if (it == vars_.end()) {
    const int v = space_.NewConditionVar();
    it = vars_.emplace(key, v).first;
    // Where: the rule's number in the ruleset that first met it.
    const size_t number = static_cast<size_t>(&rule - chain.rules.data()) + 1;
    info_[v] = ConditionInfo{std::move(text),
                             std::string(TableName(table.id)) + ":" + chain.name + ":" +
                                 std::to_string(number),
                             key_it->second};
  }
  users_[it->second].insert({&rule, match});
  return it->second;
}

bdd Conditions::RuleMatches(const Ruleset& rs, const Table& table, const Chain& chain,
                            const Rule& rule, const FieldState& fs) {
  const Family fam = space_.family();
  // A base part over an unknown field is a condition of its own (-1).
  // (No walk meets one today: targets that make a field unknown end the
  // walk, and source NAT comes last on every path.  Were that to change,
  // note that such a condition holds only in the walks where the field is
  // unknown, while the examples force it for the rule everywhere.)
  bool base_unknown = false;
  {
    const IpHeaderMatch& ip = rule.ip;
    base_unknown = (!fs.Known(Field::kSrc) && (!ip.src.IsZero() || ip.inv_src)) ||
                   (!fs.Known(Field::kDst) && (!ip.dst.IsZero() || ip.inv_dst)) ||
                   (!fs.Known(Field::kInIface) && !ip.in_iface.empty()) ||
                   (!fs.Known(Field::kOutIface) && !ip.out_iface.empty());
  }
  bdd r = bddtrue;
  if (base_unknown) {
    r = space_.ConditionVar(
        VarFor(rs, table, chain, rule, -1, "the rule's addresses and interfaces, after a NAT "
                                           "target changed them to values iptsim cannot know"));
  } else {
    r = BaseMatches(rule.ip, fs, -1);
  }
  for (size_t m = 0; m < rule.matches.size() && r != bddfalse; ++m) {
    const Match& match = *rule.matches[m];
    Pred p = match.Describe(fam);
    if (p.IsOpaque() || TouchesUnknown(p, fs)) {
      std::string text = "-m " + std::string(match.info().name);
      std::string opts;
      match.Save(opts, SaveContext{fam});
      r &= space_.ConditionVar(
          VarFor(rs, table, chain, rule, static_cast<int>(m), text + opts));
      continue;
    }
    r &= Compile(p, fs, -1);
  }
  return r;
}

}  // namespace iptsim::symbolic
