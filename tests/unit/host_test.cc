// The host model (engine/host.h): both file formats, their errors, the
// routing lookups and the path decisions.  The expectations are the
// kernel's: the JSON sample and the `ip route get` answers below were
// captured in a network namespace set up as the lab (d0 10.200.3.2/24
// fd00:200:3::2/64, e0 10.200.4.2/24 fd00:200:4::2/64, forwarding on,
// 198.51.100.0/24 via 10.200.4.1 metric 5, blackhole 203.0.113.0/24,
// default via 10.200.4.1, IPv6 default via fd00:200:4::1 and unreachable
// 2001:db8::/32); the path decisions are those of the kernel-captured
// scenarios corpus/scenarios/path-route-* and v6-route-*.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "engine/eval.h"
#include "engine/routing.h"
#include "engine/run_settings.h"
#include "loader/host_file.h"
#include "engine/packet_builder.h"
#include "engine/simulator.h"
#include "loader/loader.h"
#include "loader/packet_spec.h"
#include "engine/extension.h"
#include "tests/unit/test_util.h"

using namespace iptsim;
using iptsim::testing::PacketFromText;

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

HostModel Parse(const std::string& text) {
  HostModel h;
  DiagnosticSink diags;
  bool ok = ParseHostModel(text, "h", &h, &diags);
  INFO(diags.Format());
  REQUIRE(ok);
  return h;
}

// The whole error output for a bad host file.
std::string Errors(const std::string& text) {
  HostModel h;
  DiagnosticSink diags;
  bool ok = ParseHostModel(text, "h", &h, &diags);
  CHECK(!ok);
  return diags.Format();
}

IpAddr A(const char* s) {
  IpAddr a;
  Family f = std::string(s).find(':') != std::string::npos ? Family::kIPv6 : Family::kIPv4;
  REQUIRE(ParseIpAddr(f, s, &a));
  return a;
}

// "TYPE DST/LEN [via GW] [dev D] [src S]" of a lookup, as `ip route get` shows it.
std::string Get(const HostModel& h, const char* dst, const char* oif = nullptr) {
  Family f = std::string(dst).find(':') != std::string::npos ? Family::kIPv6 : Family::kIPv4;
  const HostRoute* r = h.Lookup(f, A(dst), oif ? h.IfaceIndex(oif) : -1);
  if (!r) return "none";
  std::string s = std::string(RouteTypeName(r->type));
  if (r->via) s += " via " + FormatIpAddr(f, *r->via);
  if (r->dev >= 0) s += " dev " + h.ifaces[r->dev].name;
  if (r->type == RouteType::kUnicast || r->type == RouteType::kLocal) {
    std::optional<IpAddr> src = h.PreferredSource(*r, A(dst));
    if (src) s += " src " + FormatIpAddr(f, *src);
  }
  return s;
}

const char* kLab =
    "iface d0,addr=10.200.3.2/24,addr=fd00:200:3::2/64\n"
    "iface e0,addr=10.200.4.2/24,addr=fd00:200:4::2/64\n"
    "forward\n"
    "route 198.51.100.0/24 via 10.200.4.1 dev e0 metric 5\n"
    "route blackhole 203.0.113.0/24\n"
    "route default via 10.200.4.1\n"
    "route default via fd00:200:4::1 dev e0\n"
    "route unreachable 2001:db8::/32\n";

using RouteKey = std::tuple<int, uint32_t, int, std::string, int, std::string, std::string, uint32_t>;
std::set<RouteKey> Keys(const HostModel& h) {
  std::set<RouteKey> out;
  for (const HostRoute& r : h.routes) {
    // Link-local addresses are made from the MAC: only `ip -j` knows them.
    if (r.family == Family::kIPv6 && r.type == RouteType::kLocal && r.dst.b[0] == 0xfe) continue;
    out.insert({static_cast<int>(r.family), r.table, static_cast<int>(r.type),
                FormatIpAddr(r.family, r.dst), r.prefix_len, r.dev >= 0 ? h.ifaces[r.dev].name : "",
                r.via ? FormatIpAddr(r.family, *r.via) : "", r.metric});
  }
  return out;
}

}  // namespace

