// What a match or target sees when it runs on a packet: the parsed layout of
// the packet's headers (as the kernel's xt_action_param gives it), the hook
// and table, and the run's settings for what cannot be decided from the
// inputs (three-valued matching: never a silent guess).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model.h"
#include "engine/packet.h"

namespace iptsim {

struct RunSettings;  // engine/run_settings.h

// Three-valued result of a match: kUnknown when the inputs do not decide it
// (a cgroup, a socket, a random draw...).  Never a silent guess.
enum class Tri : uint8_t { kFalse = 0, kTrue = 1, kUnknown = 2 };

inline Tri ToTri(bool b) { return b ? Tri::kTrue : Tri::kFalse; }
inline Tri Invert(Tri t, bool invert) {
  if (!invert || t == Tri::kUnknown) return t;
  return t == Tri::kTrue ? Tri::kFalse : Tri::kTrue;
}

// The header layout of a packet, computed once per hook visit (and again
// after a target rewrote the packet).
struct PacketView {
  const Packet* pkt = nullptr;
  uint32_t l3_len = 0;      // IPv4 header length (IHL*4) / IPv6 40 + extension headers walked
  uint32_t thoff = 0;       // offset of the transport header in pkt->bytes (IPv6: may pass 65535)
  uint8_t l4proto = 0;      // transport protocol (IPv6: after extension headers)
  bool l4proto_found = true;  // IPv6: false when the header chain is broken or ends (ESP, 59)
  uint16_t fragoff = 0;     // fragment offset: IPv4 in 8-byte units, IPv6 in bytes (0 = first)
  bool is_fragment = false; // any fragment (MF set or offset != 0)

  // Parses pkt's IP header (and IPv6 extension headers, as ipv6_find_hdr).
  static PacketView Of(const Packet& pkt);

  const uint8_t* data() const { return pkt->bytes.data(); }
  size_t size() const { return pkt->bytes.size(); }
  // Bytes from the transport header on (0 when it lies beyond the packet).
  size_t transport_size() const { return thoff < size() ? size() - thoff : 0; }
  const uint8_t* transport() const { return data() + thoff; }
  IpAddr src() const;
  IpAddr dst() const;
};

// What a target tells the walker.
enum class TargetVerdict : uint8_t {
  kContinue,  // XT_CONTINUE: go on with the next rule
  kAccept,
  kDrop,
  kQueue,
  kStolen,    // consumed (e.g. SYNPROXY, TEE's original goes on)
  kReturn,
  kUnknown,   // the target cannot be simulated with the given inputs
};

class TraceObserver;
class RunState;    // engine/run_state.h
struct HostModel;  // engine/host.h
struct CtRef;      // engine/conntrack.h
struct RejectReply;  // engine/reject_reply.h

// The entry whose verdict ended a table's walk at a hook: a rule, or
// (rule == nullptr) the builtin chain's policy.  What the user asks first
// of a trace: which rule decided?
struct DecidingEntry {
  TableId table = TableId::kFilter;
  Hook hook = Hook::kPreRouting;
  const Chain* chain = nullptr;  // nullptr: none (the packet ended outside the tables)
  const Rule* rule = nullptr;    // nullptr: the policy of `chain`
  uint32_t number = 0;           // the kernel's rule number (N+1 for a policy)
};

struct EvalContext {
  Family family = Family::kIPv4;
  Hook hook = Hook::kPreRouting;
  TableId table = TableId::kFilter;
  // What the user chose for the run (engine/run_settings.h: --assume, the
  // host model, ...), pointed to, not copied; nullptr: a lone evaluation
  // (unit tests) with no assumptions and no host model.
  const RunSettings* settings = nullptr;
  TraceObserver* observer = nullptr;  // for LOG/NFLOG output
  // The packet's parsed layout, shared by the tables a packet crosses so it
  // is parsed once: when set (and of the packet walked), RunTable starts
  // from it and keeps it current (re-parsed after a target ran).  nullptr:
  // RunTable parses the packet itself.
  PacketView* view = nullptr;
  // The run's state (per-rule counters, buckets, lists; the seeded random
  // source).  nullptr: a lone evaluation (unit tests), state starts fresh.
  RunState* run = nullptr;
  // The packet's conntrack entry and direction/state (skb->_nfct), when
  // conntrack is on and the packet is tracked; nullptr otherwise.
  CtRef* ct = nullptr;
  // Packets the kernel generates from inside a target (REJECT's ICMP error
  // or TCP reset), sent by the simulator once the walk has ended; nullptr:
  // not simulated (lone evaluations).
  std::vector<RejectReply>* replies = nullptr;
  // TEE's copy (nf_dup_ipv4/ipv6): sent at once, from inside the target,
  // routed to `gateway` (out of `oif` when not empty) through OUTPUT and
  // POSTROUTING; its lines come before the original goes on.  nullptr: not
  // simulated (lone evaluations).
  const std::function<void(Packet& copy, const IpAddr& gateway, std::string_view oif)>* send_copy =
      nullptr;
  // --assume TABLE:CHAIN:N=match|nomatch of the rule being evaluated (set by
  // the walker): it overrides --assume NAME=..., so the matches leave their
  // undecided tests unknown for the walker to decide.  nullptr: none.
  const bool* rule_assumption = nullptr;
  // Set by an extension that returns kUnknown: what input is missing.
  std::string unknown_reason;
  // Set by a match that finds the packet malformed (the kernel's hotdrop):
  // the packet is dropped at once, no further rule is evaluated.
  bool hotdrop = false;
  // Set by RunTable when the walk ends in a verdict: the entry that gave it.
  DecidingEntry decided;
};

}  // namespace iptsim
