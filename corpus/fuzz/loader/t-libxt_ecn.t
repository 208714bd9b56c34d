*filter
-A INPUT -p tcp -m ecn --ecn-tcp-cwr
-A INPUT -p tcp -m ecn --ecn-tcp-ece --ecn-tcp-cwr --ecn-ip-ect 2
-A INPUT -p tcp -m ecn ! --ecn-tcp-ece ! --ecn-tcp-cwr ! --ecn-ip-ect 2
COMMIT
