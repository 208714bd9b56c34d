*filter
-A INPUT -p esp -m esp --espspi 0
-A INPUT -p esp -m esp --espspi :32
-A INPUT -p esp -m esp ! --espspi 0:4294967294
-A INPUT -p esp -m esp --espspi -1
-A INPUT -p esp -m esp ! --espspi :
-A INPUT -p esp -m esp --espspi 3:4
-A INPUT -p esp -m esp --espspi 4:4
-A INPUT -p esp -m esp
-A INPUT -m esp
COMMIT
