// ipsets: the `ipset save` reader (loader/ipset_file.h) with its
// diagnostics, and -m set / -j SET against the run's copy of the sets.
// Matching follows net/netfilter/ipset (ip_set_core.c ip_set_test: too few
// flags or another family never match, --return-nomatch; ip_set_hash_gen.h
// mtype_test_cidrs: the most specific prefix decides; ip_set_getport.c).
#include <catch2/catch.hpp>

#include <sstream>

#include "engine/eval.h"
#include "engine/ipset.h"
#include "engine/packet_builder.h"
#include "engine/run_state.h"
#include "loader/ipset_file.h"
#include "loader/loader.h"
#include "loader/packet_spec.h"
#include "engine/extension.h"
#include "tests/unit/test_util.h"

using iptsim::Family;
using iptsim::Tri;

namespace {

constexpr Tri T = Tri::kTrue, F = Tri::kFalse, U = Tri::kUnknown;

std::string Errors(const std::string& text) {
  iptsim::IpsetDb db;
  iptsim::DiagnosticSink d;
  bool ok = iptsim::ParseIpsetSave(text, "s.save", &db, &d);
  if (ok) return "(ok)";
  return iptsim::FormatDiagnostic(d.diagnostics().at(0));
}

// Sets from `save`, INPUT rules, and one run.
struct Run {
  Run(const std::string& save, const std::vector<std::string>& rules,
      Family fam = Family::kIPv4)
      : fam(fam) {
    iptsim::DiagnosticSink d;
    iptsim::IpsetRunState& st = state.Named<iptsim::IpsetRunState>("ipset", "");
    INFO(d.Format());
    REQUIRE(iptsim::ParseIpsetSave(save, "s.save", &st.db, &d));
    st.loaded = true;
    loaded = iptsim::testing::LoadRules(rules, "mangle", "PREROUTING", fam);
    INFO(loaded.diagnostics.Format());
    REQUIRE(loaded.ok());
  }
  const iptsim::Rule& RuleAt(size_t i) {
    if (const iptsim::Rule* r = iptsim::testing::FindRule(loaded, "PREROUTING", i)) return *r;
    FAIL("no rule " << i);
    throw;
  }
  void Build(const std::string& pkt) { packet = iptsim::testing::PacketFromText(pkt, fam); }
  Tri Eval(size_t i, const std::string& pkt) {
    Build(pkt);
    iptsim::PacketView v = iptsim::PacketView::Of(packet);
    iptsim::EvalContext ctx;
    ctx.family = fam;
    ctx.run = &state;
    const iptsim::Rule& r = RuleAt(i);
    Tri t = r.matches[r.matches.size() - 1]->Evaluate(v, ctx);
    reason = ctx.unknown_reason;
    return t;
  }
  iptsim::TargetVerdict Apply(size_t i, const std::string& pkt) {
    Build(pkt);
    iptsim::PacketView v = iptsim::PacketView::Of(packet);
    iptsim::EvalContext ctx;
    ctx.family = fam;
    ctx.run = &state;
    return RuleAt(i).target->Apply(packet, v, ctx);
  }
  Family fam;
  iptsim::RunState state;
  iptsim::LoadResult loaded;
  iptsim::Packet packet;
  std::string reason;
};

}  // namespace

