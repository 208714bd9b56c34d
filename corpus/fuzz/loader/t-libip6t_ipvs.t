*filter
-A INPUT -m ipvs --vaddr 2001:db8::1
-A INPUT -m ipvs ! --vaddr 2001:db8::/64
-A INPUT -m ipvs --vproto 6 --vaddr 2001:db8::/64 --vport 22 --vdir ORIGINAL --vmethod GATE
COMMIT
