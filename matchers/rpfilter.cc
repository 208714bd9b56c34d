// Extension: rpfilter (match, IPv4 IPv6)
// Synopsis: -m rpfilter [--loose] [--validmark] [--accept-local] [--invert]
// Semantics: reverse path filter: matches when a route back to the source
//   address leaves through the interface the packet came in on (--loose:
//   through any interface), looked up with the packet's mark if
//   --validmark; --accept-local also accepts local source addresses;
//   --invert matches the packets that fail.  The kernel allows it only in
//   the raw and mangle tables and only in PREROUTING.
// Example: -t raw -A PREROUTING -m rpfilter --invert -j DROP
#include "matchers/misc_util.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"loose", 0, false}, {"validmark", 0, false}, {"accept-local", 0, false}, {"invert", 0, false}};

class RpfilterMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool, std::span<const Arg>, const ParseContext&) override {
    return given_.Once(option, kOptions);
  }
  Status Check(const CheckContext& ctx) const override {
    if (ctx.table != TableId::kRaw && ctx.table != TableId::kMangle)
      return Status::Error("only valid in the raw and mangle tables, not in '" +
                           std::string(TableName(ctx.table)) + "'");
    return {};
  }
  void Save(std::string& out, const SaveContext&) const override {
    for (int i = 0; i < 4; ++i)
      if (given_.Has(i)) SaveOpt(out, kOptions[i].name);
  }

  bool loose() const { return given_.Has(0); }
  bool validmark() const { return given_.Has(1); }
  bool accept_local() const { return given_.Has(2); }
  bool invert() const { return given_.Has(3); }

 private:
  GivenOptions given_;
};

}  // namespace

extern const ExtensionInfo kRpfilterMatch = {
    .name = "rpfilter",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .hooks = HookBit(Hook::kPreRouting),
    .create = Create<RpfilterMatch>,
};

}  // namespace iptsim
