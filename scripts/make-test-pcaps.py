#!/usr/bin/env python3
"""Writes the small capture files that tests/cli.sh reads and that seed the
pcap fuzz target (corpus/fuzz/pcap/).  Each file holds the same three
packets, in several formats and link types:
  1. IPv4 UDP 10.200.3.1:1111 -> 10.200.3.2:9100, 4 payload bytes "abcd",
     TTL 64, ID 7
  2. IPv4 TCP 10.200.3.1:40000 -> 10.200.3.2:22 SYN, seq 1, window 64240, ID 8
  3. an ARP frame (Ethernet and SLL files only: it must be skipped)
(received, except in sll2-out.pcap: sent).  The real-*.pcap files beside
them were captured by tcpdump 4.99.3 in a network namespace (a UDP datagram
to a closed port, the ICMP error, a TCP SYN and the RST): real-eth.pcap on
the veth (Ethernet, with IPv6 noise), real-sll2.pcap with -i any -y
LINUX_SLL2, real-sll-ns.pcap with -i any and nanosecond timestamps.
and v6.pcap one IPv6 UDP packet fd00:200:3::1 -> fd00:200:3::2 1111 -> 9100.
The equivalent packet specs are in corpus/fuzz/pcap/README (for the tests).
usage: make-test-pcaps.py DIR"""
import struct
import sys

SRC = bytes([10, 200, 3, 1])
DST = bytes([10, 200, 3, 2])
MAC_SRC = bytes([2, 0, 0, 0, 0, 1])
MAC_DST = bytes([2, 0, 0, 0, 0, 2])


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ipv4(proto, ident, l4):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4), ident, 0, 64, proto, 0, SRC, DST)
    h = h[:10] + struct.pack('!H', csum(h)) + h[12:]
    return h + l4


def udp4():
    payload = b'abcd'
    u = struct.pack('!HHHH', 1111, 9100, 8 + len(payload), 0) + payload
    return ipv4(17, 7, u)


def tcp4():
    t = struct.pack('!HHIIBBHHH', 40000, 22, 1, 0, 5 << 4, 0x02, 64240, 0, 0)
    return ipv4(6, 8, t)


def udp6():
    payload = b'abcd'
    u = struct.pack('!HHHH', 1111, 9100, 8 + len(payload), 0) + payload
    src = bytes.fromhex('fd000200000300000000000000000001')
    dst = bytes.fromhex('fd000200000300000000000000000002')
    return struct.pack('!IHBB', 6 << 28, len(u), 17, 64) + src + dst + u


ARP = bytes.fromhex('0001080006040001') + MAC_SRC + SRC + bytes(6) + DST


def eth(ethertype, payload):
    return MAC_DST + MAC_SRC + struct.pack('!H', ethertype) + payload + bytes(max(0, 46 - len(payload)))


def sll(pkttype, ethertype, payload):
    return struct.pack('!HHH', pkttype, 1, 6) + MAC_SRC + bytes(2) + struct.pack('!H', ethertype) + payload


def sll2(pkttype, ethertype, payload):
    return struct.pack('!HHIHBB', ethertype, 0, 3, 1, pkttype, 6) + MAC_SRC + bytes(2) + payload


def pcap(path, linktype, frames, big=False, nano=False):
    e = '>' if big else '<'
    magic = 0xa1b23c4d if nano else 0xa1b2c3d4
    out = struct.pack(e + 'IHHiIII', magic, 2, 4, 0, 0, 65535, linktype)
    for i, f in enumerate(frames):
        out += struct.pack(e + 'IIII', 1700000000 + i, 500 if not nano else 500000, len(f), len(f)) + f
    open(path, 'wb').write(out)


def block(btype, body):
    body += bytes(-len(body) % 4)
    n = len(body) + 12
    return struct.pack('<II', btype, n) + body + struct.pack('<I', n)


def opt(code, value):
    return struct.pack('<HH', code, len(value)) + value + bytes(-len(value) % 4)


def pcapng(path, frames, name=b'd0', flags=1):
    out = block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack('<HHI', 1, 0, 65535) + opt(2, name) + opt(0, b''))
    for i, f in enumerate(frames):
        ts = (1700000000 + i) * 1000000 + 500
        body = struct.pack('<IIIII', 0, ts >> 32, ts & 0xffffffff, len(f), len(f))
        body += f + bytes(-len(f) % 4) + opt(2, struct.pack('<I', flags)) + opt(0, b'')
        out += block(6, body)
    out += block(5, struct.pack('<IIII', 0, 0, 0, 0))  # interface statistics: skipped
    open(path, 'wb').write(out)


def main():
    d = sys.argv[1]
    pcap(d + '/eth.pcap', 1, [eth(0x0800, udp4()), eth(0x0800, tcp4()), eth(0x0806, ARP)])
    pcap(d + '/raw-be-ns.pcap', 101, [udp4(), tcp4()], big=True, nano=True)
    pcap(d + '/sll.pcap', 113, [sll(0, 0x0800, udp4()), sll(0, 0x0800, tcp4()), sll(0, 0x0806, ARP)])
    pcap(d + '/sll2.pcap', 276, [sll2(0, 0x0800, udp4()), sll2(0, 0x0800, tcp4())])
    pcap(d + '/sll2-out.pcap', 276, [sll2(4, 0x0800, udp4()), sll2(4, 0x0800, tcp4())])
    pcapng(d + '/eth-in.pcapng', [eth(0x0800, udp4()), eth(0x0800, tcp4()), eth(0x0806, ARP)])
    pcap(d + '/v6.pcap', 101, [udp6()])
    # Broken files for the error tests.
    good = open(d + '/eth.pcap', 'rb').read()
    open(d + '/cut.pcap', 'wb').write(good[:-10])
    pcap(d + '/linktype-999.pcap', 999, [udp4()])


main()
