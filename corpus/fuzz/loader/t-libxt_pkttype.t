*filter
-A INPUT -m pkttype --pkt-type unicast
-A INPUT -m pkttype --pkt-type broadcast
-A INPUT -m pkttype --pkt-type multicast
-A INPUT -m pkttype --pkt-type wrong
-A INPUT -m pkttype
COMMIT
