*mangle
-A PREROUTING -j TTL --ttl-set 42
-A PREROUTING -j TTL --ttl-inc 1
-A PREROUTING -j TTL --ttl-dec 1
-A PREROUTING -j TTL --ttl-set 256
-A PREROUTING -j TTL --ttl-inc 0
-A PREROUTING -j TTL --ttl-dec 0
-A PREROUTING -j TTL --ttl-dec 1 --ttl-inc 1
-A PREROUTING -j TTL --ttl-set --ttl-inc 1
COMMIT
