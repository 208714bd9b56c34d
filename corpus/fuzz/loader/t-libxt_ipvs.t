*filter
-A INPUT -m ipvs --ipvs
-A INPUT -m ipvs ! --ipvs
-A INPUT -m ipvs --vproto tcp
-A INPUT -m ipvs ! --vproto TCP
-A INPUT -m ipvs --vport http
-A INPUT -m ipvs ! --vport ssh
-A INPUT -m ipvs ! --vport 443
-A INPUT -m ipvs --vdir ORIGINAL
-A INPUT -m ipvs --vdir REPLY
-A INPUT -m ipvs --vmethod GATE
-A INPUT -m ipvs --vmethod MASQ
-A INPUT -m ipvs --vportctl 21
-A INPUT -m ipvs ! --vportctl 21
COMMIT
