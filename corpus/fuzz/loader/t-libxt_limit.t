*filter
-A INPUT -m limit --limit 1/min
-A INPUT -m limit --limit 1000/hour
-A INPUT -m limit --limit 1000/day
-A INPUT -m limit --limit 1/sec --limit-burst 1
COMMIT