TEST_CASE("host: JSON from ip -j (captured in a namespace)", "[host]") {
  HostModel h = Parse(ReadFile(std::string(IPTSIM_SOURCE_DIR) + "/tests/data/host/netns-router.json"));
  REQUIRE(h.ifaces.size() == 3);
  CHECK(h.ifaces[0].name == "lo");
  CHECK(h.ifaces[0].loopback);
  CHECK(h.ifaces[1].name == "d0");
  CHECK(h.ifaces[1].ifindex == 2);
  CHECK(h.ifaces[1].mac.has_value());
  CHECK(h.forward4);
  CHECK(!h.forward6);
  CHECK(h.IsLocalAddress(Family::kIPv4, A("10.200.4.2")));
  CHECK(h.IsLocalAddress(Family::kIPv6, A("fd00:200:3::2")));
  CHECK(!h.IsLocalAddress(Family::kIPv4, A("10.200.4.1")));
  // `ip route get` in the namespace:
  CHECK(Get(h, "198.51.100.7") == "unicast via 10.200.4.1 dev e0 src 10.200.4.2");
  CHECK(Get(h, "203.0.113.9") == "blackhole");  // RTNETLINK answers: Invalid argument
  CHECK(Get(h, "10.200.3.77") == "unicast dev d0 src 10.200.3.2");
  CHECK(Get(h, "8.8.8.8") == "unicast via 10.200.4.1 dev e0 src 10.200.4.2");
  CHECK(Get(h, "10.200.4.2") == "local dev e0 src 10.200.4.2");  // local ... dev lo
  CHECK(Get(h, "127.0.0.5") == "local dev lo src 127.0.0.1");
  CHECK(Get(h, "10.200.3.255") == "broadcast dev d0");
  CHECK(Get(h, "fd00:200:3::9") == "unicast dev d0 src fd00:200:3::2");
  CHECK(Get(h, "2001:db8::1") == "unreachable dev lo");  // No route to host
  CHECK(Get(h, "2001:db9::1") == "unicast via fd00:200:4::1 dev e0 src fd00:200:4::2");
  CHECK(Get(h, "fd00:200:4::2") == "local dev e0 src fd00:200:4::2");
  // With a bound device (ip route get ... oif X): IPv4 keeps routes through X.
  CHECK(Get(h, "10.200.3.2", "d0") == "local dev d0 src 10.200.3.2");
  CHECK(Get(h, "10.200.3.2", "e0") == "unicast via 10.200.4.1 dev e0 src 10.200.4.2");
}

TEST_CASE("host: the native format gives the kernel's own routes", "[host]") {
  HostModel native = Parse(kLab);
  HostModel json = Parse(ReadFile(std::string(IPTSIM_SOURCE_DIR) + "/tests/data/host/netns-router.json"));
  // Every route the kernel listed (ip -j route show table all), and no other.
  std::set<RouteKey> a = Keys(native), b = Keys(json);
  std::vector<RouteKey> only_native, only_kernel;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(only_native));
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(only_kernel));
  CHECK(only_native.empty());
  CHECK(only_kernel.empty());
  CHECK(native.forward4);
  CHECK(native.forward6);
  REQUIRE(native.ifaces.size() == 3);
  CHECK(native.ifaces[0].name == "lo");
  CHECK(native.ifaces[0].addrs.size() == 2);  // 127.0.0.1/8, ::1/128
}

