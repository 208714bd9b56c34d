*filter
-A INPUT -m helper --helper ftp
-A INPUT -m helper
COMMIT
