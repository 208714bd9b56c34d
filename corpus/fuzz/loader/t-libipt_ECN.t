*mangle
-A PREROUTING -j ECN
-A PREROUTING -p tcp -j ECN
-A PREROUTING -p tcp -j ECN --ecn-tcp-remove
COMMIT
