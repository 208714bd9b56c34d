*filter
-A INPUT -m mark --mark 0xfeedcafe/0xfeedcafe
-A INPUT -m mark --mark 4294967296
-A INPUT -m mark --mark -1
-A INPUT -m mark
-A INPUT -m mark --mark 0x0/0xff0
COMMIT
