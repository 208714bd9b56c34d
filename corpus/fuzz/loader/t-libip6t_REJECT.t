*filter
-A INPUT -j REJECT
-A INPUT -j REJECT --reject-with icmp6-no-route
-A INPUT -j REJECT --reject-with icmp6-adm-prohibited
-A INPUT -j REJECT --reject-with icmp6-addr-unreachable
-A INPUT -j REJECT --reject-with icmp6-port-unreachable
-A INPUT -j REJECT --reject-with icmp6-reject-route
-A INPUT -p tcp -j REJECT --reject-with tcp-reset
-A INPUT -j REJECT --reject-with tcp-reset
COMMIT
