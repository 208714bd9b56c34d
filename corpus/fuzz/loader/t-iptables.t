*filter
-A FORWARD -i alongifacename0
-A FORWARD -i thisinterfaceistoolong0
-A FORWARD -i eth+ -o alongifacename+
-A FORWARD ! -o eth+
-A FORWARD -i + -j ACCEPT
-A FORWARD ! -i +
-A FORWARD -c ,3
-A FORWARD -c ,
-A FORWARD -c 2,3 -j ACCEPT
COMMIT
