*filter
-A INPUT -m realm --realm 0x1/0x2a
-A INPUT -m realm --realm 0x2a
-A INPUT -m realm
COMMIT
