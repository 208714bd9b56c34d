// The BDD word comparisons of symbolic/bits.h, exhaustively over an 8-bit
// field, and the packet space's interface names: what every symbolic
// answer is built from.
#include <catch2/catch.hpp>

#include "symbolic/bits.h"
#include "symbolic/space.h"

using namespace iptsim;
using namespace iptsim::symbolic;

namespace {

// Whether value x of the word `bits` is in `set`.
bool Holds(const bdd& set, const BitVec& bits, uint32_t x) {
  return (set & Equals(bits, WordConst::Of(x))) != bddfalse;
}

}  // namespace

TEST_CASE("symbolic words: ==, <=, >= and masked == against every 8-bit value") {
  Space space(Family::kIPv4, {});
  const BitVec& proto = space.Var(Field::kProto);
  for (uint32_t c = 0; c < 256; c += 5) {
    const bdd eq = Equals(proto, WordConst::Of(c));
    const bdd le = AtMost(proto, WordConst::Of(c));
    const bdd ge = AtLeast(proto, WordConst::Of(c));
    const bdd masked = MaskedEquals(proto, WordConst::Of(c & 0x3c), WordConst::Of(0x3c));
    for (uint32_t x = 0; x < 256; ++x) {
      INFO("c=" << c << " x=" << x);
      CHECK(Holds(eq, proto, x) == (x == c));
      CHECK(Holds(le, proto, x) == (x <= c));
      CHECK(Holds(ge, proto, x) == (x >= c));
      CHECK(Holds(masked, proto, x) == ((x & 0x3c) == (c & 0x3c)));
    }
  }
}

TEST_CASE("symbolic space: interface representatives answer every pattern as their class") {
  Space space(Family::kIPv4, {IfaceName("eth0"), IfaceName("eth+"), IfaceName("wg+")});
  const auto& reps = space.ifaces();
  // none, lo, eth0, one more eth name, one wg name, one name no pattern takes.
  REQUIRE(reps.size() == 6);
  CHECK(reps[0].name.view().empty());
  CHECK(reps[1].name.view() == "lo");
  const BitVec& in = space.Var(Field::kInIface);
  const bdd eth = space.IfaceMatches(in, IfaceName("eth+"));
  const bdd eth0 = space.IfaceMatches(in, IfaceName("eth0"));
  for (size_t code = 0; code < reps.size(); ++code) {
    const std::string_view n = reps[code].name.view();
    INFO("representative " << n);
    CHECK(Holds(eth, in, static_cast<uint32_t>(code)) == n.starts_with("eth"));
    CHECK(Holds(eth0, in, static_cast<uint32_t>(code)) == (n == "eth0"));
  }
}
