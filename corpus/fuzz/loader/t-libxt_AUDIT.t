*filter
-A INPUT -j AUDIT --type reject
-A INPUT -j AUDIT
-A INPUT -j AUDIT --type wrong
COMMIT
