*filter
-A INPUT -p ipcomp -m ipcomp --ipcompspi 18 -j DROP
-A INPUT -p ipcomp -m ipcomp ! --ipcompspi 18 -j ACCEPT
-A INPUT -p ipcomp -m ipcomp --ipcompspi :
-A INPUT -p ipcomp -m ipcomp ! --ipcompspi :
-A INPUT -p ipcomp -m ipcomp --ipcompspi :4
-A INPUT -p ipcomp -m ipcomp --ipcompspi 4:4
-A INPUT -p ipcomp -m ipcomp --ipcompspi 4:3
COMMIT