TEST_CASE("host: native directives", "[host]") {
  HostModel h = Parse(
      "# comment\n"
      "iface t0,addr=192.0.2.1/30,tun,mtu=1400   # a tun device\n"
      "iface w0,mac=02:00:00:00:00:09,peer=02:00:00:00:00:0a\n"
      "sysctl net.ipv4.conf.all.rp_filter=2\n"
      "sysctl net/ipv4/conf/w0/accept_local=1\n"
      "settle 300\nfamily 4\nnodefault\n"
      "route local 198.51.100.9 dev w0\n"
      "route 10.0.0.0/8 via 192.0.2.2 src 192.0.2.1\n"
      "forward off\n");
  const HostIface* t0 = h.FindIface("t0");
  REQUIRE(t0);
  CHECK(t0->tun);
  CHECK(t0->mtu == 1400);
  CHECK(!t0->mac);
  CHECK(h.FindIface("w0")->mac.has_value());
  CHECK(h.RpFilter("w0") == 2);
  CHECK(h.AcceptLocal("w0"));
  CHECK(!h.AcceptLocal("t0"));
  CHECK(!h.forward4);
  CHECK(Get(h, "198.51.100.9") == "local dev w0 src 198.51.100.9");  // table local
  CHECK(Get(h, "10.1.2.3") == "unicast via 192.0.2.2 dev t0 src 192.0.2.1");
  CHECK(Get(h, "192.0.2.3") == "broadcast dev t0");
  // The lab settings, for the verifier.
  CHECK(h.lab_routes == std::vector<std::string>{"local 198.51.100.9 dev w0",
                                                 "10.0.0.0/8 via 192.0.2.2 src 192.0.2.1"});
  CHECK(h.settle_ms == 300);
  CHECK(h.lab_family == 4);
  CHECK(h.nodefault);
}

TEST_CASE("host: errors", "[host]") {
  CHECK(Errors("iface d0\niface d0\n") ==
        "h:2:7: error: iface: duplicate interface 'd0' (first declared on line 1)\n"
        "iface d0\n"
        "      ^~\n"
        "1 error\n");
  CHECK(Errors("iface d0,addr=10.0.0.1/24\nroute 10.1.0.0/16 via 10.9.9.9\n") ==
        "h:2:23: error: route: gateway '10.9.9.9' is not on a connected network (the kernel "
        "refuses it: Nexthop has invalid gateway)\n"
        "route 10.1.0.0/16 via 10.9.9.9\n"
        "                      ^~~~~~~~\n"
        "1 error\n");
  CHECK(Errors("iface e0\nroute 10.1.0.0/16 dev e1\n") ==
        "h:2:23: error: route: unknown interface 'e1' (did you mean 'e0'?)\n"
        "route 10.1.0.0/16 dev e1\n"
        "                      ^~\n"
        "1 error\n");
  CHECK(Errors("iface d0,addr=10.0.0.300/24\n") ==
        "h:1:15: error: iface: invalid address '10.0.0.300'\n"
        "iface d0,addr=10.0.0.300/24\n"
        "              ^~~~~~~~~~~~~\n"
        "1 error\n");
  CHECK(Errors("frward\n") ==
        "h:1:1: error: unknown directive 'frward' (did you mean 'forward'?)\n"
        "frward\n"
        "^~~~~~\n"
        "1 error\n");
  CHECK(Errors("{\"addr\": [], \"rout\": []}") ==
        "h:1:14: error: unknown member 'rout' (did you mean 'route'?)\n"
        "{\"addr\": [], \"rout\": []}\n"
        "             ^~~~~~\n"
        "1 error\n");
  CHECK(Errors("{\"addr\": [{\"ifname\":\"e0\"}],\n \"route\": [{\"dst\":\"1.2.3.0/24\",\"dev\":\"e9\"}]}") ==
        "h:2:38: error: route: unknown interface 'e9' (not in \"addr\")\n"
        " \"route\": [{\"dst\":\"1.2.3.0/24\",\"dev\":\"e9\"}]}\n"
        "                                     ^~~~\n"
        "1 error\n");
  CHECK(Errors("{\"addr\": [ {\"ifname\": \"e0\"}, ]}") ==
        "h:1:30: error: JSON: unexpected character ']'\n"
        "{\"addr\": [ {\"ifname\": \"e0\"}, ]}\n"
        "                             ^\n"
        "1 error\n");
  // What `ip` itself refuses, with the kernel's reason.
  CHECK(Errors("iface e0,addr=10.0.0.1/24\nroute 10.0.0.0/24 dev e0\n").find(
            "exists already (the kernel's route for an address) (the kernel refuses it: File exists)") !=
        std::string::npos);
  CHECK(Errors("iface e0,addr=10.0.0.1/24\nroute 10.1.0.1/16 dev e0\n").find("has host bits set") !=
        std::string::npos);
  CHECK(Errors("iface e0,addr=10.0.0.1/24\nroute 10.1.0.0/16 via 10.0.0.1\n")
            .find("is an address of this host") != std::string::npos);
  CHECK(Errors("iface e0,addr=10.0.0.1/24\nroute 10.1.0.0/16 dev e0 src 10.0.0.9\n")
            .find("Invalid prefsrc address") != std::string::npos);
  CHECK(Errors("iface lo\n").find("'lo' is always present") != std::string::npos);
  CHECK(Errors("iface t0,tun,mac=02:00:00:00:00:01\n").find("a tun device has no MAC") !=
        std::string::npos);
}

