*filter
-A INPUT -m connlimit --connlimit-upto 0
-A INPUT -m connlimit --connlimit-upto 4294967295 --connlimit-mask 32 --connlimit-saddr
-A INPUT -m connlimit --connlimit-upto 4294967296 --connlimit-mask 32 --connlimit-saddr
-A INPUT -m connlimit --connlimit-above 0
-A INPUT -m connlimit --connlimit-above 4294967295 --connlimit-mask 32 --connlimit-saddr
-A INPUT -m connlimit --connlimit-above 4294967296 --connlimit-mask 32 --connlimit-saddr
-A INPUT -m connlimit --connlimit-above 10 --connlimit-mask 32 --connlimit-saddr
-A INPUT -m connlimit --connlimit-above 10 --connlimit-mask 32 --connlimit-daddr
COMMIT