TEST_CASE("ipset save: errors with file:line:col", "[ipset]") {
  CHECK(Errors("create a hash:ip family inet hashsize 1024 maxelem 65536 bucketsize 12 initval "
               "0x6a4e8e3b\nadd a 1.2.3.4\n") == "(ok)");
  CHECK(Errors("create a hash:foo\n") ==
        "s.save:1:10: error: unknown or unsupported set type 'hash:foo'\n"
        "create a hash:foo\n"
        "         ^~~~~~~~\n");
  CHECK(Errors("create a hash:ip\nadd b 1.2.3.4\n") ==
        "s.save:2:5: error: no set named 'b' (create it first); did you mean 'a'?\n"
        "add b 1.2.3.4\n"
        "    ^\n");
  CHECK(Errors("create a hash:ip\nadd a 1.2.3.4,80\n") ==
        "s.save:2:7: error: a hash:ip element has 1 part, not 2\n"
        "add a 1.2.3.4,80\n"
        "      ^~~~~~~~~~\n");
  CHECK(Errors("create a hash:ip\nadd a 1.2.3.4 nomatch\n") ==
        "s.save:2:15: error: 'nomatch' is not supported by hash:ip sets\n"
        "add a 1.2.3.4 nomatch\n"
        "              ^~~~~~~\n");
  CHECK(Errors("create a hash:net\ncreate a hash:net\n").find("s.save:2:8: error: the set 'a' is "
                                                             "already created") == 0);
  CHECK(Errors("create a hash:ip family inet6\nadd a 1.2.3.4\n")
            .find("s.save:2:7: error: invalid IPv6 address '1.2.3.4'") == 0);
  CHECK(Errors("create a hash:ip,port\nadd a 1.2.3.4,gre:5\n")
            .find("protocol 'gre' has no ports: the port must be 0") != std::string::npos);
  CHECK(Errors("create a bitmap:port range 10-20\nadd a 21\n")
            .find("s.save:2:7: error: '21' is outside the set's range") == 0);
  CHECK(Errors("create a bitmap:ip\n").find("s.save:1:19: error: a bitmap:ip set needs 'range'") ==
        0);
  CHECK(Errors("create a hash:ip\nadd a 1.2.3.4 packets 5\n")
            .find("the set has no counters") != std::string::npos);
  CHECK(Errors("create a hash:ip comment\nadd a 1.2.3.4 comment \"x y\n")
            .find("unterminated quoted string") != std::string::npos);
  CHECK(Errors("create a hash:ip\nadd a 10.0.0.0/8\n").find("expands to more than 65536") !=
        std::string::npos);
  CHECK(Errors("frob a\n") ==
        "s.save:1:1: error: expected 'create' or 'add', not 'frob'\nfrob a\n^~~~\n");
  CHECK(Errors("# comment\n\ncreate l list:set\nadd l l\n")
            .find("a list:set cannot contain another list:set") != std::string::npos);
}

TEST_CASE("set: hash:net, the most specific prefix, nomatch, --return-nomatch", "[ipset]") {
  Run r("create bl hash:net family inet\n"
        "add bl 10.0.0.0/8\n"
        "add bl 10.1.0.0/16 nomatch\n"
        "add bl 10.1.2.0/24\n"
        "add bl 192.168.0.1-192.168.0.6\n",
        {"-m set --match-set bl src", "-m set ! --match-set bl src",
         "-m set --match-set bl src --return-nomatch", "-m set --match-set bl dst",
         "-m set --match-set missing src"});
  CHECK(r.Eval(0, "-s 10.9.9.9") == T);
  CHECK(r.Eval(0, "-s 10.1.9.9") == F);  // nomatch /16 is more specific than /8
  CHECK(r.Eval(0, "-s 10.1.2.3") == T);  // the /24 is more specific still
  CHECK(r.Eval(0, "-s 11.0.0.1") == F);
  CHECK(r.Eval(1, "-s 10.1.9.9") == T);
  CHECK(r.Eval(1, "-s 10.9.9.9") == F);
  CHECK(r.Eval(2, "-s 10.1.9.9") == T);  // --return-nomatch: nomatch counts
  CHECK(r.Eval(2, "-s 10.9.9.9") == F);  // ... and a match does not
  CHECK(r.Eval(2, "-s 11.0.0.1") == F);
  CHECK(r.Eval(3, "-s 1.1.1.1 -d 10.2.0.1") == T);
  // The range 192.168.0.1-6 is stored as .1/32 .2/31 .4/31 .6/32.
  CHECK(r.Eval(0, "-s 192.168.0.0") == F);
  CHECK(r.Eval(0, "-s 192.168.0.1") == T);
  CHECK(r.Eval(0, "-s 192.168.0.6") == T);
  CHECK(r.Eval(0, "-s 192.168.0.7") == F);
  CHECK(r.Eval(4, "-s 1.1.1.1") == U);
  CHECK(r.reason.find("'missing' is not in the --ipset files") != std::string::npos);
}

