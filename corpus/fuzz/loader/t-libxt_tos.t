*filter
-A INPUT -m tos --tos Minimize-Delay
-A INPUT -m tos --tos Maximize-Throughput
-A INPUT -m tos --tos Maximize-Reliability
-A INPUT -m tos --tos Minimize-Cost
-A INPUT -m tos --tos Normal-Service
-A INPUT -m tos --tos 0xff
-A INPUT -m tos ! --tos 0xff
-A INPUT -m tos --tos 0x00
-A INPUT -m tos --tos 0x0f
-A INPUT -m tos --tos wrong
-A INPUT -m tos
COMMIT