// A JSON string with a lone UTF-16 surrogate is refused where it is written
// (it used to become an interface name that is not UTF-8).
TEST_CASE("host: a lone surrogate in a JSON string", "[host]") {
  CHECK(Errors("{\"addr\": [{\"ifname\": \"e\\uD83D\\u0041\"}]}") ==
        "h:1:24: error: JSON: a lone UTF-16 surrogate \\uD83D (a high surrogate must be followed "
        "by the \\u escape of a low one)\n"
        "{\"addr\": [{\"ifname\": \"e\\uD83D\\u0041\"}]}\n"
        "                       ^\n"
        "1 error\n");
  HostModel h = Parse("{\"addr\": [{\"ifname\": \"e\\u0041\"}]}");
  CHECK(h.IfaceIndex("eA") >= 0);
}

// The addresses keep the syntax the host files always had: IPv6 is
// inet_pton's (no "%scope", which Boost.Asio's reader would take), IPv4
// iptables' dotted quad (an octal part, which inet_pton refuses).
TEST_CASE("host: address syntax", "[host]") {
  CHECK(Errors("iface d0,addr=fe80::1%d0/64\n").find("h:1:15: error: iface: invalid address "
                                                      "'fe80::1%d0'") == 0);
  CHECK(Errors("iface d0,addr=fd00::1/0129\n").find("invalid prefix length '0129' (0-128)") !=
        std::string::npos);
  CHECK(Errors("{\"addr\": [{\"ifname\": \"e0\", \"addr_info\": [{\"family\": \"inet6\", "
               "\"local\": \"fe80::1%2\", \"prefixlen\": 64}]}]}")
            .find("invalid IPv6 address 'fe80::1%2'") != std::string::npos);
  HostModel h = Parse("iface d0,addr=010.0.0.1/24,addr=fd00::0:1/0064\nroute fd00:1::/48 via fd00::2\n");
  REQUIRE(h.ifaces[1].addrs.size() == 2);
  CHECK(h.ifaces[1].addrs[0].addr == A("8.0.0.1"));
  CHECK(h.ifaces[1].addrs[1].addr == A("fd00::1"));
  CHECK(h.ifaces[1].addrs[1].prefix_len == 64);
  CHECK(Get(h, "fd00:1::5") == "unicast via fd00::2 dev d0 src fd00::1");
}

TEST_CASE("host: an empty native file is a host with lo only", "[host]") {
  HostModel h;
  DiagnosticSink diags;
  CHECK(ParseHostModel("# nothing\n", "h", &h, &diags));
  CHECK(h.ifaces.size() == 1);
  CHECK(Get(h, "127.0.0.1") == "local dev lo src 127.0.0.1");
  CHECK(Get(h, "10.0.0.1") == "none");
}

