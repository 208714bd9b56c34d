*mangle
-A PREROUTING -j CHECKSUM --checksum-fill
COMMIT
