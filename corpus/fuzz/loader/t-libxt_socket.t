*mangle
-A PREROUTING -m socket
-A PREROUTING -m socket --transparent --nowildcard
-A PREROUTING -m socket --transparent --nowildcard --restore-skmark
-A PREROUTING -m socket --transparent --restore-skmark
-A PREROUTING -m socket --nowildcard --restore-skmark
-A PREROUTING -m socket --restore-skmark
COMMIT
