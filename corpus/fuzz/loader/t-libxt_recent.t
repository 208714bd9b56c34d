*filter
-A INPUT -m recent --set --rttl
COMMIT
