// The route index (engine/host_routes.h) against the linear lookup it
// replaced, on random route sets built to collide: overlapping prefixes,
// equal prefixes with different metrics, equal prefix and metric through
// different devices (the route added first wins), error routes, a bound
// output device, three tables, both families.  And a JSON host listed
// without `table all` gets the local table the kernel builds (captured in a
// namespace: tests/cli_host_routes.sh says how).
#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include "engine/host.h"
#include "loader/host_file.h"

using namespace iptsim;

namespace {

// An address of a small pool, so that routes and destinations overlap.
IpAddr RandomAddr(std::mt19937& rng, Family f) {
  IpAddr a;
  const int n = AddrLen(f);
  a.b[0] = static_cast<uint8_t>(10 + rng() % 2);
  for (int i = 1; i < n; ++i) a.b[i] = static_cast<uint8_t>(rng() % 4 == 0 ? rng() : (rng() % 3) * 64);
  return a;
}

HostRoute RandomRoute(std::mt19937& rng, Family f) {
  static const RouteType kTypes[] = {RouteType::kUnicast, RouteType::kUnicast, RouteType::kLocal,
                                     RouteType::kBroadcast, RouteType::kBlackhole,
                                     RouteType::kUnreachable, RouteType::kThrow};
  static const uint32_t kTables[] = {kTableLocal, kTableMain, kTableMain, kTableDefault};
  HostRoute r;
  r.family = f;
  r.table = kTables[rng() % 4];
  r.type = kTypes[rng() % 7];
  const int max = AddrLen(f) * 8;
  // Mostly a few lengths, so that prefixes repeat; sometimes any length.
  static const int kLens[] = {0, 8, 16, 24, 32};
  r.prefix_len = rng() % 3 ? std::min(kLens[rng() % 5] * (max / 32), max) : static_cast<int>(rng() % (max + 1));
  r.dst = MaskedAddr(f, RandomAddr(rng, f), r.prefix_len);
  r.dev = IsErrorType(r.type) && rng() % 2 ? -1 : static_cast<int>(rng() % 3);
  r.metric = rng() % 3;
  r.kernel = rng() % 2;
  return r;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

HostModel ParseFile(const std::string& name) {
  HostModel h;
  DiagnosticSink diags;
  bool ok = ParseHostModel(ReadFile(std::string(IPTSIM_SOURCE_DIR) + "/tests/data/host/" + name), name, &h, &diags);
  INFO(diags.Format());
  REQUIRE(ok);
  return h;
}

using RouteKey = std::tuple<int, int, std::string, int, std::string, uint32_t>;

std::set<RouteKey> LocalTable(const HostModel& h) {
  std::set<RouteKey> out;
  for (const HostRoute& r : h.routes)
    if (r.table == kTableLocal)
      out.insert({static_cast<int>(r.family), static_cast<int>(r.type), FormatIpAddr(r.family, r.dst),
                  r.prefix_len, r.dev >= 0 ? h.ifaces[r.dev].name : "", r.metric});
  return out;
}

}  // namespace

TEST_CASE("route index: the linear lookup's answers on random route sets", "[host][routes]") {
  std::mt19937 rng(13);
  for (int round = 0; round < 200; ++round) {
    const Family f = round % 2 ? Family::kIPv6 : Family::kIPv4;
    HostModel h;
    const int n = 1 + static_cast<int>(rng() % 60);
    for (int i = 0; i < n; ++i) h.AddRoute(RandomRoute(rng, f));
    REQUIRE(h.RoutesIndexed());
    for (int q = 0; q < 200; ++q) {
      // Destinations inside the routes' prefixes, and elsewhere.
      IpAddr dst = RandomAddr(rng, f);
      if (q % 2) {
        const HostRoute& r = h.routes[rng() % h.routes.size()];
        dst = r.dst;
        dst.b[AddrLen(f) - 1] ^= static_cast<uint8_t>(rng() % 2);
      }
      for (int oif : {-1, 0, 1, 2}) {
        for (uint32_t t : {kTableLocal, kTableMain, kTableDefault}) {
          INFO("round " << round << " query " << q << " oif " << oif << " table " << t);
          CHECK(h.LookupTable(f, t, dst, oif) == LinearLookupTable(h.routes, f, t, dst, oif));
        }
      }
    }
    bool custom = false;
    for (const HostRoute& r : h.routes)
      custom = custom || (r.family == Family::kIPv4 && r.type == RouteType::kLocal && !r.kernel);
    CHECK(h.HasCustomLocalRoutes4() == custom);
  }
}

TEST_CASE("route index: ties go to the route added first, then to the lower metric", "[host][routes]") {
  HostModel h;
  HostRoute a;
  a.dst.b[0] = 10;
  a.prefix_len = 8;
  a.dev = 1;
  a.metric = 5;
  HostRoute b = a;
  b.dev = 2;  // same prefix and metric, added later: never chosen
  HostRoute c = a;
  c.dev = 2;
  c.metric = 7;
  h.AddRoute(a);
  h.AddRoute(b);
  h.AddRoute(c);
  IpAddr dst;
  dst.b[0] = 10;
  dst.b[3] = 1;
  REQUIRE(h.Lookup(Family::kIPv4, dst) == &h.routes[0]);
  CHECK(h.Lookup(Family::kIPv4, dst, 2) == &h.routes[1]);  // through dev 2: b before c
  CHECK(h.Lookup(Family::kIPv4, dst, 0) == nullptr);
  HostRoute d = a;
  d.metric = 1;
  h.AddRoute(d);
  CHECK(h.Lookup(Family::kIPv4, dst) == &h.routes[3]);
  // Routes pushed without AddRoute: a linear scan until they are indexed.
  HostRoute e = a;
  e.prefix_len = 16;
  e.dst.b[1] = 0;
  h.routes.push_back(e);
  CHECK(!h.RoutesIndexed());
  CHECK(h.Lookup(Family::kIPv4, dst) == &h.routes[4]);
  h.IndexRoutes();
  CHECK(h.RoutesIndexed());
  CHECK(h.Lookup(Family::kIPv4, dst) == &h.routes[4]);
}

TEST_CASE("host JSON without 'table all': the kernel's local table from \"addr\"", "[host][routes]") {
  HostModel all = ParseFile("ns-addresses-table-all.json");
  HostModel main_only = ParseFile("ns-addresses-main-only.json");
  CHECK(all.notes.empty());
  REQUIRE(main_only.notes.size() == 1);
  CHECK(main_only.notes[0] ==
        "ns-addresses-main-only.json: the routes have no local table (listed by 'ip -j route' without "
        "'table all'?): iptsim adds the kernel's 20 local-table routes for the addresses in \"addr\" "
        "(the first: local 127.0.0.1 dev lo)");
  // What the kernel listed (ip -j route show table all), no more, no less.
  CHECK(LocalTable(main_only) == LocalTable(all));
  CHECK(LocalTable(all).size() == 20);
  IpAddr a;
  a.b[0] = 192, a.b[1] = 168, a.b[2] = 9, a.b[3] = 1;
  const HostRoute* r = main_only.Lookup(Family::kIPv4, a);
  REQUIRE(r);
  CHECK(r->type == RouteType::kLocal);
  CHECK(main_only.AddrType4(a, -1) == RouteType::kLocal);
}

TEST_CASE("host JSON: duplicates kept once, kernel routes only for the families listed", "[host][routes]") {
  const std::string addr =
      R"({"addr":[{"ifname":"eth0","addr_info":[{"family":"inet","local":"10.0.0.1","prefixlen":24},)"
      R"({"family":"inet6","local":"fd00::1","prefixlen":64}]}],)";
  const std::string r1 = R"({"dst":"10.0.0.0/24","dev":"eth0","protocol":"kernel"})";
  const std::string r2 = R"({"dst":"10.0.0.0/24","dev":"eth0","metric":5})";
  HostModel h;
  DiagnosticSink diags;
  REQUIRE(ParseHostModel(addr + R"("route":[)" + r1 + "," + r2 + "," + r1 + "]}", "h.json", &h, &diags));
  // lo's three IPv4 local-table routes and eth0's local and broadcast; no IPv6 route.
  REQUIRE(h.routes.size() == 2 + 5);
  CHECK(h.routes[0].metric == 0);
  CHECK(h.routes[1].metric == 5);
  for (const HostRoute& r : h.routes) CHECK(r.family == Family::kIPv4);
  REQUIRE(h.notes.size() == 1);
  CHECK(h.notes[0] ==
        "h.json: the routes have no local table (listed by 'ip -j route' without 'table all'?): "
        "iptsim adds the kernel's 5 local-table routes for the addresses in \"addr\" (the first: "
        "local 127.0.0.1 dev lo)");
  // An IPv6 route: IPv6's local table too (::1 on lo; fd00::1, ff00::/8 on eth0).
  HostModel h6;
  REQUIRE(ParseHostModel(addr + R"("route":[)" + r1 + R"(],"route6":[{"dst":"fd00::/64","dev":"eth0"}]})",
                         "h.json", &h6, &diags));
  CHECK(h6.routes.size() == 1 + 5 + 1 + 3);
  IpAddr a = h6.routes.back().dst;
  CHECK(FormatIpAddr(Family::kIPv6, a) == "ff00::");
}
