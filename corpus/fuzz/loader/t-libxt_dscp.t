*filter
-A INPUT -m dscp --dscp 0x00
-A INPUT -m dscp --dscp 0x3f
-A INPUT -m dscp --dscp -1
-A INPUT -m dscp --dscp-class CS0
-A INPUT -m dscp --dscp-class EF
COMMIT
