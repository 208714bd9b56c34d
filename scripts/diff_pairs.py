#!/usr/bin/env python3
"""Generate corpus/diff-pairs/: pairs of rulesets (old, new) that differ by one
realistic edit, for testing `iptsim diff OLD NEW`.

Every pair below starts from a corpus ruleset (corpus/rulesets/*, corpus/examples/*):
old.v4 / old.v6 is a byte copy of it, new.v4 / new.v6 is the copy with the
listed edits, each of which must match exactly one whole line of the file (so a
regenerated corpus that no longer fits an edit fails loudly instead of making
a different pair). Pairs that use ipsets get old.ipset / new.ipset the same
way. expect.txt lists the packets whose fate the edit changes, as reasoned
from the rules (see corpus/diff-pairs/README.md), and the table between the
"pairs" markers of README.md is rewritten from the same descriptions.

The pair ufw-allow-8080 is not made here: it is the real ufw's output,
made by scripts/make-realworld-rulesets.sh ufw-allow-8080; only its expect.txt
and README row come from this file.

Usage: scripts/diff_pairs.py [--out DIR] [REPO]   (called by scripts/make-diff-pairs.sh)
  REPO       the repository (default: this script's); the sources are read there
  --out DIR  write the pairs and the README table into DIR instead of
             REPO/corpus/diff-pairs (DIR/README.md must exist; tests/diff_pairs.sh
             regenerates into a copy to check that the committed pairs are current)
"""
import os
import shutil
import sys

HOST = "--host corpus/specs/hosts/rsgen.host"

FERM4 = "corpus/rulesets/ferm-router.v4"
FERM6 = "corpus/rulesets/ferm-router.v6"
F2B4 = "corpus/rulesets/fail2ban-jails.v4"
F2B6 = "corpus/rulesets/fail2ban-jails.v6"
F2BSET = "corpus/rulesets/fail2ban-jails.ipset"
SW4 = "corpus/rulesets/shorewall-custom.v4"

