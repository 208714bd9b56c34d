// The trace output formats of output/trace_output.h: JSON escaping and the
// JSON event stream, nf_tables rule handles and the xtables-monitor lines
// (the captures themselves are compared by tests/golden_nft.sh).
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "engine/netfilter.h"
#include "engine/packet_builder.h"
#include "loader/loader.h"
#include "loader/packet_spec.h"
#include "output/trace_output.h"
#include "tests/unit/test_util.h"

using namespace iptsim;
using iptsim::testing::PacketFromWords;

namespace {

Ruleset Load(const std::string& text) {
  LoadResult r = LoadRuleset(text, "rules.v4");
  INFO(text);
  REQUIRE(r.ok());
  return std::move(r.ruleset);
}

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at < s.size()) {
    size_t nl = s.find('\n', at);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(at, nl - at));
    at = nl + 1;
  }
  return out;
}

const Rule* FindRule(const Ruleset& rs, TableId t, std::string_view chain, size_t i) {
  const Chain* c = rs.FindTable(t)->FindChain(chain);
  return c && i < c->rules.size() ? &c->rules[i] : nullptr;
}

}  // namespace

TEST_CASE("JsonString escapes quotes, backslashes and control characters", "[json]") {
  CHECK(JsonString("") == "\"\"");
  CHECK(JsonString("plain -A INPUT") == "\"plain -A INPUT\"");
  CHECK(JsonString("say \"hi\"") == "\"say \\\"hi\\\"\"");
  CHECK(JsonString("a\\b") == "\"a\\\\b\"");
  CHECK(JsonString("l1\nl2\tx\ry\bz\f") == "\"l1\\nl2\\tx\\ry\\bz\\f\"");
  CHECK(JsonString(std::string("nul\0end", 7)) == "\"nul\\u0000end\"");
  CHECK(JsonString("\x01\x1f\x7f") == "\"\\u0001\\u001f\x7f\"");
  // Valid UTF-8 is kept, stray bytes become their Latin-1 code point.
  CHECK(JsonString("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") ==
        "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  CHECK(JsonString("bad \xff\xc3 end") == "\"bad \\u00ff\\u00c3 end\"");
  CHECK(JsonString("\xc0\xaf") == "\"\\u00c0\\u00af\"");          // overlong '/'
  CHECK(JsonString("\xed\xa0\x80") == "\"\\u00ed\\u00a0\\u0080\"");  // a surrogate
  CHECK(JsonString("\xe2\x82") == "\"\\u00e2\\u0082\"");          // cut short
}

TEST_CASE("--format json: one object per matched entry, then the verdict", "[json]") {
  Ruleset rs = Load(
      "*filter\n"
      ":INPUT DROP [0:0]\n"
      ":U1 - [0:0]\n"
      "-A INPUT -p udp --dport 53 -j U1\n"
      "-A INPUT -p udp -m comment --comment \"say \\\"hi\\\"\" -j LOG --log-prefix \"x: \"\n"
      "-A U1 -p udp -j MARK --set-mark 1\n"
      "COMMIT\n");
  Packet p = PacketFromWords(
      {"-i", "eth0", "-s", "10.0.0.1", "-d", "10.0.0.2", "-p", "udp", "--dport", "53"});
  std::string out;
  JsonTraceFormat json(rs, &out);
  json.BeginPacket(3);
  RunResult run;
  run.path = PathFromDevices(p);
  run.sim = SimulatePacket(rs, p, run.path, {}, &json);
  json.EndPacket(run, false, {});
  std::vector<std::string> l = Lines(out);
  REQUIRE(l.size() == 7);
  CHECK(l[0] ==
        "{\"event\":\"rule\",\"table\":\"filter\",\"chain\":\"INPUT\",\"label\":\"rule\","
        "\"number\":1,\"traced\":false,\"rule\":\"-A INPUT -p udp --dport 53 -j U1\","
        "\"source\":\"rules.v4:4\",\"verdict\":\"JUMP\",\"to\":\"U1\",\"packet\":3}");
  CHECK(l[1] ==
        "{\"event\":\"rule\",\"table\":\"filter\",\"chain\":\"U1\",\"label\":\"rule\","
        "\"number\":1,\"traced\":false,\"rule\":\"-A U1 -p udp -j MARK --set-mark 1\","
        "\"source\":\"rules.v4:6\",\"verdict\":\"CONTINUE\",\"packet\":3}");
  CHECK(l[2] ==
        "{\"event\":\"rule\",\"table\":\"filter\",\"chain\":\"U1\",\"label\":\"return\","
        "\"number\":2,\"traced\":false,\"rule\":null,\"source\":null,\"verdict\":\"RETURN\","
        "\"packet\":3}");
  CHECK(l[3] ==
        "{\"event\":\"rule\",\"table\":\"filter\",\"chain\":\"INPUT\",\"label\":\"rule\","
        "\"number\":2,\"traced\":false,\"rule\":\"-A INPUT -p udp -m comment --comment "
        "\\\"say \\\\\\\"hi\\\\\\\"\\\" -j LOG --log-prefix \\\"x: \\\"\","
        "\"source\":\"rules.v4:5\",\"verdict\":\"CONTINUE\",\"packet\":3}");
  // The LOG line follows its rule.
  CHECK(l[4].rfind("{\"event\":\"log\",\"level\":4,\"line\":\"x: IN=eth0 OUT= ", 0) == 0);
  CHECK(l[4].find(" MARK=0x1 \",\"packet\":3}") != std::string::npos);
  CHECK(l[5] ==
        "{\"event\":\"rule\",\"table\":\"filter\",\"chain\":\"INPUT\",\"label\":\"policy\","
        "\"number\":3,\"traced\":false,\"rule\":null,\"source\":null,\"verdict\":\"DROP\","
        "\"packet\":3}");
  CHECK(l[6] ==
        "{\"event\":\"verdict\",\"verdict\":\"DROP\",\"table\":\"filter\",\"chain\":\"INPUT\","
        "\"path\":\"local-in\",\"default_path\":false,\"decided_by\":{\"table\":\"filter\","
        "\"chain\":\"INPUT\",\"label\":\"policy\",\"number\":3,\"rule\":null,\"source\":null},"
        "\"via\":[],\"packet\":3}");
}