TEST_CASE("host: input routing (scenarios path-route-*)", "[host]") {
  HostModel plain = Parse(
      "iface d0,addr=10.200.3.2/24,addr=fd00:200:3::2/64\n"
      "iface e0,addr=10.200.4.2/24,addr=fd00:200:4::2/64\n");
  auto in = [&](const HostModel& h, const std::string& p, Family f = Family::kIPv4) {
    InputDecision d = RouteInput(h, PacketFromText(p, f));
    return d.route == InputRoute::kLocal     ? std::string("local")
           : d.route == InputRoute::kForward ? "forward " + d.out
                                             : "drop: " + d.why;
  };
  CHECK(in(plain, "-i d0 -s 10.200.3.1 -d 10.200.4.2") == "local");
  CHECK(in(plain, "-i d0 -s 10.200.3.1 -d 10.200.3.255") == "local");
  CHECK(in(plain, "-i d0 -s 10.200.3.1 -d 255.255.255.255") == "local");
  CHECK(in(plain, "-i d0 -s 10.200.4.2 -d 10.200.3.2") ==
        "drop: martian source 10.200.4.2 (an address of this host)");
  CHECK(in(plain, "-i d0 -s 10.200.3.1 -d 127.0.0.1").rfind("drop: martian destination", 0) == 0);
  CHECK(in(plain, "-i d0 -s 0.0.0.0 -d 10.200.3.2").rfind("drop: martian source", 0) == 0);
  CHECK(in(plain, "-i d0 -s 10.200.3.1 -d 10.200.3.7").rfind("drop: not a local address", 0) == 0);
  HostModel fw = Parse(kLab);
  CHECK(in(fw, "-i d0 -s 10.200.3.1 -d 198.51.100.7") == "forward e0");
  CHECK(in(fw, "-i d0 -s 10.200.3.1 -d 10.200.3.7") == "forward d0");
  CHECK(in(fw, "-i d0 -s 10.200.3.1 -d 203.0.113.5") == "drop: a blackhole route");
  CHECK(in(fw, "-i d0 -s fd00:200:3::1 -d 2001:db8::5", Family::kIPv6) == "drop: an unreachable route");
  CHECK(in(fw, "-i d0 -s fd00:200:3::1 -d 2001:db9::5", Family::kIPv6) == "forward e0");
  CHECK(in(plain, "-i d0 -s fd00:200:3::1 -d 2001:db9::5", Family::kIPv6) == "drop: no route to 2001:db9::5");
  // IPv6 has no martian check on a local source (v6-rpfilter-addrtype-host).
  CHECK(in(plain, "-i d0 -s fd00:200:4::2 -d fd00:200:3::2", Family::kIPv6) == "local");
  // rp_filter (path-route-rpfilter-strict / -loose, path-route-accept-local).
  HostModel strict = Parse(std::string(kLab) + "sysctl net.ipv4.conf.all.rp_filter=1\n");
  CHECK(in(strict, "-i d0 -s 10.200.4.1 -d 10.200.3.2").rfind("drop: rp_filter=1", 0) == 0);
  CHECK(in(strict, "-i d0 -s 10.200.3.1 -d 10.200.3.2") == "local");
  HostModel loose = Parse(std::string(kLab) + "sysctl net.ipv4.conf.all.rp_filter=2\n");
  CHECK(in(loose, "-i d0 -s 10.200.4.1 -d 10.200.3.2") == "local");
  HostModel al = Parse(std::string(kLab) + "sysctl net.ipv4.conf.all.accept_local=1\n");
  CHECK(in(al, "-i d0 -s 10.200.4.2 -d 10.200.3.2") == "local");
}