# Each pair: name, src (ruleset), edits [(op, args...)], optional ipset (file)
# and ipset_edits, args (extra trace/diff options for both sides), what
# (the change in words), expect [(PACKET, OLD, NEW, packets in words)], or
# expect "unchanged" with why (why nothing changes).
#
# Edit ops, each on exact whole lines: ("insert_before", anchor, line),
# ("insert_after", anchor, line), ("delete", line), ("replace", old, new),
# ("move_after", line, anchor), ("append", line) (ipset files only).
PAIRS = [
    # ---------------------------------------------------------------- ufw (real tool)
    dict(
        name="ufw-allow-8080", src=None, family="4+6", args=HOST,
        source="the real ufw 0.36.2 (as ufw-default)",
        what="`ufw allow 8080/tcp` on Debian's default ufw: one rule "
             "`-A ufw-user-input -p tcp -m tcp --dport 8080 -j ACCEPT` (v4) and "
             "`-A ufw6-user-input ...` (v6)",
        expect=[
            ("-i eth0 -s 198.51.100.7 -d 203.0.113.2 -p tcp --dport 8080", "DROP", "ACCEPT",
             "TCP to port 8080 of the host, not on lo, conntrack state NEW, destination "
             "local (or broadcast/multicast, which ufw-not-local lets through): DROP (INPUT "
             "policy) -> ACCEPT"),
            ("-i eth1 -s 192.168.1.5 -d 192.168.1.1 -p tcp --dport 8080 --tcp-flags SYN,ACK ACK",
             "DROP", "ACCEPT",
             "the same for a NEW non-SYN segment (conntrack picks it up as NEW)"),
            ("-i eth0 -s 2001:db8:ffff::7 -d 2001:db8:0:1::2 -p tcp --dport 8080", "DROP", "ACCEPT",
             "IPv6: TCP to port 8080 of the host, not on lo, NEW, without a type-0 routing "
             "header: DROP -> ACCEPT"),
        ]),

    # ---------------------------------------------------------------- ferm-router IPv4
    dict(
        name="ferm-router-insert-drop", src=FERM4, args=HOST,
        what="a DROP for 192.168.1.11 inserted before the ACCEPT that lets it reach ssh",
        edits=[("insert_before",
                "-A INPUT -s 192.168.1.11/32 -p tcp -m tcp --dport 22 -j ACCEPT",
                "-A INPUT -s 192.168.1.11/32 -p tcp -m tcp --dport 22 -j DROP")],
        expect=[
            ("-i eth1 -s 192.168.1.11 -d 192.168.1.1 -p tcp --dport 22", "ACCEPT", "DROP",
             "TCP SYN (NEW) from 192.168.1.11 to the host's port 22, any interface but lo: "
             "ACCEPT -> DROP (ESTABLISHED/RELATED are accepted earlier, other NEW TCP is "
             "dropped by tcp_sanity in both)"),
        ]),
    dict(
        name="ferm-router-delete-forward", src=FERM4, args=HOST,
        what="the FORWARD accept of the 2222 -> 192.168.1.30:22 port forward deleted",
        edits=[("delete",
                "-A FORWARD -d 192.168.1.30/32 -i eth0 -o eth1 -p tcp -m tcp --dport 22 -j ACCEPT")],
        expect=[
            ("-i eth0 -s 192.0.2.50 -d 203.0.113.2 -p tcp --dport 2222", "ACCEPT", "DROP",
             "NEW TCP arriving on eth0 for 203.0.113.2:2222 (DNAT to 192.168.1.30:22): "
             "ACCEPT -> DROP (FORWARD policy)"),
            ("-i eth0 -s 192.0.2.50 -d 192.168.1.30 -p tcp --dport 22", "ACCEPT", "DROP",
             "NEW TCP from eth0 straight to 192.168.1.30:22: ACCEPT -> DROP"),
        ]),
    dict(
        name="ferm-router-delete-nonsyn", src=FERM4, args=HOST,
        what="the last tcp_sanity rule deleted (`-p tcp --ctstate NEW -j log_drop`); only "
             "NEW TCP that is not a plain SYN reaches it (the rule before RETURNs plain SYNs)",
        edits=[("delete", "-A tcp_sanity -p tcp -m conntrack --ctstate NEW -j log_drop")],
        expect=[
            ("-i eth1 -s 192.168.1.10 -d 192.168.1.1 -p tcp --dport 22 --tcp-flags SYN,ACK ACK",
             "DROP", "ACCEPT",
             "a NEW TCP segment without SYN (here ACK) to the host from 192.168.1.10 port 22: "
             "DROP (log_drop) -> ACCEPT; in general NEW non-SYN TCP to the host now goes on "
             "through INPUT (accepted by the LAN/ssh/80/443 rules, rejected for 113/8080/3128 on "
             "eth0, else still log_drop)"),
            ("-i eth0 -s 192.0.2.50 -d 203.0.113.2 -p tcp --dport 113 --tcp-flags SYN,ACK ACK",
             "DROP", "REJECT",
             "NEW non-SYN TCP to port 113 on eth0: DROP -> REJECT (tcp-reset)"),
        ]),
    dict(
        name="ferm-router-replace-port", src=FERM4, args=HOST,
        what="the LAN NTP accept changed from udp port 123 to udp port 323",
        edits=[("replace",
                "-A INPUT -s 192.168.1.0/24 -i eth1 -p udp -m udp --dport 123 -j ACCEPT",
                "-A INPUT -s 192.168.1.0/24 -i eth1 -p udp -m udp --dport 323 -j ACCEPT")],
        expect=[
            ("-i eth1 -s 192.168.1.5 -d 192.168.1.1 -p udp --dport 123", "ACCEPT", "DROP",
             "NEW UDP from 192.168.1.0/24 on eth1 to the host's port 123: ACCEPT -> DROP"),
            ("-i eth1 -s 192.168.1.5 -d 192.168.1.1 -p udp --dport 323", "DROP", "ACCEPT",
             "the same to port 323: DROP -> ACCEPT"),
        ]),
    dict(
        name="ferm-router-replace-address", src=FERM4, args=HOST,
        what="the ssh accept for 192.168.1.10 changed to 192.168.1.12",
        edits=[("replace",
                "-A INPUT -s 192.168.1.10/32 -p tcp -m tcp --dport 22 -j ACCEPT",
                "-A INPUT -s 192.168.1.12/32 -p tcp -m tcp --dport 22 -j ACCEPT")],
        expect=[
            ("-i eth1 -s 192.168.1.10 -d 192.168.1.1 -p tcp --dport 22", "ACCEPT", "DROP",
             "TCP SYN (NEW) from 192.168.1.10 to the host's port 22 not on eth0 or lo: "
             "ACCEPT -> DROP (on eth0 it is now accepted by ssh_in instead: same verdict, "
             "other rule)"),
            ("-i eth1 -s 192.168.1.12 -d 192.168.1.1 -p tcp --dport 22", "DROP", "ACCEPT",
             "the same from 192.168.1.12 not on eth0 or lo: DROP -> ACCEPT (on eth0 ssh_in "
             "accepted it before: same verdict, other rule)"),
        ]),
    dict(
        name="ferm-router-replace-interface", src=FERM4, args=HOST,
        what="the LAN DNS-over-TCP accept changed from `-i eth1` to `-i eth0`",
        edits=[("replace",
                "-A INPUT -s 192.168.1.0/24 -i eth1 -p tcp -m tcp --dport 53 -j ACCEPT",
                "-A INPUT -s 192.168.1.0/24 -i eth0 -p tcp -m tcp --dport 53 -j ACCEPT")],
        expect=[
            ("-i eth1 -s 192.168.1.5 -d 192.168.1.1 -p tcp --dport 53", "ACCEPT", "DROP",
             "TCP SYN from 192.168.1.0/24 arriving on eth1 to the host's port 53: ACCEPT -> DROP"),
            ("-i eth0 -s 192.168.1.5 -d 203.0.113.2 -p tcp --dport 53", "DROP", "ACCEPT",
             "the same arriving on eth0 (no rp_filter in the host): DROP -> ACCEPT"),
        ]),
    dict(
        name="ferm-router-move-blacklist", src=FERM4, args=HOST,
        what="the blacklist rule `-s 198.51.100.0/24 -j log_drop` moved from near the top "
             "of INPUT to after the service rules (just before the pkttype drops)",
        edits=[("move_after", "-A INPUT -s 198.51.100.0/24 -j log_drop",
                "-A INPUT -i eth0 -p tcp -m tcp --dport 3128 -j log_reject")],
        expect=[
            ("-i eth0 -s 198.51.100.7 -d 203.0.113.2 -p tcp --dport 22", "DROP", "ACCEPT",
             "from 198.51.100.0/24, NEW: ssh on eth0 (ssh_in), http/https (ddos_check) and "
             "ICMP echo (within the limit) / types 3, 11, 12: DROP -> ACCEPT; TCP 113, 8080, 3128 "
             "on eth0: DROP -> REJECT; everything else stays DROP"),
            ("-i eth0 -s 198.51.100.7 -d 203.0.113.2 -p icmp --icmp-type echo-request", "DROP", "ACCEPT",
             "ICMP echo request from 198.51.100.0/24: DROP -> ACCEPT"),
            ("-i eth0 -s 198.51.100.7 -d 203.0.113.2 -p tcp --dport 8080", "DROP", "REJECT",
             "TCP SYN to 8080 on eth0 from 198.51.100.0/24: DROP -> REJECT"),
        ]),
    dict(
        name="ferm-router-policy-forward", src=FERM4, args=HOST,
        what="the FORWARD policy changed from DROP to ACCEPT",
        edits=[("replace", ":FORWARD DROP [0:0]", ":FORWARD ACCEPT [0:0]")],
        expect=[
            ("-i eth0 -s 192.0.2.50 -d 192.168.1.50 -p tcp --dport 3389", "DROP", "ACCEPT",
             "every forwarded packet that no FORWARD rule decides (not INVALID, not "
             "ESTABLISHED/RELATED, not from 192.168.1.0/24 eth1 -> eth0, not the SMB/NetBIOS/SSDP "
             "drops, not the port forwards), e.g. NEW TCP from the WAN to a LAN host: DROP -> ACCEPT"),
            ("-i eth1 -s 10.9.9.9 -d 198.51.100.7 -p udp --dport 53", "DROP", "ACCEPT",
             "LAN -> WAN from a source outside 192.168.1.0/24: DROP -> ACCEPT"),
        ]),
    dict(
        name="ferm-router-jump-target", src=FERM4, args=HOST,
        what="the ident rule's target changed from log_reject to log_drop",
        edits=[("replace",
                "-A INPUT -i eth0 -p tcp -m tcp --dport 113 -j log_reject",
                "-A INPUT -i eth0 -p tcp -m tcp --dport 113 -j log_drop")],
        expect=[
            ("-i eth0 -s 192.0.2.50 -d 203.0.113.2 -p tcp --dport 113", "REJECT", "DROP",
             "TCP SYN (NEW) arriving on eth0 for the host's port 113: REJECT (tcp-reset) -> DROP"),
        ]),
    dict(
        name="ferm-router-goto", src=FERM4, args=HOST,
        what="`-A INPUT -p tcp -j tcp_sanity` changed to `-g tcp_sanity`: a TCP packet that "
             "comes back from tcp_sanity (RETURN of a NEW plain SYN) now ends at the INPUT "
             "policy instead of going on through INPUT",
        edits=[("replace", "-A INPUT -p tcp -j tcp_sanity", "-A INPUT -p tcp -g tcp_sanity")],
        expect=[
            ("-i eth1 -s 192.168.1.10 -d 192.168.1.1 -p tcp --dport 22", "ACCEPT", "DROP",
             "every NEW plain TCP SYN to the host (not on lo) that a later INPUT rule "
             "accepted: ACCEPT -> DROP (INPUT policy); e.g. ssh from 192.168.1.10, LAN DNS over TCP, "
             "ssh on eth0, http/https"),
            ("-i eth0 -s 192.0.2.50 -d 203.0.113.2 -p tcp --dport 113", "REJECT", "DROP",
             "the ones a later rule rejected (113, 8080, 3128 on eth0): REJECT -> DROP; the rest "
             "stays DROP (policy instead of log_drop)"),
        ]),
    dict(
        name="ferm-router-limit-inserted", src=FERM4, args=HOST,
        what="`-A INPUT -p udp -m udp --dport 514 -m limit --limit 100/sec -j ACCEPT` "
             "(rate-limited syslog) inserted before the final log_drop",
        edits=[("insert_before", "-A INPUT -m pkttype --pkt-type broadcast -j DROP",
                "-A INPUT -p udp -m udp --dport 514 -m limit --limit 100/sec -j ACCEPT")],
        expect=[
            ("-i eth1 -s 192.168.1.5 -d 192.168.1.1 -p udp --dport 514", "DROP", "ACCEPT",
             "NEW UDP to the host's port 514 (not from 198.51.100.0/24 or 192.0.2.66), "
             "if -m limit matches (it does for a first packet: the bucket starts full): "
             "DROP -> ACCEPT"),
        ]),
    dict(
        name="ferm-router-recent-inserted", src=FERM4, args=HOST,
        what="port knocking: `-A INPUT -i eth0 -p tcp -m tcp --dport 22 -m recent ! --rcheck "
             "--seconds 30 --name knock --rsource -j DROP` inserted before the eth0 ssh rule",
        edits=[("insert_before",
                "-A INPUT -i eth0 -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ssh_in",
                "-A INPUT -i eth0 -p tcp -m tcp --dport 22 -m recent ! --rcheck --seconds 30 "
                "--name knock --mask 255.255.255.255 --rsource -j DROP")],
        expect=[
            ("-i eth0 -s 192.0.2.50 -d 203.0.113.2 -p tcp --dport 22", "ACCEPT", "DROP",
             "NEW TCP SYN on eth0 to port 22 from a source other than 192.168.1.10/.11 (and not "
             "blacklisted), if the source is not on the `knock` list (with fresh state it is "
             "not): ACCEPT (ssh_in) -> DROP"),
        ]),
    dict(
        name="ferm-router-string-inserted", src=FERM4, args=HOST,
        what="`-A FORWARD -d 192.168.1.20/32 -p tcp -m tcp --dport 80 -m string --string "
             "\"/etc/passwd\" --algo bm -j DROP` inserted at the top of FORWARD",
        edits=[("insert_before", "-A FORWARD -m conntrack --ctstate INVALID -j DROP",
                "-A FORWARD -d 192.168.1.20/32 -p tcp -m tcp --dport 80 -m string --string "
                "\"/etc/passwd\" --algo bm -j DROP")],
        expect=[
            ("-i eth0 -s 192.0.2.50 -d 203.0.113.2 -p tcp --dport 80 --tcp-flags SYN,ACK,PSH ACK,PSH "
             "--payload GET/etc/passwd", "ACCEPT", "DROP",
             "a NEW segment with that payload (conntrack picks up a connection in the middle) "
             "to 203.0.113.2:80 on eth0, DNATed to 192.168.1.20: ACCEPT -> DROP"),
            ("-i eth0 -s 192.0.2.50 -d 192.168.1.20 -p tcp --dport 80 --tcp-flags SYN,ACK,PSH ACK,PSH "
             "--ctstate ESTABLISHED --payload GET/etc/passwd", "ACCEPT", "DROP",
             "forwarded TCP to 192.168.1.20:80 (after DNAT too) whose payload contains "
             "\"/etc/passwd\", any conntrack state: ACCEPT -> DROP (an INVALID one was dropped "
             "already: same verdict, other rule)"),
        ]),
    dict(
        name="ferm-router-dnat-changed", src=FERM4, args=HOST,
        what="the DNAT of port 80 changed from 192.168.1.20:80 to 192.168.1.21:80",
        edits=[("replace",
                "-A PREROUTING -d 203.0.113.2/32 -i eth0 -p tcp -m tcp --dport 80 -j DNAT "
                "--to-destination 192.168.1.20:80",
                "-A PREROUTING -d 203.0.113.2/32 -i eth0 -p tcp -m tcp --dport 80 -j DNAT "
                "--to-destination 192.168.1.21:80")],
        expect=[
            ("-i eth0 -s 192.0.2.50 -d 203.0.113.2 -p tcp --dport 80", "ACCEPT", "DROP",
             "NEW TCP arriving on eth0 for 203.0.113.2:80: DNAT to 192.168.1.21 instead of .20, "
             "which no FORWARD rule accepts: ACCEPT -> DROP (FORWARD policy)"),
        ]),
    dict(
        name="ferm-router-snat-added", src=FERM4, args=HOST,
        what="`-A POSTROUTING -s 192.168.1.0/24 -o eth0 -p udp -m udp --dport 123 -j SNAT "
             "--to-source 203.0.113.3` inserted before the MASQUERADE",
        edits=[("insert_before", "-A POSTROUTING -s 192.168.1.0/24 -o eth0 -j MASQUERADE",
                "-A POSTROUTING -s 192.168.1.0/24 -o eth0 -p udp -m udp --dport 123 -j SNAT "
                "--to-source 203.0.113.3")],
        expect=[
            ("-i eth1 -s 192.168.1.5 -d 198.51.100.123 -p udp --dport 123", "ACCEPT", "ACCEPT",
             "NEW UDP from 192.168.1.0/24 forwarded out eth0 to port 123: still ACCEPT, but the "
             "NAT result changes: source 203.0.113.3 (SNAT) instead of 203.0.113.2 (MASQUERADE)"),
        ]),
    dict(
        name="ferm-router-ctstate-removed", src=FERM4, args=HOST,
        what="`-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT` deleted",
        edits=[("delete", "-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT")],
        expect=[
            ("-i eth0 -s 198.51.100.80 -d 192.168.1.5 -p tcp --sport 443 --dport 40000 "
             "--tcp-flags SYN,ACK ACK --ctstate ESTABLISHED", "ACCEPT", "DROP",
             "ESTABLISHED or RELATED forwarded packets that no other FORWARD rule accepts, e.g. "
             "replies from the WAN to LAN clients, or LAN -> LAN: ACCEPT -> DROP (policy); "
             "192.168.1.0/24 eth1 -> eth0 and the port-forward destinations keep ACCEPT by their "
             "own rules (other deciding rule)"),
        ]),
    dict(
        name="ferm-router-comment-noop", src=FERM4, args=HOST,
        what="the text of the `no direct mail/irc` comment on the port 25 rule changed",
        edits=[("replace",
                "-A OUTPUT -o eth0 -p tcp -m tcp --dport 25 -m comment --comment \"no direct "
                "mail/irc\" -j REJECT --reject-with icmp-port-unreachable",
                "-A OUTPUT -o eth0 -p tcp -m tcp --dport 25 -m comment --comment \"no direct "
                "SMTP, use the relay\" -j REJECT --reject-with icmp-port-unreachable")],
        expect="unchanged",
        why="a comment match always matches; the rule, its place and every other rule are the same"),
    dict(
        name="ferm-router-reorder-noop", src=FERM4, args=HOST,
        what="two INPUT rules swapped: ICMP type 3 (destination unreachable) now after type 11 "
             "(time exceeded); both ACCEPT",
        edits=[("move_after", "-A INPUT -p icmp -m icmp --icmp-type 3 -j ACCEPT",
                "-A INPUT -p icmp -m icmp --icmp-type 11 -j ACCEPT")],
        expect="unchanged",
        why="no packet matches both rules (one ICMP type each) and both accept, so every "
            "packet is decided by the same rule as before (rules 8 and 9 of INPUT swap numbers)"),

    # ---------------------------------------------------------------- ferm-router IPv6
    dict(
        name="ferm-router6-insert-drop", src=FERM6, args=HOST,
        what="`-A INPUT -s 2001:db8:0:2::66/128 -j DROP` inserted before the LAN DNS accepts",
        edits=[("insert_before",
                "-A INPUT -s 2001:db8:0:2::/64 -i eth1 -p tcp -m tcp --dport 53 -j ACCEPT",
                "-A INPUT -s 2001:db8:0:2::66/128 -j DROP")],
        expect=[
            ("-i eth1 -s 2001:db8:0:2::66 -d 2001:db8:0:2::1 -p udp --dport 53", "ACCEPT", "DROP",
             "NEW packets from 2001:db8:0:2::66 to the host that a later INPUT rule accepted "
             "(DNS from the LAN, http/https via ddos_check, ssh on eth0): ACCEPT -> DROP"),
            ("-i eth0 -s 2001:db8:0:2::66 -d 2001:db8:0:1::2 -p tcp --dport 113", "REJECT", "DROP",
             "TCP SYN to 113/8080/3128 on eth0 from it: REJECT -> DROP; the rest of its NEW "
             "packets that were dropped (log_drop) are now dropped by the new rule (other deciding "
             "rule); ICMPv6 accepted before the new rule, ESTABLISHED/RELATED, INVALID and NEW "
             "non-SYN TCP (tcp_sanity) are unchanged"),
        ]),
    dict(
        name="ferm-router6-replace-address", src=FERM6, args=HOST,
        what="the forwarded web server address changed from 2001:db8:0:2::80 to ::81 (port 80 only)",
        edits=[("replace",
                "-A FORWARD -d 2001:db8:0:2::80/128 -i eth0 -o eth1 -p tcp -m tcp --dport 80 -j ACCEPT",
                "-A FORWARD -d 2001:db8:0:2::81/128 -i eth0 -o eth1 -p tcp -m tcp --dport 80 -j ACCEPT")],
        expect=[
            ("-i eth0 -o eth1 -s 2001:db8:ffff::7 -d 2001:db8:0:2::80 -p tcp --dport 80", "ACCEPT", "DROP",
             "NEW TCP forwarded eth0 -> eth1 to [2001:db8:0:2::80]:80: ACCEPT -> DROP"),
            ("-i eth0 -o eth1 -s 2001:db8:ffff::7 -d 2001:db8:0:2::81 -p tcp --dport 80", "DROP", "ACCEPT",
             "the same to [2001:db8:0:2::81]:80: DROP -> ACCEPT"),
        ]),
    dict(
        name="ferm-router6-jump-target", src=FERM6, args=HOST,
        what="the 8080 rule's target changed from log_reject to ACCEPT",
        edits=[("replace",
                "-A INPUT -i eth0 -p tcp -m tcp --dport 8080 -j log_reject",
                "-A INPUT -i eth0 -p tcp -m tcp --dport 8080 -j ACCEPT")],
        expect=[
            ("-i eth0 -s 2001:db8:ffff::7 -d 2001:db8:0:1::2 -p tcp --dport 8080", "REJECT", "ACCEPT",
             "TCP SYN (NEW, passing tcp_sanity) on eth0 to the host's port 8080: REJECT -> ACCEPT"),
        ]),
    dict(
        name="ferm-router6-ctstate-removed", src=FERM6, args=HOST,
        what="`-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT` deleted",
        edits=[("delete", "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT")],
        expect=[
            ("-i eth0 -s 2001:db8:ffff::7 -d 2001:db8:0:1::2 -p tcp --sport 443 --dport 50000 "
             "--tcp-flags SYN,ACK ACK --ctstate ESTABLISHED", "ACCEPT", "DROP",
             "ESTABLISHED/RELATED packets to the host (not on lo) that no later INPUT rule "
             "accepts, e.g. replies to the host's own connections: ACCEPT -> DROP (log_drop), or "
             "-> REJECT for TCP to 113/8080/3128 on eth0; those a later rule accepts keep ACCEPT by "
             "it (other deciding rule): LAN DNS, ssh from ::10, ICMPv6 1-4/128/ND, 80/443 through "
             "ddos_check's own ESTABLISHED accept"),
        ]),
    dict(
        name="ferm-router6-policy-noop", src=FERM6, args=HOST,
        what="the INPUT policy changed from DROP to ACCEPT",
        edits=[("replace", ":INPUT DROP [0:0]", ":INPUT ACCEPT [0:0]")],
        expect="unchanged",
        why="INPUT ends with an unconditional `-j log_drop` (LOG, then DROP), and every "
            "chain it calls ends in ACCEPT/DROP/REJECT or returns into INPUT, so no packet "
            "ever reaches the INPUT policy"),

    # ---------------------------------------------------------------- fail2ban (ipsets)
    dict(
        name="fail2ban-ipset-unban", src=F2B4, ipset=F2BSET, args=HOST,
        what="198.51.100.50 removed from the ipset f2b-postfix (the ruleset is unchanged)",
        ipset_edits=[("delete", "add f2b-postfix 198.51.100.50 timeout 0")],
        expect=[
            ("-i eth0 -s 198.51.100.50 -d 203.0.113.2 -p tcp --dport 25", "REJECT", "ACCEPT",
             "TCP from 198.51.100.50 to ports 25, 465, 587 of the host: REJECT -> ACCEPT "
             "(INPUT policy), unless the source is on the recent list f2b-dovecot (empty with "
             "fresh state), which rejects it earlier in both"),
        ]),
    dict(
        name="fail2ban6-ipset-ban", src=F2B6, ipset=F2BSET, args=HOST,
        what="2001:db8:bad::26 added to the ipset f2b-postfix6 (the ruleset is unchanged)",
        ipset_edits=[("append", "add f2b-postfix6 2001:db8:bad::26 timeout 0")],
        expect=[
            ("-i eth0 -s 2001:db8:bad::26 -d 2001:db8:0:1::2 -p tcp --dport 587", "ACCEPT", "REJECT",
             "TCP from 2001:db8:bad::26 to ports 25, 465, 587 of the host: ACCEPT (policy) -> "
             "REJECT (icmp6-port-unreachable)"),
        ]),
    dict(
        name="fail2ban-delete-ban", src=F2B4, ipset=F2BSET, args=HOST,
        what="the sshd ban of 203.0.113.66 deleted (`-A f2b-sshd -s 203.0.113.66/32 -j REJECT ...`)",
        edits=[("delete",
                "-A f2b-sshd -s 203.0.113.66/32 -j REJECT --reject-with icmp-port-unreachable")],
        expect=[
            ("-i eth0 -s 203.0.113.66 -d 203.0.113.2 -p tcp --dport 22", "REJECT", "ACCEPT",
             "TCP from 203.0.113.66 to port 22 of the host: REJECT -> ACCEPT (policy), unless "
             "the source is on the recent list f2b-dovecot (empty with fresh state), which "
             "rejects it earlier in both"),
        ]),
    dict(
        name="fail2ban6-insert-ban", src=F2B6, ipset=F2BSET, args=HOST,
        what="a new sshd ban inserted at the top of f2b-sshd, as fail2ban does (`-I f2b-sshd 1 "
             "-s 2001:db8:bad::6/128 -j REJECT --reject-with icmp6-port-unreachable`)",
        edits=[("insert_before",
                "-A f2b-sshd -s 2001:db8:bad::5/128 -j REJECT --reject-with icmp6-port-unreachable",
                "-A f2b-sshd -s 2001:db8:bad::6/128 -j REJECT --reject-with icmp6-port-unreachable")],
        expect=[
            ("-i eth0 -s 2001:db8:bad::6 -d 2001:db8:0:1::2 -p tcp --dport 22", "ACCEPT", "REJECT",
             "TCP from 2001:db8:bad::6 to port 22 of the host: ACCEPT (policy) -> REJECT"),
        ]),

    # ---------------------------------------------------------------- marks
    dict(
        name="why-mark-changed", src="corpus/examples/why.v4",
        what="the filter table's `-j MARK --set-mark 5` changed to `--set-mark 6`; the next "
             "rule sends only packets with mark 5 to the SSH chain",
        edits=[("replace", "-A INPUT -j MARK --set-mark 5", "-A INPUT -j MARK --set-mark 6")],
        expect=[
            ("-i eth0 -s 10.2.0.5 -d 192.0.2.2 -p tcp --dport 22", "ACCEPT", "DROP",
             "TCP to port 22 of the host from 10.0.0.0/8 outside 10.1.0.0/16, not on lo: "
             "ACCEPT (SSH chain) -> DROP (policy); from 10.1.0.0/16 SSH RETURNs, so those are "
             "dropped by the policy in both (the MARK overwrites any mark the packet had)"),
        ]),
    dict(
        name="shorewall-mark-input", src=SW4, args=HOST,
        what="`-A loc-fw -m mark --mark 0x1/0xff -j DROP` inserted in filter before the "
             "proxy accepts; mangle PREROUTING marks TCP from 192.168.1.0/24 to ports 80 and "
             "443 with 0x1, and mangle INPUT keeps the mark",
        edits=[("insert_before",
                "-A loc-fw -p tcp -m tcp --dport 3128 -m conntrack --ctorigdstport 80 "
                "-m conntrack ! --ctorigdst 192.168.1.1 -j ACCEPT",
                "-A loc-fw -m mark --mark 0x1/0xff -j DROP")],
        expect=[
            ("-i eth1 -s 192.168.1.5 -d 198.51.100.80 -p tcp --dport 80", "ACCEPT", "DROP",
             "NEW TCP from 192.168.1.0/24 on eth1 to port 80 of any address but 192.168.1.1 "
             "(REDIRECTed to the proxy port 3128, marked 0x1 before): ACCEPT -> DROP"),
            ("-i eth1 -s 192.168.1.5 -d 192.168.1.1 -p tcp --dport 443", "REJECT", "DROP",
             "NEW (or INVALID with valid flags) TCP from 192.168.1.0/24 on eth1 to port 80 of "
             "192.168.1.1 or port 443 of a host address: REJECT (tcp-reset) -> DROP"),
            ("-i eth1 -s 192.168.1.5 -d 192.168.1.1 -p udp --dport 53 --mark 0x101", "REJECT", "DROP",
             "and a packet on eth1 to the host that already carries a mark with low byte 1 when "
             "it arrives (iptsim's --mark; the kernel gives received packets mark 0), not "
             "accepted by the loc-fw rules before: REJECT -> DROP"),
        ]),
    dict(
        name="shorewall-mark-forward-noop", src=SW4, args=HOST,
        what="`-A loc-net -m mark --mark 0x1/0xff -j DROP` inserted before loc-net's final "
             "ACCEPT, meant for the LAN web traffic mangle PREROUTING marks 0x1",
        edits=[("insert_before", "-A loc-net -j ACCEPT",
                "-A loc-net -m mark --mark 0x1/0xff -j DROP")],
        expect="unchanged",
        why="mangle FORWARD ends with `-j MARK --set-xmark 0x0/0xff`, which clears the low "
            "byte of every forwarded packet's mark before filter FORWARD, so the new rule never "
            "matches (loc-net's final ACCEPT moves from rule 6 to 7, the same rule)"),
    dict(
        name="shorewall-masquerade-added", src=SW4, args=HOST,
        what="`-A NET_IF_masq -s 100.64.0.0/10 -j MASQUERADE` appended (shared address space "
             "behind the LAN)",
        edits=[("insert_after", "-A NET_IF_masq -s 192.168.0.0/16 -j MASQUERADE",
                "-A NET_IF_masq -s 100.64.0.0/10 -j MASQUERADE")],
        expect=[
            ("-i eth1 -s 100.64.1.5 -d 198.51.100.7 -p udp --dport 53", "ACCEPT", "ACCEPT",
             "NEW packets from 100.64.0.0/10 leaving on eth0 that the filter accepts (e.g. "
             "forwarded LAN -> WAN by loc-net): still ACCEPT, but now MASQUERADEd to 203.0.113.2 "
             "instead of leaving with their own source"),
        ]),

    # ---------------------------------------------------------------- firewalld ipset
    dict(
        name="firewalld-ipset-block", src="corpus/rulesets/firewalld-custom.v4",
        ipset="corpus/rulesets/firewalld-custom.ipset", args=HOST,
        what="198.18.0.0/15 added to the ipset `blocklist` that firewalld binds to its drop "
             "zone (the ruleset is unchanged)",
        ipset_edits=[("append", "add blocklist 198.18.0.0/15")],
        expect=[
            ("-i eth0 -s 198.18.0.5 -d 203.0.113.2 -p tcp --dport 22", "ACCEPT", "DROP",
             "packets from 198.18.0.0/15 that are not ESTABLISHED/RELATED/DNAT (accepted before "
             "the zones) and not INVALID now go to the drop zone: to the host ACCEPT (external "
             "zone services: ssh, http, https, ..., ICMP) or REJECT -> DROP"),
            ("-i eth0 -s 198.18.0.5 -d 203.0.113.2 -p tcp --dport 25", "REJECT", "DROP",
             "e.g. TCP to a port the external zone does not open: REJECT -> DROP; forwarded "
             "ones (and the external zone's port forwards, whose DNAT no longer applies) -> DROP"),
            ("-i eth1 -s 192.168.1.5 -d 198.18.0.5 -p tcp --dport 443", "ACCEPT", "ACCEPT",
             "packets to 198.18.0.0/15 leaving on eth0: nat POSTROUTING now sends them to the "
             "drop zone's chains instead of the external zone's MASQUERADE: LAN -> 198.18.0.0/15 "
             "is still ACCEPT, but no longer masqueraded"),
        ]),

    # ---------------------------------------------------------------- more IPv6
    dict(
        name="ufw6-policy-forward", src="corpus/rulesets/ufw-default.v6", args=HOST,
        what="the FORWARD policy changed from DROP to ACCEPT",
        edits=[("replace", ":FORWARD DROP [0:0]", ":FORWARD ACCEPT [0:0]")],
        expect=[
            ("-i eth0 -o eth1 -s 2001:db8:ffff::7 -d 2001:db8:0:2::20 -p tcp --dport 22", "DROP", "ACCEPT",
             "every forwarded packet ufw6-before-forward does not decide (no type-0 routing "
             "header, not ESTABLISHED/RELATED, not ICMPv6 1-4, 128, 129): DROP -> ACCEPT"),
        ]),
    dict(
        name="ferm-router6-move-sanity", src=FERM6, args=HOST,
        what="`-A INPUT -p tcp -j tcp_sanity` moved from before the service rules to after "
             "them (just before the pkttype drops)",
        edits=[("move_after", "-A INPUT -p tcp -j tcp_sanity",
                "-A INPUT -i eth0 -p tcp -m tcp --dport 3128 -j log_reject")],
        expect=[
            ("-i eth1 -s 2001:db8:0:2::10 -d 2001:db8:0:2::1 -p tcp --dport 22 --tcp-flags SYN,ACK ACK",
             "DROP", "ACCEPT",
             "NEW TCP to the host that is not a plain SYN (conntrack already marks the bad "
             "flag combinations INVALID, dropped first) and that a service rule now sees first: "
             "DROP (tcp_sanity) -> ACCEPT (LAN DNS, ssh from ::10, 80/443 via ddos_check)"),
            ("-i eth0 -s 2001:db8:ffff::7 -d 2001:db8:0:1::2 -p tcp --dport 3128 --tcp-flags SYN,ACK ACK",
             "DROP", "REJECT",
             "or REJECT (113, 8080, 3128 on eth0) instead of DROP"),
        ]),
    dict(
        name="ferm-debian6-delete-ssh", src="corpus/rulesets/ferm-debian-default.v6",
        args=HOST,
        what="`-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT` deleted",
        edits=[("delete", "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT")],
        expect=[
            ("-i eth0 -s 2001:db8:ffff::7 -d 2001:db8:0:1::2 -p tcp --dport 22", "ACCEPT", "DROP",
             "NEW TCP to port 22 of the host, not on lo: ACCEPT -> DROP (policy)"),
        ]),
    dict(
        name="ferm-debian-shadowed-noop", src="corpus/rulesets/ferm-debian-default.v4",
        args=HOST,
        what="`-A INPUT -s 192.168.1.0/24 -p tcp -m tcp --dport 22 -j ACCEPT` appended to "
             "INPUT, after the rule that accepts TCP port 22 from everywhere",
        edits=[("insert_after", "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT",
                "-A INPUT -s 192.168.1.0/24 -p tcp -m tcp --dport 22 -j ACCEPT")],
        expect="unchanged",
        why="every packet the new rule matches is accepted by the rule before it"),
    dict(
        name="kube-endpoint-reject", src="corpus/examples/kube-service-3.v4", args="--seed 2",
        what="the third endpoint's chain changed from `-j ACCEPT` to `-j REJECT --reject-with "
             "icmp-port-unreachable` (endpoint gone); the service picks its endpoint with "
             "`-m statistic --mode random`",
        edits=[("replace", "-A KUBE-SEP-C -j ACCEPT",
                "-A KUBE-SEP-C -j REJECT --reject-with icmp-port-unreachable")],
        expect=[
            ("-i eth0 -d 10.96.0.10 -p tcp --dport 80", "ACCEPT", "REJECT",
             "TCP to 10.96.0.10:80 on INPUT, if neither random draw picks endpoint A (1/3) or B "
             "(1/2 of the rest), i.e. with probability 1/3: ACCEPT -> REJECT; `--seed 2` (args) "
             "makes iptsim's draws pick C for this packet"),
        ]),
]


