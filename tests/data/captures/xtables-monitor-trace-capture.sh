set -x
A="ip netns exec tmp-hp-a"; R="ip netns exec tmp-hp-r"; C="ip netns exec tmp-hp-c"
for n in a r c; do ip netns add tmp-hp-$n; done
ip link add hpa0 netns tmp-hp-a type veth peer name hpr0 netns tmp-hp-r
ip link add hpc0 netns tmp-hp-c type veth peer name hpr1 netns tmp-hp-r
ip -n tmp-hp-a link set hpa0 address 02:00:00:00:09:01 up
ip -n tmp-hp-r link set hpr0 address 02:00:00:00:09:fe up
ip -n tmp-hp-r link set hpr1 address 02:00:00:00:0a:fe up
ip -n tmp-hp-c link set hpc0 address 02:00:00:00:0a:01 up
for n in a r c; do ip -n tmp-hp-$n link set lo up; done
ip -n tmp-hp-a addr add 10.9.1.1/24 dev hpa0; ip -n tmp-hp-a addr add fd09:1::1/64 dev hpa0 nodad
ip -n tmp-hp-r addr add 10.9.1.254/24 dev hpr0; ip -n tmp-hp-r addr add fd09:1::fe/64 dev hpr0 nodad
ip -n tmp-hp-r addr add 10.9.2.254/24 dev hpr1; ip -n tmp-hp-r addr add fd09:2::fe/64 dev hpr1 nodad
ip -n tmp-hp-c addr add 10.9.2.1/24 dev hpc0; ip -n tmp-hp-c addr add fd09:2::1/64 dev hpc0 nodad
ip -n tmp-hp-a route add default via 10.9.1.254; ip -n tmp-hp-a -6 route add default via fd09:1::fe
ip -n tmp-hp-c route add default via 10.9.2.254; ip -n tmp-hp-c -6 route add default via fd09:2::fe
$R sysctl -qw net.ipv4.ip_forward=1
$R sysctl -qw net.ipv6.conf.all.forwarding=1
# neighbours resolved before tracing starts
sleep 2
$R iptables-nft-restore < "$(dirname "$0")"/xtables-monitor-trace.v4
$R ip6tables-nft-restore < "$(dirname "$0")"/xtables-monitor-trace.v6
$R stdbuf -oL xtables-monitor --trace > xtables-monitor-trace.txt 2>&1 &
MON=$!
sleep 1
$A python3 -c '
import socket, time
def tcp(h, p):
    s = socket.socket(); s.settimeout(1)
    try: s.connect((h, p))
    except Exception as e: pass
    s.close(); time.sleep(0.3)
def udp(h, p, fam=socket.AF_INET):
    s = socket.socket(fam, socket.SOCK_DGRAM); s.sendto(b"hello", (h, p)); s.close(); time.sleep(0.3)
tcp("10.9.1.254", 22)
udp("10.9.1.254", 53)
udp("10.9.1.254", 5353)
tcp("10.9.2.1", 80)
'
$A python3 -c '
import socket, struct, time
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
m = struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1) + b"pingpong"
m = m[:2] + struct.pack("!H", csum(m)) + m[4:]
socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).sendto(m, ("10.9.1.254", 0))
time.sleep(0.3)
m6 = struct.pack("!BBHHH", 128, 0, 0, 0x1234, 1) + b"pingpong"
socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6).sendto(m6, ("fd09:1::fe", 0))
time.sleep(0.3)
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.sendto(b"hello", ("fd09:1::fe", 53)); time.sleep(0.3)
'
sleep 1
kill $MON; wait $MON
for n in a r c; do ip netns del tmp-hp-$n; done