TEST_CASE("set: ports, protocols, dimensions and family", "[ipset]") {
  Run r("create svc hash:ip,port family inet\n"
        "add svc 10.0.0.1,tcp:80\n"
        "add svc 10.0.0.1,udp:53\n"
        "add svc 10.0.0.1,icmp:echo-request\n"
        "add svc 10.0.0.1,gre:0\n"
        "create six hash:ip family inet6\n"
        "add six 2001:db8::1\n"
        "create ipi hash:ip,port,ip family inet\n"
        "add ipi 10.0.0.1,tcp:22,192.168.1.1\n",
        {"-m set --match-set svc dst,dst", "-m set --match-set svc dst",
         "-m set --match-set svc dst,src", "-m set --match-set six src",
         "-m set --match-set ipi dst,dst,src", "-m set --match-set svc dst,dst,src"});
  CHECK(r.Eval(0, "-d 10.0.0.1 -p tcp --dport 80") == T);
  CHECK(r.Eval(0, "-d 10.0.0.1 -p udp --dport 80") == F);  // the protocol is part of it
  CHECK(r.Eval(0, "-d 10.0.0.1 -p udp --dport 53") == T);
  CHECK(r.Eval(0, "-d 10.0.0.1 -p icmp --icmp-type 8") == T);  // type 8 code 0
  CHECK(r.Eval(0, "-d 10.0.0.1 -p icmp --icmp-type 0") == F);
  CHECK(r.Eval(0, "-d 10.0.0.1 -p gre") == T);  // no ports: port 0
  CHECK(r.Eval(0, "-d 10.0.0.1 -p tcp --frag 8") == F);  // later fragment: no ports
  CHECK(r.Eval(1, "-d 10.0.0.1 -p tcp --dport 80") == F);  // one flag for two dimensions
  CHECK(r.Eval(5, "-d 10.0.0.1 -p tcp --dport 80") == T);  // extra flags are ignored
  CHECK(r.Eval(2, "-d 10.0.0.1 -p tcp --sport 80 --dport 1") == T);
  CHECK(r.Eval(2, "-d 10.0.0.1 -p tcp --sport 1 --dport 80") == F);
  CHECK(r.Eval(3, "-s 10.0.0.1") == F);  // an IPv6 set never matches IPv4 packets
  CHECK(r.Eval(4, "-s 192.168.1.1 -d 10.0.0.1 -p tcp --dport 22") == T);
  CHECK(r.Eval(4, "-s 192.168.1.2 -d 10.0.0.1 -p tcp --dport 22") == F);
}

TEST_CASE("set: IPv6, counters, mark, mac, iface, bitmap, list:set", "[ipset]") {
  Run r6("create n6 hash:net family inet6\nadd n6 2001:db8::/32\nadd n6 2001:db8:1::/48 nomatch\n",
         {"-m set --match-set n6 src"}, Family::kIPv6);
  CHECK(r6.Eval(0, "-s 2001:db8:2::1") == T);
  CHECK(r6.Eval(0, "-s 2001:db8:1::1") == F);
  CHECK(r6.Eval(0, "-s 2001:db9::1") == F);

  Run r("create cnt hash:ip counters\n"
        "add cnt 10.0.0.1 packets 1 bytes 40\n"
        "create mk hash:ip,mark markmask 0xff\n"
        "add mk 10.0.0.1,0x105\n"
        "create macs hash:mac\n"
        "add macs 02:00:00:00:00:01\n"
        "create ifs hash:net,iface\n"
        "add ifs 10.0.0.0/8,eth0\n"
        "add ifs 10.0.0.0/8,physdev:eth1\n"
        "create ports bitmap:port range 1000-2000\n"
        "add ports 1500\n"
        "create bip bitmap:ip range 10.0.0.0/24 netmask 30\n"
        "add bip 10.0.0.8\n"
        "create lst list:set\n"
        "add lst ports\n"
        "add lst mk\n",
        {"-m set --match-set cnt src --packets-gt 2", "-m set --match-set cnt src ! --update-counters --packets-eq 3",
         "-m set --match-set mk src,src", "-m set --match-set macs src",
         "-m set --match-set ifs src,src", "-m set --match-set ports dst",
         "-m set --match-set bip src", "-m set --match-set lst dst,dst",
         "-m set --match-set ifs src,dst"});
  // Counters are updated first (2 packets), then compared.
  CHECK(r.Eval(0, "-s 10.0.0.1") == F);
  CHECK(r.Eval(0, "-s 10.0.0.1") == T);  // 3 > 2
  CHECK(r.Eval(1, "-s 10.0.0.1") == T);  // 3, not updated
  CHECK(r.Eval(1, "-s 10.0.0.1") == T);
  // The mark is compared under the set's markmask (0x105 is stored as 0x05).
  CHECK(r.Eval(2, "-s 10.0.0.1 --mark 0x305") == T);
  CHECK(r.Eval(2, "-s 10.0.0.1 --mark 0x306") == F);
  CHECK(r.Eval(3, "-i eth0 --mac-src 02:00:00:00:00:01") == T);
  CHECK(r.Eval(3, "-i eth0 --mac-src 02:00:00:00:00:09") == F);
  CHECK(r.Eval(3, "-s 10.0.0.1") == F);  // locally generated: no MAC header
  CHECK(r.Eval(4, "-i eth0 -s 10.0.0.1") == T);
  CHECK(r.Eval(4, "-i eth1 -s 10.0.0.1") == F);  // physdev elements never match from iptables
  CHECK(r.Eval(8, "-i eth9 -o eth0 -s 10.0.0.1") == T);
  CHECK(r.Eval(5, "-p udp --dport 1500") == T);
  CHECK(r.Eval(5, "-p udp --dport 1501") == F);
  CHECK(r.Eval(5, "-p udp --dport 3000") == F);  // outside the range
  CHECK(r.Eval(6, "-s 10.0.0.10") == T);  // netmask 30: 10.0.0.8-11
  CHECK(r.Eval(6, "-s 10.0.0.12") == F);
  CHECK(r.Eval(7, "-d 10.0.0.1 -p tcp --dport 1500") == T);  // via ports
  CHECK(r.Eval(7, "-d 10.0.0.1 --mark 5") == T);            // via mk
  CHECK(r.Eval(7, "-d 10.0.0.2 -p tcp --dport 1501") == F);
}

