*filter
-A INPUT -m ipvs --vaddr 1.2.3.4
-A INPUT -m ipvs ! --vaddr 1.2.3.4/255.255.255.0
COMMIT
