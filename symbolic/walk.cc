#include "symbolic/walk.h"

#include "engine/extension.h"

#include <unordered_map>

namespace iptsim::symbolic {

bool Flow::SameHistory(const Flow& o) const {
  return decided.chain == o.decided.chain && decided.rule == o.decided.rule &&
         decided.table == o.decided.table && decided.hook == o.decided.hook && nat == o.nat &&
         unmodelled == o.unmodelled && (fs == o.fs || *fs == *o.fs);
}

size_t Flow::HistoryHash() const {
  size_t h = std::hash<const void*>()(decided.chain) ^ std::hash<const void*>()(decided.rule) * 31 ^
             static_cast<size_t>(decided.table) << 3 ^ static_cast<size_t>(decided.hook) << 7 ^
             std::hash<const void*>()(unmodelled) * 131 ^ fs->unknown;
  for (const Rule* r : nat) h = h * 1000003 ^ std::hash<const void*>()(r);
  // The fields a walk changes (the others are the same in every flow).
  for (Field f : {Field::kDst, Field::kDport, Field::kSrc, Field::kSport, Field::kMark,
                  Field::kCtState, Field::kOutIface})
    for (const bdd& b : fs->Of(f)) h = h * 1000003 ^ static_cast<size_t>(b.id());
  return h;
}

FieldState& Flow::Edit() {
  if (fs.use_count() != 1) fs = std::make_shared<FieldState>(*fs);
  return const_cast<FieldState&>(*fs);
}

std::vector<Flow> MergeFlows(std::vector<Flow> flows) {
  // Grouped by a hash of the history: a nat table ends in tens of
  // thousands of flows (one per endpoint of a kube-proxy ruleset).
  std::vector<Flow> out;
  std::unordered_map<size_t, std::vector<size_t>> by_hash;
  for (Flow& f : flows) {
    if (f.set == bddfalse) continue;
    std::vector<size_t>& same = by_hash[f.HistoryHash()];
    bool joined = false;
    for (size_t i : same)
      if (out[i].SameHistory(f)) {
        out[i].set |= f.set;
        joined = true;
        break;
      }
    if (joined) continue;
    same.push_back(out.size());
    out.push_back(std::move(f));
  }
  return out;
}

namespace {

// The kernel's limit on chain depth makes this recursion shallow; a
// ruleset the loader accepted has no loops.
class TableWalk {
 public:
  TableWalk(Conditions& conds, const Ruleset& rs, const Table& table, Hook hook,
            RuleWatch* watch)
      : conds_(conds), rs_(rs), table_(table), hook_(hook), watch_(watch) {}

  std::vector<TableEnd> Run(std::vector<Flow> flows);

 private:
  void Chain(int ci, std::vector<Flow> flows, std::vector<Flow>* returned);
  void Dispatch(const iptsim::Chain& c, const Rule& r, uint32_t number, Flow hit,
                std::vector<Flow>* next, std::vector<Flow>* returned);
  void End(Flow f, Verdict v, const iptsim::Chain& c, const Rule* r, uint32_t number) {
    ends_.push_back(TableEnd{std::move(f), v, DecidingEntry{table_.id, hook_, &c, r, number}});
  }
  void ApplyEffect(const TargetEffect& e, FieldState& fs) const;
  // A destination NAT (PREROUTING, OUTPUT) to an address or port iptsim
  // cannot know (REDIRECT, a range): the tables after it would test it.
  // Source NAT comes last on every path the analysis covers: nothing
  // tests its result.
  bool DestinationUnknown(const TargetEffect& e) const {
    if (hook_ != Hook::kPreRouting && hook_ != Hook::kLocalOut) return false;
    return !e.nat_known || e.nat_lo != e.nat_hi || e.port_lo != e.port_hi;
  }

