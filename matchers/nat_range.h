// The option syntax of the NAT range (engine/nat_range.h) shared by DNAT,
// SNAT, MASQUERADE, REDIRECT and NETMAP: how iptables reads
// "--to-destination [ADDR[-ADDR]][:PORT[-PORT[/BASE]]]" and "--to-ports
// PORT[-PORT]" (libxt_NAT's parse_to / parse_ports) and how it prints them
// back (sprint_range); and NatTarget, the option handling those five
// targets have in common.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "engine/extension.h"
#include "engine/model.h"
#include "engine/nat_range.h"
#include "engine/netaddr.h"

namespace iptsim {

// Whether the rule's -p allows a port in a NAT range: iptables accepts tcp,
// udp, sctp, dccp and icmp, looking only at the number (a '!' is ignored),
// and only at a -p given before the option.
bool NatPortsAllowed(const IpHeaderMatch* ip);

// "PORT[-PORT[/BASE]]" (libxt_NAT parse_ports).  PORT may be a service
// name when it stands alone; the end of a range must be a number.  `ip` is
// the rule's header as parsed so far (for NatPortsAllowed).
Status ParseNatPorts(std::string_view arg, const IpHeaderMatch* ip, NatRange* r);

// "[ADDR[-ADDR]][:PORTS]", IPv6 addresses in brackets when a port follows
// (libxt_NAT parse_to).  Addresses are strict inet_pton literals.
Status ParseNatTo(std::string_view arg, Family f, const IpHeaderMatch* ip, NatRange* r);

// The range as iptables prints it: "ADDR[-ADDR]" ("[...]" for IPv6 with
// ports), ":PORT[-PORT][/BASE]"; with skip_colon the leading ':' of a
// ports-only range is dropped (--to-ports).
std::string FormatNatRange(const NatRange& r, Family f, bool skip_colon);

// Appends " --random", " --random-fully", " --persistent" as flagged.
void SaveNatFlags(std::string& out, uint32_t flags);

// A NAT target: option 0 of its ExtensionInfo is the range ("to-destination",
// "to-source", "to-ports", "to"), each given at most once; any further
// option is one of the flags SaveNatFlags prints ("random", "random-fully",
// "persistent").  A target says how it reads and prints the range and what
// it does to a packet (Apply).
class NatTarget : public Target {
 public:
  // range_required: option 0 must be given (DNAT, SNAT, NETMAP).
  NatTarget(const ExtensionInfo* info, bool range_required)
      : Target(info), range_required_(range_required) {}

  Status Parse(int option, bool invert, std::span<const Arg> args, const ParseContext& ctx) final;
  Status Finish(const ParseContext& ctx) final;
  void Save(std::string& out, const SaveContext& ctx) const final;

  const NatRange& range() const { return range_; }

  // The binding as an effect on `field` (kSrc or kDst): the range's
  // addresses when `addr_from_range` and the range has some, else an
  // address iptsim cannot know from the fields (MASQUERADE, REDIRECT, a
  // ports-only range, whose address stays but cannot be said so); its
  // ports when given.
  TargetEffect NatEffect(Field field, bool addr_from_range) const;

 protected:
  // Reads option 0's argument into range_.
  virtual Status ParseRange(std::string_view text, const ParseContext& ctx) = 0;
  // Option 0's value as iptables prints it; empty to leave the option out.
  virtual std::string FormatRange(Family f) const = 0;

  // The two range syntaxes of libxt_NAT, read into range_.
  Status ParseAddrsAndPorts(std::string_view text, const ParseContext& ctx);  // parse_to
  Status ParsePorts(std::string_view text, const ParseContext& ctx);          // parse_ports

  NatRange range_;

 private:
  bool range_required_;
  uint32_t seen_ = 0;  // bit i: option i was given
};

}  // namespace iptsim
