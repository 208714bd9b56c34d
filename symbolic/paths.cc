#include "symbolic/paths.h"

#include <unordered_map>

namespace iptsim::symbolic {

namespace {

BitVec Constant(uint32_t v, int width) { return ConstBits(WordConst::Of(v), width); }

bool IsConstant(const BitVec& bits, uint32_t v) {
  const BitVec c = Constant(v, static_cast<int>(bits.size()));
  for (size_t i = 0; i < bits.size(); ++i)
    if (bits[i] != c[i]) return false;
  return true;
}

// ip_forward's TTL decrement (the analysis keeps TTL >= 2 on this path,
// so it never wraps).
BitVec Decrement(const BitVec& x) {
  BitVec r = x;
  bdd borrow = bddtrue;
  for (int i = static_cast<int>(x.size()) - 1; i >= 0; --i) {
    r[i] = x[i] ^ borrow;
    borrow = (!x[i]) & borrow;
  }
  return r;
}

bool SameOutcome(const Outcome& a, const Outcome& b) {
  return a.verdict == b.verdict && a.decided.chain == b.decided.chain &&
         a.decided.rule == b.decided.rule && a.decided.table == b.decided.table &&
         a.decided.hook == b.decided.hook && a.nat == b.nat && a.unmodelled == b.unmodelled;
}

// The outcomes met so far, found by a hash of the outcome.
struct OutcomeIndex {
  std::vector<OutcomeSet> sets;
  std::unordered_map<size_t, std::vector<size_t>> by_hash;

  static size_t Hash(const Outcome& o) {
    size_t h = std::hash<const void*>()(o.decided.chain) ^
               std::hash<const void*>()(o.decided.rule) * 31 ^ static_cast<size_t>(o.verdict) << 5 ^
               std::hash<const void*>()(o.unmodelled) * 131;
    for (const Rule* r : o.nat) h = h * 1000003 ^ std::hash<const void*>()(r);
    return h;
  }
  void Add(const bdd& set, Outcome o) {
    if (set == bddfalse) return;
    std::vector<size_t>& same = by_hash[Hash(o)];
    for (size_t i : same)
      if (SameOutcome(sets[i].outcome, o)) {
        sets[i].set |= set;
        return;
      }
    same.push_back(sets.size());
    sets.push_back(OutcomeSet{set, std::move(o)});
  }
};

// The packets whose nat chains run at this hook: a connection's first
// packet (NEW, or RELATED: an expected connection), never an established,
// invalid or untracked one.
bdd NatRuns(const FieldState& fs) {
  const BitVec& st = fs.Of(Field::kCtState);
  return Equals(st, WordConst::Of(kCtNew)) | Equals(st, WordConst::Of(kCtRelated));
}

}  // namespace

bdd PathPackets(const Space& space, PacketPath path) {
  const bdd in_none = Equals(space.Var(Field::kInIface), WordConst::Of(0));
  const bdd out_none = Equals(space.Var(Field::kOutIface), WordConst::Of(0));
  const bdd out_lo = Equals(space.Var(Field::kOutIface), WordConst::Of(space.IfaceCode("lo")));
  switch (path) {
    case PacketPath::kLocalIn: return (!in_none) & out_none;
    case PacketPath::kForward:
      return (!in_none) & (!out_none) & AtLeast(space.Var(Field::kTtl), WordConst::Of(2));
    case PacketPath::kLocalOut: return in_none & (!out_lo);
    case PacketPath::kLoopback: return in_none & out_lo;
  }
  return bddfalse;
}

std::vector<OutcomeSet> AnalysePath(Conditions& conds, const Ruleset& rs, PacketPath path,
                                    RuleWatch* watch) {
  Space& sp = conds.space();
  const bool conntrack = NeedsConntrack(rs);
  FieldState fs = FieldState::Arriving(sp);
  const int iface_w = sp.Width(Field::kOutIface);
  const int ct_w = sp.Width(Field::kCtState);
  // PREROUTING sees no output device; raw sees no conntrack entry yet (and
  // without conntrack no packet ever has one: INVALID).
  if (path != PacketPath::kLocalOut) fs.Set(Field::kOutIface, Constant(0, iface_w));
  fs.Set(Field::kCtState, Constant(kCtInvalid, ct_w));
  std::vector<Flow> flows{Flow{sp.Universe() & PathPackets(sp, path),
                               std::make_shared<const FieldState>(std::move(fs)), {}, {}, nullptr}};
  OutcomeIndex out;
  bool tracked = false, forwarded = false;
  for (const PathStep& s : PathSteps(path)) {
    if (path == PacketPath::kForward && s.hook == Hook::kForward && (!forwarded)) {
      for (Flow& f : flows) {
        FieldState& e = f.Edit();
        e.Set(Field::kOutIface, sp.Var(Field::kOutIface));
        if (e.Known(Field::kTtl)) e.Set(Field::kTtl, Decrement(e.Of(Field::kTtl)));
      }
      forwarded = true;
    }
    if (conntrack && s.table != TableId::kRaw && (!tracked)) {
      // nf_conntrack_in: the packet gets its state, unless raw untracked it.
      for (Flow& f : flows)
        if (!IsConstant(f.fs->Of(Field::kCtState), kCtUntracked))
          f.Edit().Set(Field::kCtState, sp.Var(Field::kCtState));
      tracked = true;
    }
    const Table* t = rs.FindTable(s.table);
    if (!t || !t->BuiltinChain(s.hook)) continue;
    std::vector<Flow> walked, next;
    if (s.table == TableId::kNat) {
      if (!conntrack) continue;
      for (Flow& f : flows) {
        const bdd runs = NatRuns(*f.fs);
        Flow skip = f;
        skip.set &= !runs;
        f.set &= runs;
        if (skip.set != bddfalse) next.push_back(std::move(skip));
        if (f.set != bddfalse) walked.push_back(std::move(f));
      }
    } else {
      walked = std::move(flows);
    }
    for (TableEnd& e : WalkTable(conds, rs, *t, s.hook, std::move(walked), watch)) {
      NoteDecision(e.entry, e.verdict, &e.flow.decided);
      if (e.verdict == Verdict::kAccept) {
        next.push_back(std::move(e.flow));
        continue;
      }
      out.Add(e.flow.set, Outcome{e.verdict, e.flow.decided, e.flow.nat, e.flow.unmodelled});
    }
    flows = MergeFlows(std::move(next));
  }
  for (Flow& f : flows) out.Add(f.set, Outcome{Verdict::kAccept, f.decided, f.nat, nullptr});
  return std::move(out.sets);
}

}  // namespace iptsim::symbolic