TEST_CASE("nf_tables handles: one counter per table over chains and rules, in load order",
          "[nft]") {
  Ruleset rs = Load(
      "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
      "-A PREROUTING -p udp -j TRACE\n-A OUTPUT -p udp -j TRACE\nCOMMIT\n"
      "*filter\n:INPUT ACCEPT [0:0]\n:U1 - [0:0]\n"
      "-A INPUT -j U1\n-A U1 -j ACCEPT\n:U2 - [0:0]\n-A INPUT -j U2\n"
      // OUTPUT was not declared: created just before its first rule.
      "-A OUTPUT -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n");
  auto h = NftRuleHandles(rs);
  CHECK(h.at(FindRule(rs, TableId::kRaw, "PREROUTING", 0)) == 3);
  CHECK(h.at(FindRule(rs, TableId::kRaw, "OUTPUT", 0)) == 4);
  CHECK(h.at(FindRule(rs, TableId::kFilter, "INPUT", 0)) == 3);
  CHECK(h.at(FindRule(rs, TableId::kFilter, "U1", 0)) == 4);
  CHECK(h.at(FindRule(rs, TableId::kFilter, "INPUT", 1)) == 6);  // U2 is 5
  CHECK(h.at(FindRule(rs, TableId::kFilter, "OUTPUT", 0)) == 8);  // OUTPUT is 7
  CHECK(h.at(FindRule(rs, TableId::kFilter, "INPUT", 2)) == 9);
  const Table* f = rs.FindTable(TableId::kFilter);
  CHECK(NftChainExists(*f->FindChain("INPUT")));
  CHECK(NftChainExists(*f->FindChain("OUTPUT")));
  CHECK_FALSE(NftChainExists(*f->FindChain("FORWARD")));
  CHECK(NftTraceId(1) != NftTraceId(2));
  CHECK(NftTraceId(7) == NftTraceId(7));
}

TEST_CASE("--format nft: no event before nf_trace is set, none for a chain's end, "
          "none for chains that do not exist",
          "[nft]") {
  Ruleset rs = Load(
      "*raw\n:PREROUTING ACCEPT [0:0]\n"
      "-A PREROUTING -p udp\n-A PREROUTING -p udp -j TRACE\n-A PREROUTING -p tcp -j DROP\n"
      "COMMIT\n"
      "*mangle\n-A POSTROUTING -j ACCEPT\nCOMMIT\n"
      "*filter\n:INPUT DROP [0:0]\n:U3 - [0:0]\n"
      "-A INPUT -p udp -g U3\nCOMMIT\n");
  Packet p = PacketFromWords(
      {"-i", "eth0", "-s", "10.0.0.1", "-d", "10.0.0.2", "-p", "udp", "--dport", "53"});
  char* buf = nullptr;
  size_t len = 0;
  FILE* f = open_memstream(&buf, &len);
  REQUIRE(f);
  XtablesMonitorFormat nft(rs, f);
  nft.BeginPacket(0xabcdef01);
  SimResult res = SimulatePacket(rs, p, PathFromDevices(p), {}, &nft);
  fclose(f);
  std::string out(buf, len);
  free(buf);
  CHECK(res.verdict == Verdict::kDrop);
  std::vector<std::string> l = Lines(out);
  REQUIRE(l.size() == 6);
  CHECK(l[0].rfind("PACKET: 2 abcdef01 IN=eth0 ", 0) == 0);
  // The rule before the TRACE rule is not reported; the TRACE rule is.
  CHECK(l[1] == " TRACE: 2 abcdef01 raw:PREROUTING:rule:0x3:CONTINUE  -4 -t raw -A PREROUTING "
                "-p udp -j TRACE");
  CHECK(l[2] == " TRACE: 2 abcdef01 raw:PREROUTING:policy:ACCEPT ");
  // mangle PREROUTING/INPUT do not exist (only POSTROUTING was created).
  CHECK(l[3].rfind("PACKET: 2 abcdef01 IN=eth0 ", 0) == 0);
  CHECK(l[4] == " TRACE: 2 abcdef01 filter:INPUT:rule:0x3:GOTO:U3  -4 -t filter -A INPUT "
                "-p udp -g U3");
  CHECK(l[5] == " TRACE: 2 abcdef01 filter:INPUT:policy:DROP ");
  CHECK(nft.lines() == 6);
}
