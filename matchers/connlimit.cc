// Extension: connlimit (match, IPv4 IPv6)
// Synopsis: -m connlimit {[!] --connlimit-upto N | [!] --connlimit-above N}
//   [--connlimit-mask LEN] [--connlimit-saddr | --connlimit-daddr]
// Semantics: counts the tracked connections whose source (or destination)
//   address, masked to LEN bits (default 32 / 128), equals the packet's;
//   --connlimit-above N matches when the count is > N, --connlimit-upto N
//   when it is <= N ("!" turns one into the other, and iptables-save prints
//   the resulting form).  One of upto/above is required; upto and above, and
//   saddr and daddr, exclude each other.  No table or hook restriction.
//   Saved with the mask and --connlimit-saddr/--connlimit-daddr always shown.
//   LEN is a prefix length or a mask; an IPv4 number above 32 is read as a
//   mask (inet_aton) and saved as 32, as in iptables 1.8.9.
// Example: -p tcp --syn -m connlimit --connlimit-above 10 --connlimit-mask 24
// Evaluation: yes (the connections of this run that reached the rule)
#include <vector>

#include "engine/run_state.h"
#include "matchers/ct_common.h"
#include "matchers/parse_util.h"

namespace iptsim {
namespace {

enum Opt { kUpto, kAbove, kMask, kSaddr, kDaddr };

constexpr OptionSpec kOptions[] = {
    {"connlimit-upto", 1, true}, {"connlimit-above", 1, true}, {"connlimit-mask", 1, false},
    {"connlimit-saddr", 0, false}, {"connlimit-daddr", 0, false},
};

class ConnlimitMatch : public Match {
 public:
  using Match::Match;

  Status Parse(int option, bool invert, std::span<const Arg> args,
               const ParseContext& ctx) override {
    Status s = OnlyOnce(&given_[option], kOptions[option].name);
    if (!s.ok()) return s;
    auto excl = [&](Opt other) -> Status {
      if (given_[other])
        return Status::Error("'--" + std::string(kOptions[option].name) +
                             "' cannot be used together with '--" +
                             std::string(kOptions[other].name) + "'");
      return {};
    };
    switch (option) {
      case kUpto:
      case kAbove: {
        s = excl(option == kUpto ? kAbove : kUpto);
        if (!s.ok()) return s;
        s = ParseUIntArgT(args, 0, 0, 0xffffffff, "connection count", &limit);
        if (!s.ok()) return s;
        // above N: count > N; upto N: count <= N (the kernel's invert flag).
        upto = (option == kUpto) != invert;
        return {};
      }
      case kMask: {
        int len;
        // XTTYPE_PLENMASK as iptables 1.8.9 reads it: a number over 32 is
        // taken as an IPv4 mask (inet_aton) and saved as 32.
        if (!ParsePlenMask(ctx.family, args[0].text, &len))
          return Status::Error("invalid mask '" + std::string(args[0].text) +
                                   "' (a prefix length 0.." +
                                   std::to_string(ctx.family == Family::kIPv4 ? 32 : 128) +
                                   " or a mask)",
                               0);
        mask_len = len;
        return {};
      }
      case kSaddr:
        return excl(kDaddr);
      case kDaddr:
        s = excl(kSaddr);
        if (!s.ok()) return s;
        daddr = true;
        return {};
    }
    return {};
  }

  Status Finish(const ParseContext& ctx) override {
    if (!given_[kUpto] && !given_[kAbove])
      return Status::Error("'--connlimit-above N' or '--connlimit-upto N' is required");
    if (mask_len < 0) mask_len = ctx.family == Family::kIPv4 ? 32 : 128;
    return {};
  }

  void Save(std::string& out, const SaveContext& ctx) const override {
    SaveOpt(out, upto ? "connlimit-upto" : "connlimit-above", std::to_string(limit));
    int len = mask_len >= 0 ? mask_len : (ctx.family == Family::kIPv4 ? 32 : 128);
    SaveOpt(out, "connlimit-mask", std::to_string(len));
    SaveOpt(out, daddr ? "connlimit-daddr" : "connlimit-saddr");
  }

  // xt_connlimit / nf_conncount: the rule keeps the connections it has
  // seen, grouped by masked address; one that is gone from the table or
  // closed (TCP TIME_WAIT, CLOSE) is no longer counted.
  struct Seen : ExtState {
    struct Item {
      IpAddr key;
      CtTuple tuple;
      uint16_t zone;
    };
    std::vector<Item> items;
  };
  Tri Evaluate(const PacketView& view, EvalContext& ctx) const override {
    if (!ctx.run) {
      ctx.unknown_reason = "-m connlimit counts the run's connections: no run state";
      return Tri::kUnknown;
    }
    CtTuple tuple;
    uint16_t zone = 0;
    const ConntrackEntry* own = ctx.ct ? ctx.ct->entry : nullptr;
    if (own) {
      tuple = own->tuple[kCtOriginal];
      zone = own->zone;
    } else if (!PacketTuple(view, &tuple)) {
      ctx.hotdrop = true;
      return Tri::kFalse;
    }
    IpAddr key = daddr ? view.dst() : view.src();
    const IpAddr mask = PrefixMask(ctx.family, mask_len);
    for (int i = 0; i < 16; ++i) key.b[i] &= mask.b[i];
    Seen& seen = ctx.run->For<Seen>(this);
    ConntrackTable* table = ctx.ct ? ctx.ct->table : nullptr;
    const double now = ctx.ct && ctx.ct->packet ? ctx.ct->packet->now() : 0;
    uint32_t count = 0;
    bool present = false;
    std::vector<Seen::Item> kept;
    for (const Seen::Item& it : seen.items) {
      bool same = it.tuple == tuple && it.zone == zone;
      if (!same && table) {
        CtDir d;
        const ConntrackEntry* e = table->Find(it.tuple, it.zone, now, &d);
        if (!e || (e->tuple[kCtOriginal].proto == 6 &&
                   (e->tcp_state == TcpCtState::kTimeWait || e->tcp_state == TcpCtState::kClose)))
          continue;  // gone or closed: evicted
      }
      kept.push_back(it);
      if (same) present = true;
      if (it.key == key) ++count;
    }
    if (!present) {
      kept.push_back({key, tuple, zone});
      ++count;
    }
    seen.items = std::move(kept);
    return ToTri((count > limit) != upto);
  }

  uint32_t limit = 0;
  bool upto = false;   // match when count <= limit (else count > limit)
  int mask_len = -1;   // set in Finish
  bool daddr = false;  // group by destination address

 private:
  bool given_[5] = {};
};

}  // namespace

extern const ExtensionInfo kConnlimitMatch = {
    .name = "connlimit",
    .kind = ExtKind::kMatch,
    .families = kFamBoth,
    .options = kOptions,
    .enables_conntrack = true,
    .create = Create<ConnlimitMatch>,
    .may_be_undecided = true,
};

}  // namespace iptsim
