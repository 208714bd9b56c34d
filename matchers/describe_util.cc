#include "matchers/describe_util.h"

namespace iptsim::describe {

Pred NotLaterFragment() { return Pred::Not(Pred::NumEq(Field::kFragment, 2)); }

Pred ProtoIs(uint8_t proto) { return Pred::NumEq(Field::kProto, proto); }

Pred InRange(Field f, uint32_t lo, uint32_t hi, bool invert) {
  if (lo > hi) return invert ? Pred::True() : Pred::False();
  return Pred::Inverted(Pred::NumIn(f, lo, hi), invert);
}

Pred MaskedEquals(Field f, uint32_t value, uint32_t mask, bool invert) {
  if (value & ~mask) return invert ? Pred::True() : Pred::False();
  if (mask == 0) return invert ? Pred::False() : Pred::True();  // no bit tested
  return Pred::Inverted(Pred::NumMasked(f, value, mask), invert);
}

Pred AllOf(std::vector<Pred> parts) {
  std::vector<Pred> kept;
  for (Pred& p : parts) {
    if (p.op == Pred::Op::kFalse) return Pred::False();
    if (p.op != Pred::Op::kTrue) kept.push_back(std::move(p));
  }
  if (kept.empty()) return Pred::True();
  if (kept.size() == 1) return std::move(kept[0]);
  return Pred::And(std::move(kept));
}

TargetEffect Continue() {
  TargetEffect e;
  e.kind = TargetEffect::Kind::kContinue;
  return e;
}

TargetEffect SetBits(Field f, uint32_t mask, uint32_t value) {
  TargetEffect e;
  e.kind = TargetEffect::Kind::kSetBits;
  e.field = f;
  e.mask = mask;
  e.value = value;
  return e;
}

TargetEffect SetUnknown(Field f) {
  TargetEffect e;
  e.kind = TargetEffect::Kind::kSetUnknown;
  e.field = f;
  return e;
}

TargetEffect Verdict(TargetVerdict verdict) {
  TargetEffect e;
  e.kind = TargetEffect::Kind::kVerdict;
  e.verdict = verdict;
  return e;
}

}  // namespace iptsim::describe
