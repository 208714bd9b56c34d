set -x
ip netns add tmp-hp-a; ip netns add tmp-hp-b
ip link add hpa0 netns tmp-hp-a type veth peer name hpb0 netns tmp-hp-b
ip -n tmp-hp-a link set hpa0 address 02:00:00:00:09:01 up; ip -n tmp-hp-b link set hpb0 address 02:00:00:00:09:02 up
ip -n tmp-hp-a addr add 10.9.0.1/24 dev hpa0; ip -n tmp-hp-b addr add 10.9.0.2/24 dev hpb0
ip -n tmp-hp-a addr add fd09::1/64 dev hpa0 nodad; ip -n tmp-hp-b addr add fd09::2/64 dev hpb0 nodad
ip netns exec tmp-hp-b iptables-legacy -A INPUT -p icmp -j LOG --log-prefix "HPV4: "
ip netns exec tmp-hp-b ip6tables-legacy -A INPUT -p icmpv6 --icmpv6-type 1 -j LOG --log-prefix "HPV6: "
sleep 1
ip netns exec tmp-hp-a ping -c1 -W1 10.9.0.2 >/dev/null
ip netns exec tmp-hp-a ping -6 -c1 -W1 fd09::2 >/dev/null
old=$(cat /proc/sys/net/netfilter/nf_log_all_netns)
echo 1 > /proc/sys/net/netfilter/nf_log_all_netns
ip netns exec tmp-hp-a python3 "$(dirname "$0")"/icmp-error-payload-send.py 4
ip netns exec tmp-hp-a python3 "$(dirname "$0")"/icmp-error-payload-send.py 6
sleep 1
echo $old > /proc/sys/net/netfilter/nf_log_all_netns
ip netns del tmp-hp-a; ip netns del tmp-hp-b
