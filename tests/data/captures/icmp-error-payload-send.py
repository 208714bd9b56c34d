import socket, struct, sys
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
fam = sys.argv[1]
if fam == '4':
    # embedded: UDP 10.9.0.2:1234 -> 10.9.0.1:53 (as sent by B to A), 4 payload bytes
    udp = struct.pack('!HHHH', 1234, 53, 12, 0) + b'abcd'
    inner = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                        socket.inet_aton('10.9.0.2'), socket.inet_aton('10.9.0.1'))
    inner = inner[:10] + struct.pack('!H', csum(inner)) + inner[12:] + udp
    icmp = struct.pack('!BBHI', 3, 3, 0, 0) + inner
    icmp = icmp[:2] + struct.pack('!H', csum(icmp)) + icmp[4:]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.sendto(icmp, ('10.9.0.2', 0))
    print(inner.hex())
else:
    udp = struct.pack('!HHHH', 1234, 53, 12, 0) + b'abcd'
    inner = struct.pack('!IHBB16s16s', 0x60000000, len(udp), 17, 64,
                        socket.inet_pton(socket.AF_INET6, 'fd09::2'), socket.inet_pton(socket.AF_INET6, 'fd09::1')) + udp
    icmp = struct.pack('!BBHI', 1, 4, 0, 0) + inner
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.sendto(icmp, ('fd09::2', 0))
    print(inner.hex())
