*filter
-A INPUT -m mac --mac-source 42:01:02:03:04:05
-A INPUT -m mac --mac-source 42:01:02:03:04
-A INPUT -m mac --mac-source 42:01:02:03:04:05:06
-A INPUT -m mac
COMMIT
