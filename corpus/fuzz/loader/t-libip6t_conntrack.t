*filter
-A INPUT -m conntrack --ctorigsrc 2001:db8::1
-A INPUT -m conntrack --ctorigdst 2001:db8::1
-A INPUT -m conntrack --ctreplsrc 2001:db8::1
COMMIT
