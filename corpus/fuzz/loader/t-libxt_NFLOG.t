*filter
-A INPUT -j NFLOG --nflog-group 1
-A INPUT -j NFLOG --nflog-group 65535
-A INPUT -j NFLOG --nflog-group 0
-A INPUT -j NFLOG --nflog-range 1
-A INPUT -j NFLOG --nflog-range 4294967295
-A INPUT -j NFLOG --nflog-range 4294967296
-A INPUT -j NFLOG --nflog-range -1
-A INPUT -j NFLOG --nflog-size 0
-A INPUT -j NFLOG --nflog-size 1
-A INPUT -j NFLOG --nflog-size 4294967296
-A INPUT -j NFLOG --nflog-size -1
-A INPUT -j NFLOG --nflog-prefix xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
-A INPUT -j NFLOG --nflog-threshold 65535
-A INPUT -j NFLOG --nflog-threshold 65536
-A INPUT -j NFLOG
COMMIT
