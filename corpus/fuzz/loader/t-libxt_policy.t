*filter
-A INPUT -m policy --dir in --pol ipsec --proto ipcomp
COMMIT
