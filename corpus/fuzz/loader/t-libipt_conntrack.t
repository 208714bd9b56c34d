*filter
-A INPUT -m conntrack --ctorigsrc 1.1.1.1
-A INPUT -m conntrack --ctreplsrc 1.1.1.1
-A INPUT -m conntrack --ctrepldst 1.1.1.1
COMMIT
