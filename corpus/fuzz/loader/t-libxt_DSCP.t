*mangle
-A PREROUTING -j DSCP --set-dscp 0x00
-A PREROUTING -j DSCP --set-dscp 0x3f
-A PREROUTING -j DSCP --set-dscp -1
-A PREROUTING -j DSCP --set-dscp 0x40
-A PREROUTING -j DSCP --set-dscp 0x3f --set-dscp-class CS0
-A PREROUTING -j DSCP --set-dscp-class BE
-A PREROUTING -j DSCP --set-dscp-class EF
-A PREROUTING -j DSCP
COMMIT
