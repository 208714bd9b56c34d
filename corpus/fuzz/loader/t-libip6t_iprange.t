*filter
-A INPUT -m iprange ! --src-range 2001:db8::1-2001:db8::10
-A INPUT -m iprange ! --dst-range 2001:db8::1-2001:db8::10
COMMIT