  Conditions& conds_;
  const Ruleset& rs_;
  const Table& table_;
  Hook hook_;
  RuleWatch* watch_;
  std::vector<TableEnd> ends_;
};

std::vector<TableEnd> TableWalk::Run(std::vector<Flow> flows) {
  const iptsim::Chain* builtin = table_.BuiltinChain(hook_);
  const int root = static_cast<int>(builtin - table_.chains.data());
  std::vector<Flow> returned;
  Chain(root, std::move(flows), &returned);
  // The end of the builtin chain, a RETURN from it, or the end of a chain
  // reached by -g from it: the policy.
  const uint32_t number = static_cast<uint32_t>(builtin->rules.size() + 1);
  for (Flow& f : MergeFlows(std::move(returned)))
    End(std::move(f), builtin->policy == Policy::kAccept ? Verdict::kAccept : Verdict::kDrop,
        *builtin, nullptr, number);
  return std::move(ends_);
}

void TableWalk::Chain(int ci, std::vector<Flow> flows, std::vector<Flow>* returned) {
  const iptsim::Chain& c = table_.chains[ci];
  for (size_t ri = 0; ri < c.rules.size() && !flows.empty(); ++ri) {
    const Rule& r = c.rules[ri];
    std::vector<Flow> next;
    for (Flow& f : flows) {
      const bdd cond = conds_.RuleMatches(rs_, table_, c, r, *f.fs);
      const bdd hit_set = f.set & cond;
      if (watch_)
        if (auto w = watch_->rules.find(&r); w != watch_->rules.end()) {
          w->second.reached |= f.set;
          w->second.matched |= hit_set;
        }
      if (hit_set == bddfalse) {
        next.push_back(std::move(f));
        continue;
      }
      Flow hit = f;
      hit.set = hit_set;
      f.set &= !cond;
      if (f.set != bddfalse) next.push_back(std::move(f));
      Dispatch(c, r, static_cast<uint32_t>(ri + 1), std::move(hit), &next, returned);
    }
    flows = MergeFlows(std::move(next));
  }
  for (Flow& f : flows) returned->push_back(std::move(f));
}

void TableWalk::Dispatch(const iptsim::Chain& c, const Rule& r, uint32_t number, Flow hit,
                         std::vector<Flow>* next, std::vector<Flow>* returned) {
  switch (r.target_kind) {
    case TargetKind::kNone: next->push_back(std::move(hit)); return;
    case TargetKind::kAccept: return End(std::move(hit), Verdict::kAccept, c, &r, number);
    case TargetKind::kDrop: return End(std::move(hit), Verdict::kDrop, c, &r, number);
    case TargetKind::kQueue: return End(std::move(hit), Verdict::kQueue, c, &r, number);
    case TargetKind::kReturn: returned->push_back(std::move(hit)); return;
    case TargetKind::kJump: {
      std::vector<Flow> back;
      Chain(r.jump_index, {std::move(hit)}, &back);
      for (Flow& f : back) next->push_back(std::move(f));
      return;
    }
    case TargetKind::kGoto: Chain(r.jump_index, {std::move(hit)}, returned); return;
    case TargetKind::kExtension: break;
  }
  const TargetEffect e = r.target->DescribeEffect(rs_.family);
  switch (e.kind) {
    case TargetEffect::Kind::kUnmodelled:
      hit.unmodelled = &r;
      return End(std::move(hit), Verdict::kUnknown, c, &r, number);
    case TargetEffect::Kind::kContinue: next->push_back(std::move(hit)); return;
    case TargetEffect::Kind::kSetBits:
      ApplyEffect(e, hit.Edit());
      next->push_back(std::move(hit));
      return;
    case TargetEffect::Kind::kSetUnknown:
      // A value iptsim cannot know (CONNMARK --restore-mark, TTL --ttl-dec,
      // HMARK...) that later rules may test: the walk stops here, said so,
      // rather than keep a condition that holds in some packets' walks only.
      hit.unmodelled = &r;
      return End(std::move(hit), Verdict::kUnknown, c, &r, number);
    case TargetEffect::Kind::kNat:
      if (DestinationUnknown(e)) {
        hit.unmodelled = &r;
        return End(std::move(hit), Verdict::kUnknown, c, &r, number);
      }
      ApplyEffect(e, hit.Edit());
      hit.nat.push_back(&r);
      return End(std::move(hit), Verdict::kAccept, c, &r, number);
    case TargetEffect::Kind::kVerdict: break;
  }
  switch (e.verdict) {
    case TargetVerdict::kContinue: next->push_back(std::move(hit)); return;
    case TargetVerdict::kReturn: returned->push_back(std::move(hit)); return;
    case TargetVerdict::kAccept: return End(std::move(hit), Verdict::kAccept, c, &r, number);
    case TargetVerdict::kDrop: return End(std::move(hit), Verdict::kDrop, c, &r, number);
    case TargetVerdict::kQueue: return End(std::move(hit), Verdict::kQueue, c, &r, number);
    case TargetVerdict::kStolen: return End(std::move(hit), Verdict::kStolen, c, &r, number);
    case TargetVerdict::kUnknown:
      hit.unmodelled = &r;
      return End(std::move(hit), Verdict::kUnknown, c, &r, number);
  }
}

void TableWalk::ApplyEffect(const TargetEffect& e, FieldState& fs) const {
  switch (e.kind) {
    case TargetEffect::Kind::kSetBits: {
      const int w = static_cast<int>(fs.Of(e.field).size());
      const WordConst mask = WordConst::Of(e.mask), value = WordConst::Of(e.value);
      const bool whole = (e.mask | (w >= 32 ? 0 : ~((1u << w) - 1))) == 0xffffffffu;
      if (!fs.Known(e.field) && (!whole)) return;  // part of an unknown value stays unknown
      BitVec v = fs.Of(e.field);
      for (int i = 0; i < w; ++i)
        v[i] = mask.Bit(i, w) ? (value.Bit(i, w) ? bddtrue : bddfalse)
                              : (value.Bit(i, w) ? !v[i] : v[i]);
      fs.Set(e.field, std::move(v));
      return;
    }
    case TargetEffect::Kind::kNat: {
      const Field port = e.field == Field::kSrc ? Field::kSport : Field::kDport;
      const int len = AddrLen(rs_.family);
      if (e.nat_known && e.nat_lo == e.nat_hi)
        fs.Set(e.field, ConstBits(WordConst::OfBytes(e.nat_lo.b.data(), len), len * 8));
      else
        fs.SetUnknown(e.field);
      if (e.port_lo || e.port_hi) {
        if (e.port_lo == e.port_hi)
          fs.Set(port, ConstBits(WordConst::Of(e.port_lo), 16));
        else
          fs.SetUnknown(port);
      }
      return;
    }
    default: return;
  }
}

}  // namespace

std::vector<TableEnd> WalkTable(Conditions& conds, const Ruleset& rs, const Table& table,
                                Hook hook, std::vector<Flow> flows, RuleWatch* watch) {
  return TableWalk(conds, rs, table, hook, watch).Run(std::move(flows));
}

}  // namespace iptsim::symbolic
