*nat
-A PREROUTING -p tcp -j REDIRECT --to-ports 42
-A PREROUTING -p tcp -j REDIRECT --to-ports 0
-A PREROUTING -p tcp -j REDIRECT --to-ports 65535
-A PREROUTING -p tcp -j REDIRECT --to-ports 65536
-A PREROUTING -p udp -j REDIRECT --to-ports 0-0
-A PREROUTING -p udp -j REDIRECT --to-ports 512-512
-A PREROUTING -p udp -j REDIRECT --to-ports 42-1234
-A PREROUTING -p tcp -j REDIRECT --to-ports 42-1234 --random
-A PREROUTING -p tcp -j REDIRECT --to-ports 42-1234/567
-A PREROUTING -p tcp -j REDIRECT --to-ports ssh
-A PREROUTING -p tcp -j REDIRECT --to-ports ftp-data
-A PREROUTING -p tcp -j REDIRECT --to-ports ftp-ssh
-A PREROUTING -p tcp -j REDIRECT --to-ports 10-ssh
-A PREROUTING -j REDIRECT --to-ports 42
-A PREROUTING -j REDIRECT --random
COMMIT