TEST_CASE("host: output routing (scenarios path-route-output, v6-route-output)", "[host]") {
  HostModel h = Parse(
      "iface d0,addr=10.200.3.2/24,addr=fd00:200:3::2/64\n"
      "iface e0,addr=10.200.4.2/24,addr=fd00:200:4::2/64\n");
  auto out = [&](const std::string& p, const char* oif, Family f = Family::kIPv4) {
    OutputDecision d = RouteOutput(h, PacketFromText(p, f), oif);
    if (!d.ok) return "error: " + d.error;
    return std::string(d.loopback ? "loopback " : "out ") + d.out;
  };
  CHECK(out("-s 10.200.4.2 -d 10.200.4.1", "") == "out e0");
  CHECK(out("-s 10.200.3.2 -d 10.200.4.2", "d0") == "out d0");
  CHECK(out("-s 10.200.3.2 -d 10.200.4.1", "lo") == "loopback lo");
  CHECK(out("-s 10.200.3.2 -d 10.200.3.2", "d0") == "loopback lo");
  CHECK(out("-s 10.200.3.2 -d 10.200.3.2", "") == "loopback lo");
  CHECK(out("-s 10.200.3.2 -d 127.0.0.9", "") == "loopback lo");
  CHECK(out("-s 10.200.3.2 -d 8.8.8.8", "e0") == "out e0");  // assumed on-link
  CHECK(out("-s 10.200.3.2 -d 8.8.8.8", "").rfind("error: no route to 8.8.8.8", 0) == 0);
  CHECK(out("-s 10.200.3.2 -d 10.200.3.255", "").find("SO_BROADCAST") != std::string::npos);
  CHECK(out("-s fd00:200:3::2 -d fd00:200:3::2", "d0", Family::kIPv6) == "loopback lo");
  CHECK(out("-s fd00:200:3::2 -d fd00:200:4::2", "", Family::kIPv6) == "loopback lo");
  CHECK(out("-s fd00:200:3::2 -d ::1", "", Family::kIPv6) == "loopback lo");
  // IPv6 keeps a bound device strict: Network is unreachable.
  CHECK(out("-s fd00:200:3::2 -d fd00:200:3::2", "lo", Family::kIPv6).rfind("error: no route", 0) == 0);
  CHECK(out("-s fd00:200:3::2 -d fd00:200:3::2", "e0", Family::kIPv6).rfind("error: no route", 0) == 0);
  CHECK(out("-s 10.200.3.2 -d 10.200.4.1", "x9").rfind("error: -o x9 is not an interface", 0) == 0);
}

namespace {
// The options of a received packet after CompileReceivedOptions, as the
// kernel's OPT (...) shows them, or "drop".
std::string Options(const std::string& hex, double time = 0,
                    std::optional<IpAddr> spec = A("10.200.3.2"), bool prespec_unicast = true) {
  Packet p = PacketFromText("-i d0 -s 10.200.3.1 -d 10.200.3.2 --ip-option-hex " + hex + " -p udp");
  p.time = time;
  RxOptions rx = CompileReceivedOptions(
      p, spec, [&](const IpAddr&) -> std::optional<bool> { return prespec_unicast; }, false);
  if (!rx.drop.empty()) return "drop";
  std::string out;
  char buf[3];
  for (size_t i = 20; i < (p.bytes[0] & 0x0fu) * 4u; ++i) {
    snprintf(buf, sizeof buf, "%02X", p.bytes[i]);
    out += buf;
  }
  return out;
}
}  // namespace

// What the kernel printed in filter:INPUT for these options (scenarios
// ip-options and ip-options-host).
TEST_CASE("host: IPv4 options of a received packet", "[host]") {
  CHECK(Options("0707040102030400") == "0707080AC8030200");  // Record Route filled
  CHECK(Options("0707080000000000") == "0707080000000000");  // full
  CHECK(Options("0707030000000000") == "drop");              // pointer < 4
  CHECK(Options("0707060000000000") == "drop");              // no room for an address
  CHECK(Options("4408090000000000") == "4408091000000000");  // full timestamp: overflow + 1
  CHECK(Options("440809F000000000") == "drop");              // overflow at 15
  CHECK(Options("440C0503C000020100000000") == "440C0503C000020100000000");  // prespec, not ours
  // Address and timestamp, with the kernel's clock at 18:00:39.782 UTC.
  CHECK(Options("440C050100000000000000000000", 64839.782) == "440C0D010AC8030203DD606600000000");
  CHECK(Options("94040000") == "94040000");  // Router Alert
  CHECK(Options("01010101") == "01010101");
  // Forwarded without a host: no spec_dst, Record Route stays as received.
  CHECK(Options("0707040102030400", 0, std::nullopt) == "0707040102030400");
  Packet p =
      PacketFromText("-i d0 -s 10.200.3.1 -d 10.200.4.1 --ip-option-hex 0707040000000000 -p udp");
  RxOptions rx = CompileReceivedOptions(p, A("10.200.3.2"), nullptr, false);
  ForwardOptions(p, rx, A("10.200.4.2"));  // path-route-forward's POSTROUTING line
  CHECK(std::vector<uint8_t>(p.bytes.begin() + 20, p.bytes.begin() + 28) ==
        std::vector<uint8_t>{0x07, 0x07, 0x08, 0x0a, 0xc8, 0x04, 0x02, 0x00});
}