TEST_CASE("SET: --add-set and --del-set change the run's copy", "[ipset]") {
  Run r("create seen hash:ip\n"
        "create nets hash:net\n"
        "add nets 172.16.0.0/12\n"
        "add nets 192.168.0.0/16\n"
        "create map hash:ip skbinfo\n"
        "add map 10.0.0.7 skbmark 0x10/0xf0\n",
        {"-m set --match-set seen src", "-j SET --add-set seen src", "-j SET --del-set seen dst",
         "-m set --match-set nets src", "-j SET --add-set nets src",
         "-j SET --map-set map src --map-mark", "-j SET --add-set seen src,dst"});
  CHECK(r.Eval(0, "-s 1.2.3.4") == F);
  CHECK(r.Apply(1, "-s 1.2.3.4") == iptsim::TargetVerdict::kContinue);
  CHECK(r.Eval(0, "-s 1.2.3.4") == T);
  r.Apply(2, "-s 9.9.9.9 -d 1.2.3.4");
  CHECK(r.Eval(0, "-s 1.2.3.4") == F);
  // hash:net: the most specific prefix length in use (/16).
  r.Apply(4, "-s 10.20.30.40");
  CHECK(r.Eval(3, "-s 10.20.99.1") == T);
  CHECK(r.Eval(3, "-s 10.21.0.1") == F);
  // --map-mark: mark = (mark & ~0xf0) ^ 0x10.
  r.Apply(5, "-s 10.0.0.7 --mark 0x1ff");
  CHECK(r.packet.mark == 0x11f);
  r.Apply(5, "-s 10.0.0.8 --mark 0x1ff");
  CHECK(r.packet.mark == 0x1ff);
  // More flags than dimensions: the first are used.
  r.Apply(6, "-s 5.5.5.5 -d 6.6.6.6");
  CHECK(r.Eval(0, "-s 5.5.5.5") == T);
}

TEST_CASE("SET naming a set the files do not have is unknown", "[ipset]") {
  Run r("create a hash:ip\n", {"-j SET --add-set b src"});
  CHECK(r.Apply(0, "-s 1.2.3.4") == iptsim::TargetVerdict::kUnknown);
}

TEST_CASE("set and SET without --ipset stay unknown", "[ipset]") {
  std::string text = "*filter\n-A INPUT -m set --match-set x src -j SET --add-set y src\nCOMMIT\n";
  iptsim::LoadResult lr = iptsim::LoadRuleset(text, "t", {});
  REQUIRE(lr.ok());
  const iptsim::Rule* rule = nullptr;
  for (const iptsim::Table& t : lr.ruleset.tables)
    for (const iptsim::Chain& c : t.chains)
      if (!c.rules.empty()) rule = &c.rules[0];
  REQUIRE(rule);
  iptsim::Packet p = iptsim::BuildPacket(iptsim::PacketSpec{});
  iptsim::PacketView v = iptsim::PacketView::Of(p);
  iptsim::RunState run;
  iptsim::EvalContext ctx;
  ctx.run = &run;
  CHECK(rule->matches[0]->Evaluate(v, ctx) == U);
  CHECK(ctx.unknown_reason.find("--ipset FILE") != std::string::npos);
  CHECK(rule->target->Apply(p, v, ctx) == iptsim::TargetVerdict::kUnknown);
}

TEST_CASE("set: IPv6 ports (ip_set_get_ip6_port)", "[ipset]") {
  Run r("create p6 hash:ip,port family inet6\nadd p6 2001:db8::1,udp:53\n",
        {"-m set --match-set p6 dst,dst"}, Family::kIPv6);
  CHECK(r.Eval(0, "-d 2001:db8::1 -p udp --dport 53") == T);
  CHECK(r.Eval(0, "-d 2001:db8::1 --ext-hdr hbh -p udp --dport 53") == T);
  CHECK(r.Eval(0, "-d 2001:db8::1 --ext-hdr frag --mf -p udp --dport 53") == T);  // first fragment
  // A later fragment gives no port at all, whatever its protocol.
  CHECK(r.Eval(0, "-d 2001:db8::1 --ext-hdr frag --frag 8 -p udp") == F);
}