def die(msg):
    sys.stderr.write("diff_pairs.py: %s\n" % msg)
    sys.exit(1)


def find_one(lines, line, where):
    hits = [i for i, l in enumerate(lines) if l == line]
    if len(hits) != 1:
        die("%s: %d lines are %r (need exactly 1)" % (where, len(hits), line))
    return hits[0]


def apply_edits(lines, edits, where):
    """The lines after EDITS; each edit names whole lines that occur exactly once."""
    lines = list(lines)
    for e in edits:
        op = e[0]
        if op == "insert_before":
            lines.insert(find_one(lines, e[1], where), e[2])
        elif op == "insert_after":
            lines.insert(find_one(lines, e[1], where) + 1, e[2])
        elif op == "delete":
            del lines[find_one(lines, e[1], where)]
        elif op == "replace":
            lines[find_one(lines, e[1], where)] = e[2]
        elif op == "move_after":
            del lines[find_one(lines, e[1], where)]
            lines.insert(find_one(lines, e[2], where) + 1, e[1])
        elif op == "append":
            lines.append(e[1])
        else:
            die("%s: unknown edit %r" % (where, op))
    return lines


def read_lines(path):
    with open(path) as f:
        text = f.read()
    if not text.endswith("\n"):
        die("%s: no final newline" % path)
    return text[:-1].split("\n")


