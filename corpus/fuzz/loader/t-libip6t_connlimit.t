*filter
-A INPUT -m connlimit --connlimit-upto 0
-A INPUT -m connlimit --connlimit-upto 4294967295 --connlimit-mask 128 --connlimit-saddr
-A INPUT -m connlimit --connlimit-upto 4294967296 --connlimit-mask 128 --connlimit-saddr
-A INPUT -m connlimit --connlimit-upto -1
-A INPUT -m connlimit --connlimit-above 0
-A INPUT -m connlimit --connlimit-above 4294967295 --connlimit-mask 128 --connlimit-saddr
-A INPUT -m connlimit --connlimit-above 4294967296 --connlimit-mask 128 --connlimit-saddr
-A INPUT -m connlimit --connlimit-above -1
-A INPUT -m connlimit --connlimit-above 10 --connlimit-saddr
-A INPUT -m connlimit --connlimit-above 10 --connlimit-daddr
-A INPUT -m connlimit --connlimit-above 10 --connlimit-mask 128 --connlimit-saddr
-A INPUT -m connlimit --connlimit-above 10 --connlimit-mask 128 --connlimit-daddr
-A INPUT -m connlimit
COMMIT
