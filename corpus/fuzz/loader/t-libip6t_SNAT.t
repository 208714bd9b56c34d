*nat
-A POSTROUTING -j SNAT --to-source dead::beef
-A POSTROUTING -j SNAT --to-source [dead::beef]:1025-65535
-A POSTROUTING -j SNAT --to-source [dead::beef] --to-source [dead::fee7]
-A POSTROUTING -j SNAT --to-source dead::beef --random
-A POSTROUTING -j SNAT --to-source dead::beef --random-fully
-A POSTROUTING -j SNAT --to-source dead::beef --persistent
-A POSTROUTING -j SNAT --to-source dead::beef --random --persistent
-A POSTROUTING -j SNAT --to-source dead::beef --random --random-fully
-A POSTROUTING -p tcp -j SNAT --to-source [dead::beef]:1025-65535
-A POSTROUTING -p tcp -j SNAT --to-source [dead::beef-dead::fee7]:1025-65535
-A POSTROUTING -p tcp -j SNAT --to-source [dead::beef-dead::fee7]:1025-65536
-A POSTROUTING -p tcp -j SNAT --to-source [dead::beef-dead::fee7]:1025-65535 --to-source [dead::beef-dead::fee8]:1025-65535
-A POSTROUTING -j SNAT
COMMIT
