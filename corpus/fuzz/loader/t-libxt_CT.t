*raw
-A PREROUTING -j CT --notrack
-A PREROUTING -j CT --ctevents new,related,destroy,reply,assured,protoinfo,helper,mark
-A PREROUTING -j CT --expevents new
-A PREROUTING -j CT --zone 65535
-A PREROUTING -j CT --zone 65536
-A PREROUTING -j CT --zone -1
COMMIT
