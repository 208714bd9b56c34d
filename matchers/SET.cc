// Extension: SET (target, IPv4 IPv6)
// Synopsis: -j SET [--add-set NAME FLAGS [--exist] [--timeout N]]
//   [--del-set NAME FLAGS] [--map-set NAME FLAGS [--map-mark] [--map-prio]
//   [--map-queue]]
// Semantics: adds the packet's addresses/ports (FLAGS: src/dst per
//   dimension) to the ipset NAME, deletes them from another, or copies the
//   mark/priority/queue stored with the matching element of a map set
//   ("skbinfo") into the packet; then the rule continues (XT_CONTINUE).
//   --exist refreshes an existing entry's timeout, --timeout overrides the
//   set's default.  At least one of --add-set, --del-set, --map-set;
//   --exist and --timeout need --add-set; --map-mark/--map-prio/--map-queue
//   need --map-set, which needs one of them.  The kernel allows --map-set
//   only in the mangle table, and --map-prio/--map-queue only in rules
//   reached from FORWARD, OUTPUT and POSTROUTING.  The sets must exist
//   (not checked: ipsets live outside the ruleset).
// Example: -j SET --add-set scanners src --exist --timeout 3600
// Evaluation: yes, with --ipset FILE (--add-set/--del-set change the run's copy; --map-set --map-mark reads the element's skbmark; --timeout/--exist have no effect), else unknown
#include "engine/ipset.h"
#include "matchers/ipset_util.h"
#include "matchers/misc_util.h"
#include "matchers/parse_util.h"
#include "matchers/describe_util.h"

namespace iptsim {
namespace {

constexpr OptionSpec kOptions[] = {
    {"add-set", 2, false},  {"del-set", 2, false},  {"exist", 0, false},
    {"timeout", 1, false},  {"map-set", 2, false},  {"map-mark", 0, false},
    {"map-prio", 0, false}, {"map-queue", 0, false},
};
enum { kAdd, kDel, kExist, kTimeout, kMap, kMapMark, kMapPrio, kMapQueue };

class SetTarget : public Target {
 public:
  using Target::Target;

  Status Parse(int option, bool, std::span<const Arg> args, const ParseContext&) override {
    given_.Set(option);
    switch (option) {
      case kAdd:
      case kDel:
      case kMap: {
        IpsetRef& r = option == kAdd ? add_ : option == kDel ? del_ : map_;
        if (r.given())
          return Status::Error("option '--" + std::string(kOptions[option].name) +
                               "' may be given only once");
        return ParseIpsetRef(args, kOptions[option].name, &r);
      }
      case kTimeout:
        return UIntArgT(args, 0, 0, 0xfffffffe, "timeout", &timeout_);
    }
    return {};
  }

  Status Finish(const ParseContext&) override {
    if (!add_.given() && !del_.given() && !map_.given())
      return Status::Error("one of '--add-set', '--del-set' or '--map-set' is required");
    if (!add_.given()) {
      if (given_.Has(kExist)) return Status::Error("'--exist' can only be used with '--add-set'");
      if (given_.Has(kTimeout))
        return Status::Error("'--timeout' can only be used with '--add-set'");
    }
    if (!map_.given()) {
      for (int o : {kMapMark, kMapPrio, kMapQueue})
        if (given_.Has(o))
          return Status::Error(OptName(kOptions, o) + " can only be used with '--map-set'");
    } else if (!given_.Has(kMapMark) && !given_.Has(kMapPrio) && !given_.Has(kMapQueue)) {
      return Status::Error("'--map-set' needs '--map-mark', '--map-prio' or '--map-queue'");
    }
    return {};
  }

  Status Check(const CheckContext& ctx) const override {
    if (!map_.given()) return {};
    if (ctx.table != TableId::kMangle)
      return Status::Error("'--map-set' is only valid in the mangle table, not in '" +
                           std::string(TableName(ctx.table)) + "'");
    constexpr uint32_t kAllowed =
        HookBit(Hook::kForward) | HookBit(Hook::kLocalOut) | HookBit(Hook::kPostRouting);
    if ((given_.Has(kMapPrio) || given_.Has(kMapQueue)) && (ctx.hook_mask & ~kAllowed))
      return Status::Error("'--map-prio' and '--map-queue' are only valid in rules reached from "
                           "FORWARD, OUTPUT and POSTROUTING");
    return {};
  }

