// The chain walker: one table at one hook, exactly as ipt_do_table /
// ip6t_do_table run it, with an explicit stack (no recursion).  Rule
// numbering and labels follow the kernel's get_chainname_rulenum.
#pragma once

#include "engine/eval.h"
#include "engine/model.h"
#include "engine/packet.h"
#include "engine/trace.h"

namespace iptsim {

// Does interface `dev` match the rule's -i/-o name?  iptables stores "eth+"
// as the prefix "eth" with a mask over it, any other name with a mask over
// the whole name and its terminating NUL.
inline bool IfaceMatches(const IfaceName& rule, const IfaceName& dev) {
  std::string_view r = rule.view(), d = dev.view();
  if (!r.empty() && r.back() == '+') return d.substr(0, r.size() - 1) == r.substr(0, r.size() - 1);
  return d == r;
}

// Does the fixed part of a rule (-s -d -i -o -p -f) match?  The kernel's
// ip_packet_match / ip6_packet_match.
bool BaseMatches(const IpHeaderMatch& ip, const PacketView& v);

// The label the kernel gives a matched rule (get_chainname_rulenum: an
// unconditional rule with a standard verdict -- ACCEPT, DROP, QUEUE, RETURN --
// is reported as "policy" in a builtin chain, "return" in a user chain).
TraceLabel LabelFor(const Chain& chain, const Rule& rule, Family family);

// Runs `table`'s builtin chain for ctx.hook on the packet (targets may
// rewrite it, the TRACE target sets pkt.nf_trace).  Every matched entry is
// reported to ctx.observer.  Returns kUnknown when a match or target could
// not be decided (ctx.unknown_reason says why).
Verdict RunTable(const Table& table, Packet& pkt, EvalContext& ctx);

}  // namespace iptsim
