*filter
-A INPUT -p tcp -m multiport --sports 53,1024:65535
-A INPUT -p tcp -m multiport --dports 53,1024:65535
-A INPUT -p udp -m multiport --sports 53,1024:65535
-A INPUT -p udp -m multiport --dports 53,1024:65535
-A INPUT -p udp -m multiport --ports 53,1024:65535
-A INPUT -p udp -m multiport --ports 53,1024:65535
-A INPUT -p sctp -m multiport --sports 53,1024:65535
-A INPUT -p sctp -m multiport --dports 53,1024:65535
-A INPUT -p dccp -m multiport --sports 53,1024:65535
-A INPUT -p udplite -m multiport --sports 53,1024:65535
-A INPUT -p udplite -m multiport --dports 53,1024:65535
-A INPUT -p tcp -m multiport --sports 1024:65536
-A INPUT -p udp -m multiport --sports 1024:65536
-A INPUT -p tcp -m multiport --ports 1024:65536
-A INPUT -p udp -m multiport --ports 1024:65536
-A INPUT -p tcp -m multiport --ports 1,2,3,4,6,7,8,9,10,11,12,13,14,15
-A INPUT -p tcp --multiport
-A INPUT -m multiport
COMMIT