TEST_CASE("host: the simulator routes with --host (path decisions)", "[host]") {
  LoadOptions lo;
  LoadResult r = LoadRuleset(
      "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n"
      "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n",
      "t", lo);
  REQUIRE(r.ok());
  HostModel h = Parse(kLab);
  SimulatorOptions so;
  so.host = &h;
  Simulator sim(r.ruleset, so);
  auto run = [&](const std::string& p) {
    Packet pkt = PacketFromText(p);
    RunResult res = sim.Run(pkt, nullptr);
    if (!res.error.empty()) return "error: " + res.error;
    return std::string(PacketPathName(res.path)) + " " + std::string(VerdictName(res.sim.verdict)) +
           " out=" + std::string(pkt.out.view());
  };
  CHECK(run("-i d0 -s 10.200.3.1 -d 10.200.3.2") == "local-in ACCEPT out=");
  CHECK(run("-i d0 -s 10.200.3.1 -d 198.51.100.7") == "forward ACCEPT out=e0");
  CHECK(run("-i d0 -s 10.200.3.1 -d 203.0.113.7") == "local-in DROP out=");
  CHECK(run("-i d0 -o d0 -s 10.200.3.1 -d 198.51.100.7") ==
        "error: routing forwards the packet out e0 (route to 198.51.100.7), but the packet says -o d0");
  CHECK(run("-s 10.200.4.2 -d 10.200.4.1") == "local-out ACCEPT out=e0");
  CHECK(run("-s 10.200.4.2 -d 10.200.4.2") == "loopback ACCEPT out=");
  // Source 0.0.0.0: the route's source (path-route-source-zero).
  Packet zero = PacketFromText("-s 0.0.0.0 -d 10.200.4.1");
  sim.Run(zero, nullptr);
  CHECK(std::vector<uint8_t>(zero.bytes.begin() + 12, zero.bytes.begin() + 16) ==
        std::vector<uint8_t>{10, 200, 4, 2});
  // Without a host: -o lo loops back, everything else as before.
  Simulator bare(r.ruleset, SimulatorOptions{});
  Packet pkt = PacketFromText("-o lo -s 10.200.3.2 -d 10.200.3.2");
  RunResult res = bare.Run(pkt, nullptr);
  CHECK(res.path == PacketPath::kLoopback);
  CHECK(pkt.in == std::string_view("lo"));
  CHECK(pkt.mac_len == 14);
}

// addrtype and rpfilter on the host model: the results the kernel gave in
// corpus/scenarios/match-rpfilter-addrtype-host and v6-rpfilter-addrtype-host.
namespace {
Tri EvalHost(const HostModel& h, const std::string& rule, const std::string& pkt,
             Family f = Family::kIPv4) {
  LoadOptions opts;
  opts.family = f;
  LoadResult r = LoadRuleset("*mangle\n-A PREROUTING " + rule + "\nCOMMIT\n", "t", opts);
  INFO(rule);
  REQUIRE(r.ok());
  const Rule& ru = r.ruleset.tables.at(0).chains.at(0).rules.at(0);
  Packet p = PacketFromText(pkt, f);
  PacketView v = PacketView::Of(p);
  EvalContext ctx;
  ctx.family = f;
  ctx.hook = Hook::kPreRouting;
  ctx.table = TableId::kMangle;
  RunSettings settings;
  settings.host = &h;
  ctx.settings = &settings;
  return ru.matches[ru.matches.size() - 1]->Evaluate(v, ctx);
}
}  // namespace

