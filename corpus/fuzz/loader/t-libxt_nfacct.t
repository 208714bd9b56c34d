*filter
-A INPUT -m nfacct --nfacct-name wrong
COMMIT
