*nat
-A POSTROUTING -j SNAT --to-source 1.1.1.1
-A POSTROUTING -j SNAT --to-source 1.1.1.1-1.1.1.10
-A POSTROUTING -j SNAT --to-source 1.1.1.1 --to-source 2.2.2.2
-A POSTROUTING -j SNAT --to-source 1.1.1.1 --random
-A POSTROUTING -j SNAT --to-source 1.1.1.1 --random-fully
-A POSTROUTING -j SNAT --to-source 1.1.1.1 --random --persistent
-A POSTROUTING -j SNAT --to-source 1.1.1.1 --random --random-fully --persistent
-A POSTROUTING -p tcp -j SNAT --to-source 1.1.1.1:1025-65535
-A POSTROUTING -p tcp -j SNAT --to-source 1.1.1.1-1.1.1.10:1025-65535
-A POSTROUTING -p tcp -j SNAT --to-source 1.1.1.1-1.1.1.10:1025-65536
-A POSTROUTING -p tcp -j SNAT --to-source 1.1.1.1-1.1.1.10:1025-65535 --to-source 2.2.2.2-2.2.2.20:1025-65535
COMMIT
