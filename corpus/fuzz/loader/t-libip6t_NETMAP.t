*nat
-A PREROUTING -j NETMAP --to dead::/64
-A PREROUTING -j NETMAP --to dead::beef
COMMIT
