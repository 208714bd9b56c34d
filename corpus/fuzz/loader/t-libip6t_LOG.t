*filter
-A INPUT -j LOG
-A INPUT -j LOG --log-prefix "test: "
-A INPUT -j LOG --log-prefix "test: " --log-level 1
-A INPUT -j LOG --log-prefix "test: " --log-tcp-sequence
-A INPUT -j LOG --log-prefix "test: " --log-tcp-options
-A INPUT -j LOG --log-prefix "test: " --log-ip-options
-A INPUT -j LOG --log-prefix "test: " --log-uid
-A INPUT -j LOG --log-prefix "test: " --log-level bad
-A INPUT -j LOG --log-prefix
COMMIT
