*filter
-A INPUT -p ah -m ah --ahspi 0
-A INPUT -p ah -m ah --ahspi 4294967295
-A INPUT -p ah -m ah --ahspi 0:4294967295
-A INPUT -p ah -m ah ! --ahspi 0
-A INPUT -p ah -m ah --ahspi -1
-A INPUT -p ah -m ah --ahspi 4294967296
-A INPUT -p ah -m ah --ahspi invalid
-A INPUT -p ah -m ah --ahspi 0:invalid
-A INPUT -m ah --ahspi 0
-A INPUT -m ah --ahspi
-A INPUT -m ah
-A INPUT -p ah -m ah --ahspi :
-A INPUT -p ah -m ah ! --ahspi :
-A INPUT -p ah -m ah --ahspi :3
-A INPUT -p ah -m ah --ahspi 3:
-A INPUT -p ah -m ah --ahspi 3:3
COMMIT
