*filter
-A INPUT -m ipv6header --header hop-by-hop
-A INPUT -m ipv6header --header hop-by-hop --soft
COMMIT