  // Ipset changes are not followed (-m set is opaque); --map-mark takes
  // the mark from the matching element: unknown.
  TargetEffect DescribeEffect(Family) const override {
    if (map_.given() && given_.Has(kMapMark)) return describe::SetUnknown(Field::kMark);
    return describe::Continue();
  }
  // xt_set.c set_target_v3: adds the packet's element to the run's copy of
  // --add-set's set, deletes it from --del-set's (nothing happens when the
  // packet does not give it or the flags do not fit the set), and with
  // --map-set --map-mark sets the mark from the matching element's skbmark:
  // mark = (mark & ~mask) ^ skbmark.  --map-prio/--map-queue set skb
  // fields nothing shows.  The rule continues.  Without --ipset: unknown.
  TargetVerdict Apply(Packet& pkt, const PacketView& v, EvalContext& ctx) const override {
    IpsetDb* db = RunIpsets(ctx);
    if (!db) {
      ctx.unknown_reason = "-j SET changes ipsets: give their contents with --ipset FILE "
                           "(ipset save)";
      return TargetVerdict::kUnknown;
    }
    for (const IpsetRef* r : {&add_, &del_, &map_})
      if (r->given() && !db->count(r->name)) {
        ctx.unknown_reason = "-j SET: the ipset '" + r->name + "' is not in the --ipset files (the "
                             "kernel refuses a rule naming a set that does not exist)";
        return TargetVerdict::kUnknown;
      }
    if (add_.given()) IpsetAddDel(*db, add_.name, v, add_.dim, add_.src_bits, true);
    if (del_.given()) IpsetAddDel(*db, del_.name, v, del_.dim, del_.src_bits, false);
    if (map_.given() && given_.Has(kMapMark)) {
      const IpsetElement* e = IpsetFind(*db, map_.name, v, map_.dim, map_.src_bits);
      if (e && e->skbmark)
        pkt.mark = (pkt.mark & ~e->skbmarkmask.value_or(0xffffffff)) ^ *e->skbmark;
    }
    return TargetVerdict::kContinue;
  }
  void Save(std::string& out, const SaveContext&) const override {
    if (add_.given()) SaveOpt(out, "add-set", add_.name + " " + add_.Flags());
    if (given_.Has(kExist)) SaveOpt(out, "exist");
    if (given_.Has(kTimeout)) SaveOpt(out, "timeout", std::to_string(timeout_));
    if (del_.given()) SaveOpt(out, "del-set", del_.name + " " + del_.Flags());
    if (map_.given()) SaveOpt(out, "map-set", map_.name + " " + map_.Flags());
    if (given_.Has(kMapMark)) SaveOpt(out, "map-mark");
    if (given_.Has(kMapPrio)) SaveOpt(out, "map-prio");
    if (given_.Has(kMapQueue)) SaveOpt(out, "map-queue");
  }

  const IpsetRef& add_set() const { return add_; }
  const IpsetRef& del_set() const { return del_; }
  const IpsetRef& map_set() const { return map_; }
  bool exist() const { return given_.Has(kExist); }
  bool has_timeout() const { return given_.Has(kTimeout); }
  uint32_t timeout() const { return timeout_; }
  bool map_mark() const { return given_.Has(kMapMark); }
  bool map_prio() const { return given_.Has(kMapPrio); }
  bool map_queue() const { return given_.Has(kMapQueue); }

 private:
  GivenOptions given_;
  IpsetRef add_, del_, map_;
  uint32_t timeout_ = 0;
};

}  // namespace

extern const ExtensionInfo kSetTarget = {
    .name = "SET",
    .kind = ExtKind::kTarget,
    .families = kFamBoth,
    .options = kOptions,
    .create = Create<SetTarget>,
};

}  // namespace iptsim
