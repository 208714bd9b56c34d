*filter
-A INPUT -j NFQUEUE
-A INPUT -j NFQUEUE --queue-num 0
-A INPUT -j NFQUEUE --queue-num 65535
-A INPUT -j NFQUEUE --queue-balance 0:65534
-A INPUT -j NFQUEUE --queue-balance 0:65535
-A INPUT -j NFQUEUE --queue-balance -1:65535
-A INPUT -j NFQUEUE --queue-balance 4
-A INPUT -j NFQUEUE --queue-balance :
-A INPUT -j NFQUEUE --queue-balance :4
-A INPUT -j NFQUEUE --queue-balance 4:
-A INPUT -j NFQUEUE --queue-balance 3:4
-A INPUT -j NFQUEUE --queue-balance 4:4
-A INPUT -j NFQUEUE --queue-balance 4:3
-A INPUT -j NFQUEUE --queue-num 10 --queue-bypass
-A INPUT -j NFQUEUE --queue-balance 0:6 --queue-cpu-fanout --queue-bypass
-A INPUT -j NFQUEUE --queue-bypass --queue-balance 0:6 --queue-cpu-fanout
-A INPUT -j NFQUEUE --queue-balance 0:6 --queue-bypass
COMMIT
