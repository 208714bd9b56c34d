*nat
-A PREROUTING -j DNAT --to-destination 1.1.1.1
-A PREROUTING -j DNAT --to-destination 1.1.1.1-1.1.1.10
-A PREROUTING -j DNAT --to-destination 1.1.1.1 --to-destination 2.2.2.2
-A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1:1025-65535
-A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1-1.1.1.10:1025-65535
-A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1-1.1.1.10:1025-65536
-A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1-1.1.1.10:1025-65535 --to-destination 2.2.2.2-2.2.2.20:1025-65535
-A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/1000
-A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/3000
-A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/0
-A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1:1000-2000/65536
-A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1:ssh
-A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1:ftp-data
-A PREROUTING -p tcp -j DNAT --to-destination 1.1.1.1:10-20/ftp
-A PREROUTING -j DNAT
COMMIT
