*filter
-A INPUT -m length --length 1
-A INPUT -m length --length :2
-A INPUT -m length --length 0:3
-A INPUT -m length --length :
-A INPUT -m length --length 0:65535
-A INPUT -m length ! --length 0:65535
-A INPUT -m length --length 0:65536
-A INPUT -m length --length -1:65535
-A INPUT -m length --length 4:4
-A INPUT -m length --length 4:3
-A INPUT -m length
COMMIT
