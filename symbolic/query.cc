#include "symbolic/query.h"

#include <initializer_list>

namespace iptsim::symbolic {

namespace {

// The variables of the fields `fields` (for quantifying them away).
bdd VarsOf(const Space& space, std::initializer_list<Field> fields) {
  bdd s = bddtrue;
  for (Field f : fields)
    for (const bdd& b : space.Var(f)) s &= b;
  return s;
}

// The variables of every header field but `keep`, and of every condition.
bdd VarsExcept(const Space& space, std::initializer_list<Field> keep) {
  bdd s = bddtrue;
  for (Field f : Space::Order()) {
    bool kept = false;
    for (Field k : keep) kept = kept || k == f;
    if (!kept)
      for (const bdd& b : space.Var(f)) s &= b;
  }
  for (int v = space.FirstConditionVar(); v < bdd_varnum(); ++v) s &= bdd_ithvarpp(v);
  return s;
}

bdd PathUniverse(Space& sp, PacketPath path) { return sp.Universe() & PathPackets(sp, path); }

constexpr std::initializer_list<Field> kSourceFields = {Field::kInIface, Field::kSrc};
constexpr std::initializer_list<Field> kServiceFields = {Field::kDst, Field::kProto,
                                                         Field::kDport};

}  // namespace

bdd WhereSet(Conditions& conds, const Ruleset& rs, const Table& table, const Chain& chain,
             const Rule& constraint, bool* opaque) {
  const size_t before = conds.info().size();
  const bdd set =
      conds.RuleMatches(rs, table, chain, constraint, FieldState::Arriving(conds.space()));
  *opaque = conds.info().size() != before;
  return set;
}

bdd OpeningPackets(const Space& space) {
  const BitVec& flags = space.Var(Field::kTcpFlags);
  // FIN 0x01, SYN 0x02, RST 0x04, ACK 0x10: SYN alone among them.
  const bdd syn_only = MaskedEquals(flags, WordConst::Of(0x02), WordConst::Of(0x17));
  const bdd tcp = Equals(space.Var(Field::kProto), WordConst::Of(6));
  return Equals(space.Var(Field::kCtState), WordConst::Of(kCtNew)) & ((!tcp) | syn_only);
}

std::vector<OutcomeRegion> OutcomeRegions(Conditions& conds, const Ruleset& rs,
                                          const std::vector<PacketPath>& paths,
                                          const bdd& where) {
  std::vector<OutcomeRegion> out;
  for (PacketPath path : paths)
    for (OutcomeSet& o : AnalysePath(conds, rs, path)) {
      const bdd set = o.set & where;
      if (set == bddfalse) continue;
      out.push_back(OutcomeRegion{path, set, std::move(o.outcome), PickExample(conds, set)});
    }
  return out;
}

std::vector<RuleReach> ReachOf(Conditions& conds, const Ruleset& rs, const Rule& rule,
                               const std::vector<PacketPath>& paths, const bdd& where) {
  std::vector<RuleReach> out;
  for (PacketPath path : paths) {
    RuleWatch watch;
    watch.rules[&rule];
    AnalysePath(conds, rs, path, &watch);
    const RuleWatch::Sets& sets = watch.rules[&rule];
    RuleReach r{path, sets.reached & where, sets.matched & where, {}, {}};
    if (r.reached == bddfalse) continue;
    r.reached_example = PickExample(conds, r.reached);
    if (r.matched != bddfalse) r.matched_example = PickExample(conds, r.matched);
    out.push_back(std::move(r));
  }
  return out;
}

ServiceMatrix ServicesOf(Conditions& conds, const Ruleset& rs, PacketPath path, const bdd& where) {
  Space& sp = conds.space();
  const bdd opening = PathUniverse(sp, path) & OpeningPackets(sp) & where;
  bdd accepted = bddfalse;
  for (const OutcomeSet& o : AnalysePath(conds, rs, path))
    if (o.outcome.verdict == Verdict::kAccept && !o.outcome.unmodelled) accepted |= o.set;
  accepted &= opening;
  ServiceMatrix m;
  m.path = path;
  const bdd keep_rows = VarsExcept(sp, kSourceFields);
  const bdd keep_services = VarsExcept(sp, kServiceFields);
  m.source_universe = bdd_exist(opening, keep_rows);
  m.service_universe = bdd_exist(opening, keep_services);
  // Over sources and services only: (source, service) pairs some accepted
  // packet links.
  const bdd pairs = bdd_exist(accepted, VarsExcept(sp, {Field::kInIface, Field::kSrc, Field::kDst,
                                                        Field::kProto, Field::kDport}));
  const bdd source_vars = VarsOf(sp, kSourceFields);
  const bdd service_vars = VarsOf(sp, kServiceFields);
  bdd rest = bdd_exist(pairs, service_vars);  // sources that reach something
  // Each round takes one source, its services, and every source whose
  // services are exactly those.
  while (rest != bddfalse) {
    const bdd one = bdd_satoneset(rest, source_vars, bddfalse);
    const bdd services = bdd_exist(pairs & one, source_vars);
    const bdd same = bdd_forall(bdd_biimp(pairs, services), service_vars) & m.source_universe;
    ServiceClass c{same, services, PickExample(conds, accepted & same & services)};
    m.classes.push_back(std::move(c));
    rest &= !same;
  }
  const bdd none = m.source_universe & !bdd_exist(pairs, service_vars);
  if (none != bddfalse) m.classes.push_back(ServiceClass{none, bddfalse, Example{}});
  return m;
}

}  // namespace iptsim::symbolic
