*filter
-A INPUT -m cpu --cpu 0
-A INPUT -m cpu --cpu 4294967295
-A INPUT -m cpu --cpu 4294967296
-A INPUT -m cpu
COMMIT
