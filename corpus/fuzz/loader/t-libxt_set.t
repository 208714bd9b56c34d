*filter
-A INPUT -m set --match-set foo
-A INPUT -m set --match-set foo src,dst
COMMIT
