*filter
-A INPUT -m icmpv6
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 1/0
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 2
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type no-route --icmpv6-type packet-too-big
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type mld-listener-query
-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type mld-listener-reduction
COMMIT
