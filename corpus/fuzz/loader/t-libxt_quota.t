*filter
-A INPUT -m quota --quota 0
-A INPUT -m quota ! --quota 0
-A INPUT -m quota --quota 18446744073709551615
-A INPUT -m quota ! --quota 18446744073709551615
-A INPUT -m quota --quota 18446744073709551616
-A INPUT -m quota
COMMIT
