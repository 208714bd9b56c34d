*nat
-A PREROUTING -j DNAT --to-destination dead::beef-dead::fee7
-A PREROUTING -j DNAT --to-destination [dead::beef] --to-destination [dead::fee7]
-A PREROUTING -p tcp -j DNAT --to-destination [dead::beef]:1025-65535
-A PREROUTING -p tcp -j DNAT --to-destination [dead::beef-dead::fee7]:1025-65535
-A PREROUTING -p tcp -j DNAT --to-destination [dead::beef-dead::fee7]:1025-65536
-A PREROUTING -p tcp -j DNAT --to-destination [dead::beef-dead::fee7]:1025-65535 --to-destination [dead::beef-dead::fee8]:1025-65535
-A PREROUTING -p tcp -j DNAT --to-destination [dead::beef-dead::fee7]:1000-2000/1000
-A PREROUTING -p tcp -j DNAT --to-destination [dead::beef-dead::fee7]:1000-2000/3000
-A PREROUTING -p tcp -j DNAT --to-destination [dead::beef-dead::fee7]:1000-2000/65535
-A PREROUTING -p tcp -j DNAT --to-destination [dead::beef-dead::fee7]:1000-2000/0
-A PREROUTING -p tcp -j DNAT --to-destination [dead::beef-dead::fee7]:1000-2000/65536
-A PREROUTING -p tcp -j DNAT --to-destination [dead::beef]:ssh
-A PREROUTING -p tcp -j DNAT --to-destination [dead::beef]:ftp-data
-A PREROUTING -p tcp -j DNAT --to-destination [dead::beef]:echo-ssh
-A PREROUTING -p tcp -j DNAT --to-destination [dead::beef]:10-20/ftp
COMMIT
