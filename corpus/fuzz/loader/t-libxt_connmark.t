*mangle
-A PREROUTING -m connmark --mark 0xffffffff
-A PREROUTING -m connmark --mark 0xffffffff/0x0
-A PREROUTING -m connmark --mark 0/0xffffffff
-A PREROUTING -m connmark --mark -1
-A PREROUTING -m connmark --mark 0xfffffffff
-A PREROUTING -m connmark
COMMIT
