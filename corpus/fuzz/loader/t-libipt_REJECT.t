*filter
-A INPUT -j REJECT
-A INPUT -j REJECT --reject-with icmp-net-unreachable
-A INPUT -j REJECT --reject-with icmp-host-unreachable
-A INPUT -j REJECT --reject-with icmp-port-unreachable
-A INPUT -j REJECT --reject-with icmp-proto-unreachable
-A INPUT -j REJECT --reject-with icmp-net-prohibited
-A INPUT -j REJECT --reject-with icmp-admin-prohibited
COMMIT
