*filter
-A INPUT -m dst --dst-len 0
-A INPUT -m dst --dst-opts 149:92,12:12,123:12
-A INPUT -m dst ! --dst-len 42
COMMIT
