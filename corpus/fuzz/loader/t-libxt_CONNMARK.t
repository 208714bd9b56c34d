*mangle
-A PREROUTING -j CONNMARK --restore-mark
-A PREROUTING -j CONNMARK --save-mark
-A PREROUTING -j CONNMARK --restore-mark --nfmask 0xfffffff --ctmask 0xffffffff
-A PREROUTING -j CONNMARK
COMMIT