def write_lines(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def family(pair):
    if pair.get("family"):
        return pair["family"]
    return "6" if pair["src"].endswith(".v6") else "4"


def make_pair(repo, out, pair):
    d = os.path.join(out, pair["name"])
    os.makedirs(d, exist_ok=True)
    if pair["src"]:
        ext = pair["src"][-3:]
        src = os.path.join(repo, pair["src"])
        shutil.copyfile(src, os.path.join(d, "old" + ext))
        write_lines(os.path.join(d, "new" + ext),
                    apply_edits(read_lines(src), pair.get("edits", []), pair["name"]))
        if pair.get("ipset"):
            iset = os.path.join(repo, pair["ipset"])
            shutil.copyfile(iset, os.path.join(d, "old.ipset"))
            write_lines(os.path.join(d, "new.ipset"),
                        apply_edits(read_lines(iset), pair.get("ipset_edits", []),
                                    pair["name"] + " (ipset)"))
        if open(os.path.join(d, "old" + ext)).read() == open(os.path.join(d, "new" + ext)).read() \
                and not pair.get("ipset_edits"):
            die("%s: the edits change nothing" % pair["name"])
    args = os.path.join(d, "args")
    if pair.get("args"):
        write_lines(args, [pair["args"]])
    elif os.path.exists(args):
        os.remove(args)
    if pair["expect"] == "unchanged":
        write_lines(os.path.join(d, "expect.txt"), ["unchanged"])
    else:
        write_lines(os.path.join(d, "expect.txt"),
                    ["%s => %s -> %s" % (p, o, n) for p, o, n, _ in pair["expect"]])


def md(text):
    return text.replace("|", "\\|")


def table(pairs):
    rows = ["| pair | family | from | what changed | packets whose fate changes |",
            "| --- | --- | --- | --- | --- |"]
    for p in pairs:
        src = p.get("source") or "`%s`" % p["src"]
        if p.get("ipset"):
            src += " + `%s`" % p["ipset"]
        if p["expect"] == "unchanged":
            fates = "none: " + p["why"]
        else:
            fates = "; ".join(words for _, _, _, words in p["expect"])
        rows.append("| %s | %s | %s | %s | %s |" % (
            p["name"], "IPv" + family(p).replace("+", "+IPv"), src, md(p["what"]), md(fates)))
    return rows


def update_readme(path, pairs):
    begin, end = "<!-- pairs: begin (scripts/diff_pairs.py) -->", "<!-- pairs: end -->"
    text = open(path).read()
    if begin not in text or end not in text:
        die("%s: no %s ... %s markers" % (path, begin, end))
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(head + begin + "\n" + "\n".join(table(pairs)) + "\n" + end + tail)


def main():
    argv = sys.argv[1:]
    out = None
    if argv[:1] == ["--out"] and len(argv) >= 2:
        out, argv = argv[1], argv[2:]
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        die("usage: diff_pairs.py [--out DIR] [REPO]")
    repo = os.path.abspath(argv[0] if argv else os.path.join(os.path.dirname(__file__), ".."))
    out = os.path.abspath(out) if out else os.path.join(repo, "corpus", "diff-pairs")
    names = [p["name"] for p in PAIRS]
    if len(set(names)) != len(names):
        die("duplicate pair names")
    for p in PAIRS:
        make_pair(repo, out, p)
    update_readme(os.path.join(out, "README.md"), PAIRS)
    print("diff_pairs.py: %d pairs in %s" % (len(PAIRS), out))


if __name__ == "__main__":
    main()
