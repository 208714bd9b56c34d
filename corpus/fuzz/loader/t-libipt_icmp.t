*filter
-A INPUT -p icmp -m icmp --icmp-type any
-A INPUT -p icmp -m icmp --icmp-type echo-reply
-A INPUT -p icmp -m icmp --icmp-type destination-unreachable
-A INPUT -m icmp
-A INPUT -p icmp -m icmp --icmp-type 255/255
-A INPUT -p icmp -m icmp --icmp-type 255/0:255
COMMIT
