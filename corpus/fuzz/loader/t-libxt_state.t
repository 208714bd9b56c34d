*filter
-A INPUT -m state --state INVALID
-A INPUT -m state --state NEW,RELATED
-A INPUT -m state --state UNTRACKED
-A INPUT -m state wrong
-A INPUT -m state
COMMIT
