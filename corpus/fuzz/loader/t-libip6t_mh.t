*filter
-A INPUT -m mh
-A INPUT -p mobility-header -m mh
-A INPUT -p mobility-header -m mh --mh-type 1
-A INPUT -p mobility-header -m mh ! --mh-type 4
-A INPUT -p mobility-header -m mh --mh-type 4:123
-A INPUT -p mobility-header -m mh --mh-type 3:
-A INPUT -p mobility-header -m mh --mh-type 3:3
COMMIT
