#include "engine/netfilter.h"

#include <array>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "engine/routing.h"
#include "engine/walker.h"
#include "engine/extension.h"

namespace iptsim {

namespace {

// The hooks' priorities (include/uapi/linux/netfilter_ipv4.h: raw -300, mangle -150, nat DNAT -100,
// filter 0, security 50, nat SNAT 100).
constexpr PathStep kLocalIn[] = {
    {Hook::kPreRouting, TableId::kRaw},  {Hook::kPreRouting, TableId::kMangle},
    {Hook::kPreRouting, TableId::kNat},  {Hook::kLocalIn, TableId::kMangle},
    {Hook::kLocalIn, TableId::kFilter},  {Hook::kLocalIn, TableId::kSecurity},
    {Hook::kLocalIn, TableId::kNat},
};
constexpr PathStep kForward[] = {
    {Hook::kPreRouting, TableId::kRaw},    {Hook::kPreRouting, TableId::kMangle},
    {Hook::kPreRouting, TableId::kNat},    {Hook::kForward, TableId::kMangle},
    {Hook::kForward, TableId::kFilter},    {Hook::kForward, TableId::kSecurity},
    {Hook::kPostRouting, TableId::kMangle}, {Hook::kPostRouting, TableId::kNat},
};
constexpr PathStep kLocalOut[] = {
    {Hook::kLocalOut, TableId::kRaw},      {Hook::kLocalOut, TableId::kMangle},
    {Hook::kLocalOut, TableId::kNat},      {Hook::kLocalOut, TableId::kFilter},
    {Hook::kLocalOut, TableId::kSecurity}, {Hook::kPostRouting, TableId::kMangle},
    {Hook::kPostRouting, TableId::kNat},
};
// The local-out steps, then the looped packet on lo (no nat:
// the connection's bindings were made on the way out).
constexpr PathStep kLoopback[] = {
    {Hook::kLocalOut, TableId::kRaw},      {Hook::kLocalOut, TableId::kMangle},
    {Hook::kLocalOut, TableId::kNat},      {Hook::kLocalOut, TableId::kFilter},
    {Hook::kLocalOut, TableId::kSecurity}, {Hook::kPostRouting, TableId::kMangle},
    {Hook::kPostRouting, TableId::kNat},   {Hook::kPreRouting, TableId::kRaw},
    {Hook::kPreRouting, TableId::kMangle}, {Hook::kLocalIn, TableId::kMangle},
    {Hook::kLocalIn, TableId::kFilter},    {Hook::kLocalIn, TableId::kSecurity},
};

// The packet whose new entry cannot be confirmed is dropped after the last
// hook (nothing more is traced).
SimResult ConfirmFailed(SimResult result) {
  result.verdict = Verdict::kDrop;
  result.unknown_reason =
      "dropped by conntrack confirmation: another connection holds its tuple (NAT found no "
      "free port)";
  return result;
}

}  // namespace

std::span<const PathStep> PathSteps(PacketPath path) {
  switch (path) {
    case PacketPath::kLocalIn: return kLocalIn;
    case PacketPath::kForward: return kForward;
    case PacketPath::kLocalOut: return kLocalOut;
    case PacketPath::kLoopback: return kLoopback;
  }
  return kLocalIn;
}

namespace {

// ip_forward decrements the TTL (hop limit) before the FORWARD hook.
void DecrementTtl(Packet& pkt) {
  auto& b = pkt.bytes;
  if (pkt.family == Family::kIPv6) {
    if (b.size() >= 40 && b[7]) --b[7];
    return;
  }
  if (b.size() < 20 || b[8] == 0) return;
  --b[8];
  // Incremental checksum update (RFC 1624), as ip_decrease_ttl does.
  uint32_t check = GetBe16(&b[10]);
  check += 0x0100;
  check = (check & 0xffff) + (check >> 16);
  b[10] = static_cast<uint8_t>(check >> 8);
  b[11] = static_cast<uint8_t>(check);
}

}  // namespace

void NoteDecision(const DecidingEntry& entry, Verdict v, DecidingEntry* decided_by) {
  if (!entry.chain) return;
  if (v != Verdict::kAccept) {
    *decided_by = entry;
    return;
  }
  const bool filter_seen = decided_by->chain && decided_by->table == TableId::kFilter;
  if (entry.table == TableId::kFilter || !decided_by->chain ||
      (!filter_seen && (entry.rule || !decided_by->rule)))
    *decided_by = entry;
}

std::string_view PacketPathName(PacketPath p) {
  switch (p) {
    case PacketPath::kLocalIn: return "local-in";
    case PacketPath::kForward: return "forward";
    case PacketPath::kLocalOut: return "local-out";
    case PacketPath::kLoopback: return "loopback";
  }
  return "";
}

PacketPath PathFromDevices(const Packet& pkt) {
  if (!pkt.in.empty()) return pkt.out.empty() ? PacketPath::kLocalIn : PacketPath::kForward;
  return pkt.out == std::string_view("lo") ? PacketPath::kLoopback : PacketPath::kLocalOut;
}

namespace {

bool TableNeedsConntrack(const Table& t) {
  for (const Chain& c : t.chains)
    for (const Rule& r : c.rules) {
      for (const Match* m : r.matches)
        if (m->EnablesConntrack()) return true;
      if (r.target && r.target->EnablesConntrack()) return true;
    }
  return false;
}

}  // namespace

bool NeedsConntrack(const Ruleset& rs) {
  // The nat table first: its NAT targets answer at once in most rulesets.
  const Table* nat = rs.FindTable(TableId::kNat);
  if (nat && TableNeedsConntrack(*nat)) return true;
  for (const Table& t : rs.tables)
    if (&t != nat && TableNeedsConntrack(t)) return true;
  return false;
}

SimResult SimulatePacket(const Ruleset& rs, Packet& pkt, PacketPath path, const SimOptions& opts,
                         TraceObserver* observer) {
  std::span<const PathStep> steps = PathSteps(path);
  // Connection tracking: the run's (opts.ct), or a table of the packet's
  // own when the caller left it to us and the ruleset turns conntrack on.
  ConntrackPacket* ct = opts.ct;
  std::optional<ConntrackTable> own_table;
  std::optional<ConntrackPacket> own_ct;
  if (!ct && opts.conntrack < 0 && opts.first_of_connection && NeedsConntrack(rs)) {
    own_table.emplace();
    own_ct.emplace(*own_table, nullptr, opts.run);
    own_ct->set_assumed_state(pkt.ct_assumed);
    ct = &*own_ct;
  }
  // The output device is known only after routing: PREROUTING sees none.
  IfaceName out = pkt.out;
  if (path != PacketPath::kLocalOut && path != PacketPath::kLoopback) pkt.out = IfaceName();
  SimResult result;
  bool forwarded_ttl = false;
  const bool local_out = path == PacketPath::kLocalOut || path == PacketPath::kLoopback;
  const DefragResult defrag = ct ? ct->table().Defrag(pkt, local_out) : DefragResult{};
  if (defrag.step != DefragStep::kPass) {
    // Conntrack's defragmentation (priority -400, before raw) holds every
    // fragment until the datagram is complete, which then goes on whole;
    // it refuses overlaps and inconsistent fragments (engine/defrag.h).
    result.verdict = defrag.step == DefragStep::kDropped ? Verdict::kDrop : Verdict::kStolen;
    result.hook = local_out ? Hook::kLocalOut : Hook::kPreRouting;
    result.unknown_reason = defrag.step == DefragStep::kHeld
                                ? defrag.reason
                                : "refused by conntrack's defragmentation: " + defrag.reason;
    return result;
  }
  const PacketView view = PacketView::Of(pkt);  // as the packet arrived
  // The layout the tables share (RunTable keeps it current when a target
  // rewrites the packet; the TTL decrement below changes no field of it).
  PacketView current = view;
  for (size_t i = 0; i < steps.size(); ++i) {
    if (i > 0 && steps[i - 1].hook != steps[i].hook) {
      if (path == PacketPath::kLoopback && steps[i].hook == Hook::kPreRouting) {
        // ipv4_confirm at POSTROUTING, before the loop back.
        if (ct && !ct->Confirm()) return ConfirmFailed(result);
        EnterLoopback(pkt);  // back in on lo
      }
      if (opts.router && !opts.router->Between(steps[i - 1].hook, steps[i].hook, pkt, path, out, result))
        return result;
      if (opts.tee_copy && steps[i].hook == Hook::kPostRouting) {
        pkt.in = pkt.out;
        pkt.mac = {};
        pkt.mac_len = 14;
      }
      steps = PathSteps(path);  // a path that shares the steps so far
      // Not on lo: a looped packet keeps the route it had (skb_dst set),
      // which skips early demux.
      if (path == PacketPath::kLocalIn && steps[i].hook == Hook::kLocalIn && opts.early_demux)
        opts.early_demux(pkt);
    }
    const PathStep& s = steps[i];
    if (path == PacketPath::kForward && s.hook == Hook::kForward && !forwarded_ttl) {
      // ip_forward / ip6_forward: a packet whose TTL (hop limit) would run
      // out is dropped (with an ICMP time exceeded) before FORWARD.
      size_t ttl_at = pkt.family == Family::kIPv4 ? 8 : 7;
      if (pkt.bytes.size() <= ttl_at || pkt.bytes[ttl_at] <= 1) {
        result.verdict = Verdict::kDrop;
        result.hook = Hook::kForward;
        result.unknown_reason = "TTL exceeded in ip_forward, before the FORWARD hook";
        return result;
      }
      pkt.out = out;
      DecrementTtl(pkt);
      forwarded_ttl = true;
    }
    if (path == PacketPath::kLocalIn && s.hook == Hook::kLocalIn && pkt.family == Family::kIPv4 &&
        view.is_fragment) {
      // ip_local_deliver queues an IPv4 fragment for reassembly before
      // LOCAL_IN; a lone fragment never gets there.  (IPv6 reassembles
      // after the hook: its fragments go on.)
      result.verdict = Verdict::kStolen;
      result.hook = Hook::kLocalIn;
      result.unknown_reason = "held for reassembly before the INPUT hook";
      return result;
    }
    // nf_conntrack_in (priority -200) right after raw of the first hook.
    if (ct && s.table != TableId::kRaw && !ct->in_done()) {
      ct->In(steps[0].hook, pkt);
      if (observer) observer->OnConntrack(steps[0].hook, ct->ref(), false);
    }
    const Table* t = rs.FindTable(s.table);
    if (!t || !t->BuiltinChain(s.hook)) continue;
    // The nat chains run only for a connection's first packet; the rewrite
    // of every packet from the binding follows them (nf_nat_inet_fn).
    bool nat_runs = true;
    if (s.table == TableId::kNat) {
      if (!ct) continue;
      nat_runs = ct->NatBefore(s.hook);
    }
    if (nat_runs) {
      EvalContext ctx;
      ctx.family = rs.family;
      ctx.hook = s.hook;
      ctx.table = s.table;
      ctx.settings = opts.settings;
      ctx.run = opts.run;
      ctx.replies = opts.replies;
      ctx.send_copy = opts.send_copy ? &opts.send_copy : nullptr;
      ctx.ct = ct ? &ct->ref() : nullptr;
      ctx.observer = observer;
      ctx.view = &current;
      Verdict v = RunTable(*t, pkt, ctx);
      result.hook = s.hook;
      result.table = s.table;
      NoteDecision(ctx.decided, v, &result.decided_by);
      if (observer) observer->OnTableVerdict(s.table, s.hook, v);
      if (v != Verdict::kAccept) {
        result.verdict = v;
        result.unknown_reason = ctx.unknown_reason;
        return result;
      }
    }
    if (s.table == TableId::kNat) {
      const ConntrackPacket::NatStep step =
          ct->NatAfter(s.hook, pkt, nat_runs, &result.unknown_reason);
      if (step != ConntrackPacket::NatStep::kGo) {
        result.verdict = step == ConntrackPacket::NatStep::kDrop ? Verdict::kDrop : Verdict::kUnknown;
        result.hook = s.hook;
        result.table = s.table;
        return result;
      }
      if (observer && nat_runs) observer->OnConntrack(s.hook, ct->ref(), true);
    }
  }
  if (ct) {
    ct->In(steps[0].hook, pkt);  // a path of raw chains only
    if (!ct->Confirm()) return ConfirmFailed(result);  // __nf_conntrack_confirm, last hook
  }
  result.verdict = Verdict::kAccept;
  return result;
}

}  // namespace iptsim
