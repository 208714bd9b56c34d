*filter
-A INPUT -m statistic
-A INPUT -m statistic --mode random ! --probability 0.50000000000
-A INPUT -m statistic --mode random ! --probability 1.1
-A INPUT -m statistic --probability 1
-A INPUT -m statistic --mode nth ! --every 5 --packet 2
-A INPUT -m statistic --mode nth ! --every 5
-A INPUT -m statistic --mode nth ! --every 5 --packet 5
COMMIT