TEST_CASE("host: addrtype and rpfilter with --host", "[host]") {
  HostModel h = Parse(
      "iface d0,addr=10.200.3.2/24,addr=fd00:200:3::2/64\n"
      "iface e0,addr=10.200.4.2/24,addr=fd00:200:4::2/64\n"
      "forward\nroute 198.51.100.0/24 via 10.200.4.1 dev e0\nroute blackhole 203.0.113.0/24\n"
      "route 2001:db8:1::/48 via fd00:200:4::1\nroute unreachable 2001:db8:2::/48\n");
  const Tri T = Tri::kTrue, F = Tri::kFalse;
  const std::string p1 = "-i d0 -s 10.200.3.1 -d 10.200.3.2";
  CHECK(EvalHost(h, "-m rpfilter", p1) == T);
  CHECK(EvalHost(h, "-m rpfilter --invert", p1) == F);
  CHECK(EvalHost(h, "-m addrtype --dst-type LOCAL", p1) == T);
  CHECK(EvalHost(h, "-m addrtype --src-type LOCAL", p1) == F);
  CHECK(EvalHost(h, "-m addrtype --dst-type LOCAL --limit-iface-in", p1) == T);
  const std::string p2 = "-i d0 -s 10.200.4.1 -d 10.200.3.2";
  CHECK(EvalHost(h, "-m rpfilter", p2) == F);
  CHECK(EvalHost(h, "-m rpfilter --loose", p2) == T);
  const std::string p3 = "-i d0 -s 10.200.4.2 -d 10.200.4.2";
  CHECK(EvalHost(h, "-m rpfilter --accept-local", p3) == F);  // the local route is e0's
  CHECK(EvalHost(h, "-m addrtype --src-type LOCAL", p3) == T);
  CHECK(EvalHost(h, "-m addrtype --dst-type LOCAL --limit-iface-in", p3) == F);
  CHECK(EvalHost(h, "-m addrtype --dst-type BROADCAST", "-i d0 -s 10.200.3.1 -d 10.200.3.255") == T);
  const std::string p5 = "-i d0 -s 192.0.2.9 -d 203.0.113.5";
  CHECK(EvalHost(h, "-m rpfilter --loose", p5) == F);
  CHECK(EvalHost(h, "-m addrtype --dst-type BLACKHOLE,UNREACHABLE", p5) == F);  // local table only
  CHECK(EvalHost(h, "-m addrtype --dst-type UNICAST", p5) == T);
  const Family v6 = Family::kIPv6;
  CHECK(EvalHost(h, "-m addrtype --dst-type LOCAL --limit-iface-in", "-i d0 -s fd00:200:3::1 -d fd00:200:4::2", v6) == F);
  CHECK(EvalHost(h, "-m addrtype --dst-type LOCAL", "-i d0 -s fd00:200:3::1 -d fd00:200:4::2", v6) == T);
  CHECK(EvalHost(h, "-m rpfilter --accept-local", "-i d0 -s fd00:200:4::2 -d fd00:200:3::2", v6) == T);
  CHECK(EvalHost(h, "-m rpfilter", "-i d0 -s fd00:200:4::2 -d fd00:200:3::2", v6) == F);
  CHECK(EvalHost(h, "-m addrtype --dst-type UNREACHABLE", "-i d0 -s 2001:db8:9::1 -d 2001:db8:9::2", v6) == T);
  CHECK(EvalHost(h, "-m rpfilter --loose", "-i d0 -s 2001:db8:9::1 -d 2001:db8:9::2", v6) == F);
  CHECK(EvalHost(h, "-m addrtype --dst-type UNREACHABLE", "-i d0 -s fd00:200:3::1 -d 2001:db8:2::1", v6) == T);
  CHECK(EvalHost(h, "-m addrtype --dst-type UNREACHABLE", "-i d0 -s fd00:200:3::1 -d 2001:db8:1::1", v6) == F);
}
