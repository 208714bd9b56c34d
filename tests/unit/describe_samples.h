// Packets for the property tests of the descriptions (describe_test.cc,
// describe_effect_test.cc): random packets of every protocol the matches
// read, with values at the boundaries of the numbers and addresses the
// rules name (N-1, N, N+1), fragments, IPv6 extension headers, and each
// of the conntrack situations a match can see.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/conntrack_entry.h"
#include "engine/model.h"
#include "engine/packet.h"

namespace iptsim::testing {

// The conntrack situations (what -m state / -m conntrack --ctstate see).
enum class CtCase : uint8_t {
  kNone,              // no conntrack reference (conntrack off): INVALID
  kNoEntry,           // tracked but no entry: INVALID
  kTemplate,          // a CT template in raw: NEW
  kUntracked,         // NOTRACK / CT --notrack
  kNew,               // entries, by skb->_nfct info
  kEstablished,
  kRelated,
  kEstablishedReply,
  kRelatedReply,
};
constexpr int kNumCtCases = 9;

// The CtRef of each case, built once (matches only read it; a target that
// writes it gets a copy).
class CtCases {
 public:
  CtCases();
  // nullptr for kNone.
  CtRef* Ref(CtCase c);

 private:
  ConntrackEntry entry_;
  std::array<CtRef, kNumCtCases> refs_;
};

struct Sample {
  Packet pkt;
  CtCase ct = CtCase::kNone;
  std::string what;  // the packet in words, for failure messages
};

// `count` packets of `family`, deterministic for a seed; values are drawn
// from the numbers and addresses in `rules` (each +-1) or at random.
std::vector<Sample> MakeSamples(Family family, const std::vector<std::string>& rules, size_t count,
                                uint32_t seed);

}  // namespace iptsim::testing
