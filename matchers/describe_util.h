// Building blocks of the matches' descriptions (Match::Describe,
// engine/predicate.h), each with the kernel's own reading of the test: what
// a later fragment sees, how a value with bits outside its mask compares, a
// reversed range.  Every description built from them is checked against the
// match's Evaluate by tests/unit/describe_test.cc.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/predicate.h"

namespace iptsim::describe {

// The packet is not a later fragment (offset != 0).  The transport header
// matches (tcp, udp, sctp, dccp, icmp, icmp6, multiport) return false on a
// later fragment whatever their '!' (par->fragoff != 0), so this stands
// outside the match's inversion.
Pred NotLaterFragment();

// The transport protocol is `proto`: the header a match reads is of that
// protocol (the rule's -p, which the kernel requires for it, says so too).
Pred ProtoIs(uint8_t proto);

// lo <= field <= hi, negated when `invert`.  A reversed range (lo > hi),
// which udp, dccp, length and others load, never matches: False (True
// with '!').
Pred InRange(Field f, uint32_t lo, uint32_t hi, bool invert);

// (field & mask) == value, negated when `invert`.  The kernel compares
// with the value as given: a value with bits outside the mask never
// matches (mark 0x3/0x1), so that is False (True with '!'), never the
// masked value.
Pred MaskedEquals(Field f, uint32_t value, uint32_t mask, bool invert);

// The conjunction of `parts` as a small tree: True parts dropped, False if
// one is False, the part itself when one is left (descriptions are shown
// to users).
Pred AllOf(std::vector<Pred> parts);

// Target effects (Target::DescribeEffect).
// No verdict, no field changed: the walk goes on.
TargetEffect Continue();
// field = (field & ~mask) ^ value, then the walk goes on.
TargetEffect SetBits(Field f, uint32_t mask, uint32_t value);
// The field gets a value the fields do not tell, then the walk goes on.
TargetEffect SetUnknown(Field f);
// The walk ends with `verdict`.
TargetEffect Verdict(TargetVerdict verdict);

}  // namespace iptsim::describe
