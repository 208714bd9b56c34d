*mangle
-A PREROUTING -j HL --hl-set 42
-A PREROUTING -j HL --hl-inc 1
-A PREROUTING -j HL --hl-dec 1
-A PREROUTING -j HL --hl-set 256
-A PREROUTING -j HL --hl-inc 0
-A PREROUTING -j HL --hl-dec 0
-A PREROUTING -j HL --hl-dec 1 --hl-inc 1
-A PREROUTING -j HL --hl-set --hl-inc 1
COMMIT
