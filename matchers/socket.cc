// Extension: socket (match, IPv4 IPv6)
// Synopsis: -m socket [--transparent] [--nowildcard] [--restore-skmark]
// Semantics: matches when a local socket (established, or listening)
//   would receive the packet; --transparent only counts IP_TRANSPARENT
//   sockets, --nowildcard also counts listeners bound to 0.0.0.0/::,
//   --restore-skmark copies the socket's mark to the packet.  Only in
//   PREROUTING and INPUT (xt_socket hooks).
// Example: -m socket --transparent
// Evaluation: partial: always unknown (needs the host's sockets)
#include "matchers/misc_util.h"
#include "matchers/parse_util.h"
#include "matchers/eval_result.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"transparent", 0, false}, {"nowildcard", 0, false}, {"restore-skmark", 0, false}};

class SocketMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool, std::span<const Arg>, const ParseContext&) override {
    return given_.Once(option, kOptions);
  }
  // xt_socket.c socket_mt*: looks up a local socket for the packet's tuple.
  Tri Evaluate(const PacketView&, EvalContext& ctx) const override {
    return UndecidedTest(ctx, *this,
                         "whether the packet belongs to an open socket of the host (iptsim "
                         "models no sockets)",
                         false);
  }
  void Save(std::string& out, const SaveContext&) const override {
    for (int i = 0; i < 3; ++i)
      if (given_.Has(i)) SaveOpt(out, kOptions[i].name);
  }

  bool transparent() const { return given_.Has(0); }
  bool nowildcard() const { return given_.Has(1); }
  bool restore_skmark() const { return given_.Has(2); }

 private:
  GivenOptions given_;
};

}  // namespace

extern const ExtensionInfo kSocketMatch = {
    .name = "socket",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .hooks = HookBit(Hook::kPreRouting) | HookBit(Hook::kLocalIn),
    .create = Create<SocketMatch>,
    .may_be_undecided = true,
};

}  // namespace iptsim
