*filter
-A INPUT -m comment
-A INPUT -m comment --comment
-A INPUT -p tcp -m tcp --dport 22 -m comment --comment foo
COMMIT
