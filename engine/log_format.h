// The kernel's text dumps of a packet, byte for byte:
//  - nf_log_syslog (net/netfilter/nf_log_syslog.c), shared by the LOG target
//    and legacy TRACE: "IN=.. OUT=.. [PHYSIN=.. ][PHYSOUT=.. ][MAC=.. ]SRC=.."
//    for IPv4 (dump_ipv4_packet) and IPv6 (dump_ipv6_packet),
//    docs/kernel-trace.md §1.2, §5 and §6;
//  - the PACKET line of xtables-monitor --trace (iptables 1.8.9), §4.
// The dumps read Packet::bytes the way the kernel reads the skb: offsets are
// checked against the whole datagram (skb->len), so a truncated header gives
// the kernel's INCOMPLETE/TRUNCATED text and an embedded packet may read into
// bytes after its own end, as in the kernel.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/packet.h"

namespace iptsim {

// nf_log flags (NF_LOG_* in include/uapi/linux/netfilter/nf_log.h; the LOG
// target's --log-tcp-sequence, --log-tcp-options, --log-ip-options,
// --log-uid, --log-macdecode).
namespace logflag {
constexpr uint8_t kTcpSeq = 0x01;
constexpr uint8_t kTcpOpt = 0x02;
constexpr uint8_t kIpOpt = 0x04;
constexpr uint8_t kUid = 0x08;
constexpr uint8_t kMacDecode = 0x20;
// NF_LOG_DEFAULT_MASK: the flags of TRACE's nf_loginfo (docs/kernel-trace.md §1.1).
constexpr uint8_t kTrace = kTcpSeq | kTcpOpt | kIpOpt | kUid;
}  // namespace logflag

// The packet text that follows the log prefix: "IN=... OUT=... ...", every
// item followed by one space except where the kernel stops early (IPv4
// "OPT (TRUNCATED)", IPv6 "OPT ( ESP SPI=.. )", ext header after a later
// fragment).  Not cut to the kernel's buffer size (see FormatLogLine).
//
// Device facts the Packet does not carry are derived: the input device is
// Ethernet when mac_len is 14, except "lo" (ARPHRD_LOOPBACK: always the raw
// MAC= dump); mac_len 0 is a device without a hard header ("MAC= ", tun).
std::string FormatLogPacket(const Packet& p, uint8_t logflags);

// What the kernel log shows for one LOG/TRACE call: `prefix` (cut to 127
// characters, nf_log's 128-byte prefix buffer) immediately followed by the
// packet text, the whole cut to the 1016 characters nf_log_buf_add leaves
// visible (S_SIZE 1019 with its terminating NUL, minus the 2 bytes of
// KERN_SOH and the level digit).  No trailing newline.
std::string FormatLogLine(std::string_view prefix, const Packet& p, uint8_t logflags);

// "TRACE: <table>:<chain>:<comment>:<rulenum> " (ipt_do_table's trace_packet).
std::string TracePrefix(std::string_view table, std::string_view chain, std::string_view comment,
                        uint32_t rulenum);
// A whole legacy TRACE line: TracePrefix + the dump with logflag::kTrace.
std::string FormatTraceLine(std::string_view table, std::string_view chain,
                            std::string_view comment, uint32_t rulenum, const Packet& p);

// xtables-monitor 1.8.9's "PACKET: <family> <id> ..." line (docs/kernel-trace.md
// §4), without the newline; ends with a space.  `trace_id` is the nft
// trace id (printed %08x).  Verified against the captures: IN/OUT, the MAC
// part (ether_ntoa, no zero padding), IPv4 SRC..ID, DF, ports, TCP flags,
// MARK, and the IPv6 fields with its LEN bug (payload length + 20).  The
// CE/MF/FRAG/OPT items and IPv6 ports follow the program's code and are not
// seen in a capture (the one IPv6 capture is ICMPv6).
std::string FormatXtablesMonitorPacket(const Packet& p, uint32_t trace_id);

}  // namespace iptsim
