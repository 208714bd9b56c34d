// Reads ipsets in `ipset save` format (as `ipset save > FILE` writes it, and
// `ipset restore` reads it): "create NAME TYPE [OPTIONS]" and "add NAME
// ELEMENT [OPTIONS]" lines; blank lines and '#' comments are skipped.
//
// Types: hash:ip hash:net hash:ip,port hash:net,port hash:ip,port,ip
// hash:ip,port,net hash:net,net hash:net,port,net hash:ip,mark hash:mac
// hash:ip,mac hash:net,iface bitmap:ip bitmap:ip,mac bitmap:port list:set.
// create options: family inet|inet6, netmask N (hash:ip, bitmap:ip),
// range FROM-TO|NET/CIDR (bitmap), markmask N (hash:ip,mark), counters,
// skbinfo; hashsize, maxelem, timeout, size, bucketsize, initval, comment,
// forceadd are accepted and have no effect here.
// add options: nomatch (types with a net dimension), packets N, bytes N
// (counters), skbmark V[/M] (skbinfo); timeout, comment, skbprio, skbqueue,
// before/after (list:set) are accepted and ignored (timeouts: the file is a
// snapshot, every listed element is present).
// Elements: ADDR, ADDR/CIDR and FROM-TO (hash:ip and bitmap:ip expand them to
// addresses, the net types to the prefixes that cover the range),
// [PROTO:]PORT[-PORT] (PROTO tcp by default; udp, udplite, sctp, icmp:TYPE/CODE
// or an icmp name, icmpv6:TYPE/CODE, or any protocol with port 0), MAC,
// MARK, [physdev:]IFACE, and set names for list:set, joined by ','.
#pragma once

#include <string_view>

#include "engine/ipset.h"
#include "base/diagnostics.h"

namespace iptsim {

// How much one "add" may expand to (a range or net of hash:ip, a port
// range) and how many elements all sets may hold; more is an error.
struct IpsetLimits {
  size_t max_expand = 65536;
  size_t max_elements = 1000000;
};

// Parses `text` (named `file` in messages) into `db` (sets already there
// stay; a second create of a name is an error).  Every error goes to
// `diags` as file:line:col; returns false when there was one.
bool ParseIpsetSave(std::string_view text, const std::string& file, IpsetDb* db,
                    DiagnosticSink* diags, const IpsetLimits& limits = {});

}  // namespace iptsim
