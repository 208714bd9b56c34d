*filter
-A INPUT -m recent --set
-A INPUT -m recent --rcheck --hitcount 8 --name foo --mask 255.255.255.255 --rsource
-A INPUT -m recent --rcheck --hitcount 12 --name foo --mask 255.255.255.255 --rsource
-A INPUT -m recent --update --rttl
-A INPUT -m recent --rcheck --hitcount 65536 --name foo --mask 255.255.255.255 --rsource
-A INPUT -m recent --rcheck --hitcount 3 --name foo --mask 255.255.255.255 --rsource -m recent --rcheck --hitcount 4 --name foo --mask 255.255.255.255 --rsource
-A INPUT -m recent --rcheck --hitcount 4 --name foo --mask 255.255.255.255 --rsource -m recent --rcheck --hitcount 4 --name foo --mask 255.255.255.255 --rsource
-A INPUT -m recent --rcheck --hitcount 8 --name foo --mask 255.255.255.255 --rsource -m recent --rcheck --hitcount 12 --name foo --mask 255.255.255.255 --rsource
COMMIT
