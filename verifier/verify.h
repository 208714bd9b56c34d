// The pieces of `iptsim verify` (cli/verify.cc) that need no root: the
// ruleset the kernel and the simulation both get, the lab a packet list
// implies, the normalisation of what legitimately differs between runs, and
// the per-packet diff.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/host.h"
#include "engine/model.h"
#include "engine/packet.h"
#include "verifier/lab.h"

namespace iptsim::verifier {

// Whether any rule of the ruleset has -j TRACE.
bool HasTraceRule(const Ruleset& rs);

// The TRACE rules `iptsim verify` adds when the ruleset has none, so that
// the kernel prints something to compare:
//   raw PREROUTING, first rule:  -j TRACE                              (received packets)
//   raw OUTPUT, first rule:      -m owner --socket-exists -j TRACE     (local packets)
// (--socket-exists: only the packets a socket sent, not the replies the
// kernel itself generates - RST, ICMP errors - which iptsim does not
// simulate.)  They are `-I CHAIN 1` lines inserted before the COMMIT of the
// last *raw section, or a *raw section appended to the text; the lines
// before them keep their numbers.  Both the kernel and the simulation load
// the returned text, so rule numbers agree.
// *first_line / *count (if given): the 1-based line of the first added line
// and how many were added (0 when none), to map a line of the result back to
// the user's file.
std::string AddTraceRules(std::string_view text, bool prerouting, bool output,
                          uint32_t* first_line = nullptr, uint32_t* count = nullptr);

// The lab of a host model (`iptsim verify --host FILE`, engine/host.h): its
// interfaces but lo (name, MACs, addresses but IPv6 link-local ones, which
// the kernel makes itself, MTU other than 1500, tun), the
// routes of the native file's `route` lines as written (of a JSON file: the
// routes of the main table that the kernel did not add for an address,
// rebuilt as `ip route add` arguments), forwarding and the sysctls.
LabSpec LabSpecFromHost(const HostModel& host);

// The lab `iptsim verify` builds without --host: the interfaces the packets
// name (CompleteLabSpec), plus what makes the kernel take the path the
// simulation's -i/-o rule assumes (docs/packet-options.md):
//   -i X only (delivered locally): the destination is an address of X (/32, /128)
//   -i X -o Y (forwarded): forwarding on, a route to the destination via Y
//   -o Y only (locally generated): a route to the destination via Y
// Multicast, broadcast, loopback and unspecified destinations get nothing;
// the first packet decides when two want different things for one address.
// `notes` (if given) gets a line for each packet whose wish was overruled.
LabSpec PathLabSpec(const std::vector<Packet>& packets, std::vector<std::string>* notes = nullptr);

// nf_tables trace ids are random in the kernel (a hash of the skb's
// address); iptsim's are NftTraceId(n).  Replaces, in the kernel's lines of
// one packet, the i-th distinct trace id (in order of appearance in
// "PACKET: F ID " and " TRACE: F ID " lines) by the i-th distinct id of the
// simulation's lines of the same packet.  Ids without a counterpart stay.
// One of the two normalisations `iptsim verify` applies.
void MatchNftTraceIds(std::vector<std::string>* kernel, const std::vector<std::string>& sim);

// A locally generated IPv4 datagram with ID 0 (iptsim's default) gets an ID
// from the kernel (ip_select_ident: hashed with a random per-boot key, so it
// differs run to run; IP_HDRINCL sockets too).  For such a packet, replaces
// in the kernel's lines the first " ID=N" (the IP ID; a later one is an ICMP
// error's inner header) by " ID=0", as iptsim prints it.  Nothing for other
// packets.  The other normalisation of `iptsim verify`.
void MatchGeneratedIpv4Id(const Packet& p, std::vector<std::string>* kernel);

// Fields the kernel fills at random in the ICMP errors it generates itself
// (REJECT replies, the stack's errors): the IPv4 ID of an ICMP error
// (ip_select_ident) and the IPv6 flow label of an ICMPv6 error (a keyed hash
// of the flow).  iptsim writes 0 for both; verify replaces them by '*' in
// the outer header (before '[') of such kernel-log lines, on both sides (as
// tests/differential.sh does).  The third normalisation.
void MaskIcmpErrorFields(std::vector<std::string>* lines);

// A unified diff (3 lines of context) from `a` to `b` with the headers
// "--- a_name" / "+++ b_name"; "" when they are equal.
std::string UnifiedDiff(const std::vector<std::string>& a, const std::vector<std::string>& b,
                        std::string_view a_name, std::string_view b_name, int context = 3);

}  // namespace iptsim::verifier
