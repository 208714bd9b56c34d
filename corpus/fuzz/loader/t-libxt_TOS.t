*mangle
-A PREROUTING -j TOS --set-tos 0x1f
-A PREROUTING -j TOS --set-tos 0x1f/0x1f
-A PREROUTING -j TOS --set-tos Minimize-Delay
-A PREROUTING -j TOS --set-tos Minimize-Cost
-A PREROUTING -j TOS --set-tos Normal-Service
-A PREROUTING -j TOS --and-tos 0x12
-A PREROUTING -j TOS --or-tos 0x12
COMMIT
