*filter
-A INPUT -m iprange --src-range 1.1.1.1-1.1.1.10
-A INPUT -m iprange ! --src-range 1.1.1.1-1.1.1.10
-A INPUT -m iprange --dst-range 1.1.1.1-1.1.1.10
-A INPUT -m iprange ! --dst-range 1.1.1.1-1.1.1.10
COMMIT
