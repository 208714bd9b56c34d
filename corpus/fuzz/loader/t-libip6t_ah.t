*filter
-A INPUT -m ah --ahspi 0
-A INPUT -m ah --ahspi 4294967295
-A INPUT -m ah --ahspi 0:4294967295
-A INPUT -m ah ! --ahspi 0
-A INPUT -m ah --ahspi 4294967296
-A INPUT -m ah --ahspi invalid
-A INPUT -m ah --ahspi
-A INPUT -m ah
-A INPUT -m ah --ahspi :
-A INPUT -m ah --ahspi :3
-A INPUT -m ah --ahspi 3:3
-A INPUT -m ah --ahspi 4:3
COMMIT
