*filter
-A INPUT -m connlabel --label "40"
-A INPUT -m connlabel ! --label "40"
-A INPUT -m connlabel --label "41" --set
-A INPUT -m connlabel ! --label "41" --set
-A INPUT -m connlabel --label "2048"
-A INPUT -m connlabel --label "foobar_not_there"
COMMIT
