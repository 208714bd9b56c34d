*filter
-A INPUT -m connlimit --connlimit-above -1
-A INPUT -m connlimit --connlimit-upto 1 --conlimit-above 1
-A INPUT -m connlimit --connlimit-above 10 --connlimit-saddr --connlimit-daddr
-A INPUT -m connlimit
COMMIT
