*filter
-A INPUT -j MARK --set-xmark 0xfeedcafe/0xfeedcafe
-A INPUT -j MARK --set-xmark 4294967295
-A INPUT -j MARK
COMMIT
