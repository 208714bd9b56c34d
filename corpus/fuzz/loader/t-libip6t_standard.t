*filter
-A INPUT -s ::/128
-A INPUT ! -d ::
-A INPUT ! -s ::
-A INPUT -s ::/64
-A INPUT -i + -d c0::fe
-A INPUT -i + -p tcp
COMMIT
