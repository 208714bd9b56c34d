// libFuzzer target for the host model reader (--host FILE, both formats):
// any input either parses or gets diagnostics; nothing may crash, hang or
// trip a sanitizer.  A model that parses must be consistent (lo present,
// every route's device one of the interfaces) and answer the routing
// questions the simulator asks, for a few packets of both families.
#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <string>

#include "engine/routing.h"
#include "loader/host_file.h"
#include "engine/packet.h"

using namespace iptsim;

namespace {

Packet Make(Family f, const char* src, const char* dst, const char* in, const char* out) {
  Packet p;
  p.family = f;
  p.bytes.assign(f == Family::kIPv4 ? 28 : 48, 0);
  IpAddr s, d;
  ParseIpAddr(f, src, &s);
  ParseIpAddr(f, dst, &d);
  if (f == Family::kIPv4) {
    p.bytes[0] = 0x45;
    p.bytes[3] = 28;
    p.bytes[8] = 64;
    p.bytes[9] = 17;
    std::copy(s.b.begin(), s.b.begin() + 4, p.bytes.begin() + 12);
    std::copy(d.b.begin(), d.b.begin() + 4, p.bytes.begin() + 16);
  } else {
    p.bytes[0] = 0x60;
    p.bytes[5] = 8;
    p.bytes[6] = 17;
    p.bytes[7] = 64;
    std::copy(s.b.begin(), s.b.end(), p.bytes.begin() + 8);
    std::copy(d.b.begin(), d.b.end(), p.bytes.begin() + 24);
  }
  p.in = IfaceName(in);
  p.out = IfaceName(out);
  return p;
}

// The IPv4 options of a received packet (CompileReceivedOptions, then the
// forward rewrite): the input's first bytes as options.  The header length
// and checksum must stay consistent.
void FuzzOptions(const uint8_t* data, size_t size) {
  size_t n = std::min<size_t>(size, 40) & ~size_t{3};
  Packet p = Make(Family::kIPv4, "10.200.3.1", "10.200.3.2", "d0", "");
  p.bytes.insert(p.bytes.begin() + 20, data, data + n);
  p.bytes[0] = static_cast<uint8_t>(0x40 | (20 + n) / 4);
  p.bytes[3] = static_cast<uint8_t>(p.bytes.size());
  p.time = size * 1.5;
  IpAddr spec;
  ParseIpAddr(Family::kIPv4, "10.200.3.2", &spec);
  RxOptions rx = CompileReceivedOptions(
      p, spec, [&](const IpAddr& a) -> std::optional<bool> { return a.b[0] & 1; }, size & 1);
  ForwardOptions(p, rx, spec);
  if (p.bytes.size() != 28 + n || (p.bytes[0] & 0x0f) * 4u != 20 + n) abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  FuzzOptions(data, size);
  std::string text(reinterpret_cast<const char*>(data), size);
  HostModel h;
  DiagnosticSink diags;
  if (!ParseHostModel(text, "fuzz", &h, &diags)) {
    if (diags.error_count() == 0) abort();  // a failure always says why
    (void)diags.Format();
    return 0;
  }
  if (h.IfaceIndex("lo") < 0) abort();
  for (const HostRoute& r : h.routes)
    if (r.dev < -1 || r.dev >= static_cast<int>(h.ifaces.size())) abort();
  const char* names[] = {"lo", "d0", "e0", "eth0"};
  const char* v4[] = {"10.200.3.1", "10.200.3.2", "127.0.0.1", "255.255.255.255", "0.0.0.0",
                      "224.0.0.1", "8.8.8.8"};
  const char* v6[] = {"fd00:200:3::1", "::1", "ff02::1", "fe80::1", "2001:db8::1", "::"};
  const char* v4src[] = {"10.200.3.1", "127.0.0.1", "0.0.0.0"};
  const char* v6src[] = {"fd00:200:3::1", "fe80::1", "::"};
  for (const char* in : names)
    for (const char* s : v4src)
      for (const char* d : v4) {
        Packet p = Make(Family::kIPv4, s, d, in, "");
        if (h.IfaceIndex(in) >= 0) (void)RouteInput(h, p);
        Packet o = Make(Family::kIPv4, s, d, "", in);
        (void)RouteOutput(h, o, in);
        (void)RouteOutput(h, o, "");
        (void)RpfilterLookup(h, p, false, true, false);
        IpAddr a;
        ParseIpAddr(Family::kIPv4, d, &a);
        (void)h.AddrType4(a, h.IfaceIndex(in));
        if (const HostRoute* r = h.Lookup(Family::kIPv4, a)) (void)h.PreferredSource(*r, a);
      }
  for (const char* in : names)
    for (const char* s : v6src)
      for (const char* d : v6) {
        Packet p = Make(Family::kIPv6, s, d, in, "");
        if (h.IfaceIndex(in) >= 0) (void)RouteInput(h, p);
        Packet o = Make(Family::kIPv6, s, d, "", in);
        (void)RouteOutput(h, o, in);
        (void)RpfilterLookup(h, p, true, false, false);
        IpAddr a;
        ParseIpAddr(Family::kIPv6, d, &a);
        (void)h.AddrTypeBits6(a, h.IfaceIndex(in), 0xfff);
        if (const HostRoute* r = h.Lookup(Family::kIPv6, a)) (void)h.PreferredSource(*r, a);
      }
  return 0;
}
