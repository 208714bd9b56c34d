#include "engine/ip_options.h"

#include <algorithm>

#include "base/bytes.h"
#include "base/checksum.h"
#include "engine/packet.h"

namespace iptsim {

void SetIpv4HeaderChecksum(std::vector<uint8_t>& b, size_t ihl) {
  b[10] = b[11] = 0;
  PutBe16(&b[10], ChecksumFinish(ChecksumAdd(0, b.data(), ihl)));
}

RxOptions CompileReceivedOptions(Packet& pkt, const std::optional<IpAddr>& spec_dst,
                                 const std::function<std::optional<bool>(const IpAddr&)>& unicast,
                                 bool accept_source_route) {
  RxOptions rx;
  if (pkt.family != Family::kIPv4) return rx;
  auto& b = pkt.bytes;
  if (b.size() < 20) return rx;
  const size_t ihl = (b[0] & 0x0f) * 4u;
  if (ihl <= 20 || ihl > b.size()) return rx;
  auto bad = [&](const char* why) {
    rx.drop = std::string("ip_options_compile: ") + why + " (an ICMP parameter problem, no delivery)";
    return rx;
  };
  // inet_current_timestamp: milliseconds since midnight UTC, of the arrival time (--time).
  const double t = pkt.time < 0 ? 0 : pkt.time;
  const uint32_t ms = static_cast<uint32_t>(static_cast<uint64_t>(t * 1000) % 86400000u);
  auto put = [&](size_t at, const uint8_t* v) { std::copy(v, v + 4, b.begin() + at); };
  const uint8_t now[4] = {static_cast<uint8_t>(ms >> 24), static_cast<uint8_t>(ms >> 16),
                          static_cast<uint8_t>(ms >> 8), static_cast<uint8_t>(ms)};
  bool seen_rr = false, seen_ts = false, srr = false;
  size_t i = 20;
  while (i < ihl) {
    const uint8_t type = b[i];
    if (type == 0) {  // end of options: what follows becomes END too
      for (size_t k = i + 1; k < ihl; ++k)
        if (b[k]) {
          b[k] = 0;
          rx.changed = true;
        }
      break;
    }
    if (type == 1) {
      ++i;
      continue;
    }
    if (ihl - i < 2) return bad("an option without its length");
    const size_t len = b[i + 1];
    if (len < 2 || len > ihl - i) return bad("an option length beyond the header");
    uint8_t* o = &b[i];
    switch (type) {
      case 7: {  // Record Route
        if (seen_rr) return bad("a second Record Route option");
        seen_rr = true;
        if (len < 3) return bad("a Record Route option too short");
        const size_t ptr = o[2];
        if (ptr < 4) return bad("a Record Route pointer below 4");
        if (ptr <= len) {
          if (ptr + 3 > len) return bad("a Record Route pointer without room for an address");
          if (spec_dst) {
            put(i + ptr - 1, spec_dst->b.data());
            rx.rr_slot = static_cast<int>(i + ptr - 1);
            o[2] = static_cast<uint8_t>(ptr + 4);
            rx.changed = true;
          }
        }
        break;
      }
      case 68: {  // Timestamp
        if (seen_ts) return bad("a second Timestamp option");
        seen_ts = true;
        if (len < 4) return bad("a Timestamp option too short");
        const size_t ptr = o[2];
        if (ptr < 5) return bad("a Timestamp pointer below 5");
        const uint8_t flags = o[3] & 0x0f;
        if (ptr <= len) {
          if (ptr + 3 > len) return bad("a Timestamp pointer without room");
          if (flags == 0) {  // timestamps only
            put(i + ptr - 1, now);
            o[2] = static_cast<uint8_t>(ptr + 4);
            rx.changed = true;
          } else if (flags == 1) {  // address and timestamp
            if (ptr + 7 > len) return bad("a Timestamp pointer without room for an address");
            if (spec_dst) {
              put(i + ptr - 1, spec_dst->b.data());
              put(i + ptr + 3, now);
              rx.ts_slot = static_cast<int>(i + ptr - 1);
              o[2] = static_cast<uint8_t>(ptr + 8);
              rx.changed = true;
            }
          } else if (flags == 3) {  // prespecified addresses
            if (ptr + 7 > len) return bad("a Timestamp pointer without room for an address");
            IpAddr a;
            std::copy(o + ptr - 1, o + ptr + 3, a.b.begin());
            std::optional<bool> uni = unicast ? unicast(a) : std::nullopt;
            if (uni && !*uni) {
              put(i + ptr + 3, now);
              o[2] = static_cast<uint8_t>(ptr + 8);
              rx.changed = true;
            }
          }
        } else if (flags != 3) {
          const unsigned overflow = o[3] >> 4;
          if (overflow == 15) return bad("a Timestamp overflow counter at 15");
          o[3] = static_cast<uint8_t>(flags | (overflow + 1) << 4);
          rx.changed = true;
        }
        break;
      }
      case 131:    // Loose Source Route
      case 137: {  // Strict Source Route
        if (len < 3) return bad("a source route option too short");
        if (o[2] < 4) return bad("a source route pointer below 4");
        if (srr) return bad("a second source route option");
        srr = true;
        break;
      }
      case 148:  // Router Alert
        if (len < 4) return bad("a Router Alert option too short");
        break;
      default:
        break;
    }
    i += len;
  }
  if (rx.changed) SetIpv4HeaderChecksum(b, ihl);
  if (srr && !accept_source_route)
    rx.drop = "a source route option, and accept_source_route is off (ip_rcv_options)";
  else if (srr)
    rx.unknown = "a source route option with accept_source_route on: iptsim does not follow source routes";
  return rx;
}

void ForwardOptions(Packet& pkt, const RxOptions& rx, const IpAddr& src) {
  if (rx.rr_slot < 0 && rx.ts_slot < 0) return;
  auto& b = pkt.bytes;
  const size_t ihl = (b[0] & 0x0f) * 4u;
  for (int slot : {rx.rr_slot, rx.ts_slot})
    if (slot >= 0 && static_cast<size_t>(slot) + 4 <= ihl)
      std::copy(src.b.begin(), src.b.begin() + 4, b.begin() + slot);
  SetIpv4HeaderChecksum(b, ihl);
}

}  // namespace iptsim
