*filter
-A INPUT -m ttl --ttl-eq 0
-A INPUT -m ttl --ttl-eq 255
-A INPUT -m ttl ! --ttl-eq 0
-A INPUT -m ttl ! --ttl-eq 255
-A INPUT -m ttl --ttl-gt 0
-A INPUT -m ttl --ttl-eq -1
-A INPUT -m ttl
COMMIT
