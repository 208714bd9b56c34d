#!/usr/bin/env python3
"""A host with N routes (a BGP-table-shaped main table) for bench/bench_routes.sh.

    bench/gen_routes.py N native|json > host

Two interfaces (eth0 10.0.0.1/16, eth1 10.1.0.1/16); N distinct IPv4
prefixes of lengths 8 to 24 outside 10/8, through gateways on both links
with a few metrics (equal prefixes with different metrics included).  The
native format lists `route` lines; the JSON one is what `ip -j addr` and
`ip -4 -j route show table all` print (the kernel's local routes included).
"""
import json
import random
import sys


def prefixes(n):
    rnd = random.Random(1)
    seen = set()
    while len(seen) < n:
        length = rnd.choice((8, 12, 16, 18, 20, 22, 23, 24, 24, 24, 24))
        addr = rnd.getrandbits(32) & ~((1 << (32 - length)) - 1) & 0xffffffff
        if addr >> 24 in (0, 10, 127) or addr >> 28 >= 14:
            continue
        metric = rnd.choice((0, 0, 0, 10, 20))
        if (addr, length, metric) in seen:
            continue
        seen.add((addr, length, metric))
        yield addr, length, metric


def dotted(a):
    return '.'.join(str((a >> s) & 255) for s in (24, 16, 8, 0))


def main():
    n, fmt = int(sys.argv[1]), sys.argv[2]
    out = sys.stdout
    routes = list(prefixes(n))
    if fmt == 'native':
        out.write('iface eth0,mac=02:00:00:00:00:01,addr=10.0.0.1/16\n')
        out.write('iface eth1,mac=02:00:00:00:00:02,addr=10.1.0.1/16\n')
        out.write('forward on\n')
        for i, (addr, length, metric) in enumerate(routes):
            gw = '10.0.0.254' if i % 2 else '10.1.0.254'
            out.write(f'route {dotted(addr)}/{length} via {gw} metric {metric}\n')
        return
    def iface(index, name, mac, addr):
        return {'ifindex': index, 'ifname': name, 'flags': ['BROADCAST', 'UP'], 'mtu': 1500,
                'link_type': 'ether', 'address': mac,
                'addr_info': [{'family': 'inet', 'local': addr, 'prefixlen': 16}]}
    host = {'addr': [iface(2, 'eth0', '02:00:00:00:00:01', '10.0.0.1'),
                     iface(3, 'eth1', '02:00:00:00:00:02', '10.1.0.1')],
            'ip_forward': 1}
    out.write(json.dumps(host)[:-1] + ', "route": [\n')
    kernel = [
        {'dst': '10.0.0.0/16', 'dev': 'eth0', 'protocol': 'kernel', 'scope': 'link', 'prefsrc': '10.0.0.1'},
        {'dst': '10.1.0.0/16', 'dev': 'eth1', 'protocol': 'kernel', 'scope': 'link', 'prefsrc': '10.1.0.1'},
        {'type': 'local', 'dst': '10.0.0.1', 'dev': 'eth0', 'table': 'local', 'protocol': 'kernel'},
        {'type': 'broadcast', 'dst': '10.0.255.255', 'dev': 'eth0', 'table': 'local', 'protocol': 'kernel'},
        {'type': 'local', 'dst': '10.1.0.1', 'dev': 'eth1', 'table': 'local', 'protocol': 'kernel'},
        {'type': 'broadcast', 'dst': '10.1.255.255', 'dev': 'eth1', 'table': 'local', 'protocol': 'kernel'},
        {'type': 'local', 'dst': '127.0.0.0/8', 'dev': 'lo', 'table': 'local', 'protocol': 'kernel'},
        {'type': 'local', 'dst': '127.0.0.1', 'dev': 'lo', 'table': 'local', 'protocol': 'kernel'},
        {'type': 'broadcast', 'dst': '127.255.255.255', 'dev': 'lo', 'table': 'local', 'protocol': 'kernel'},
    ]
    out.write(',\n'.join(json.dumps(r) for r in kernel))
    for i, (addr, length, metric) in enumerate(routes):
        r = {'dst': f'{dotted(addr)}/{length}', 'gateway': '10.0.0.254' if i % 2 else '10.1.0.254',
             'dev': 'eth0' if i % 2 else 'eth1', 'protocol': 'bgp', 'metric': metric, 'flags': []}
        out.write(',\n' + json.dumps(r))
    out.write(']}\n')


if __name__ == '__main__':
    main()
