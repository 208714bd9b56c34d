*filter
-A INPUT -m rt --rt-type 0 --rt-segsleft 1:23 --rt-len 42 --rt-0-res
-A INPUT -m rt --rt-type 0 ! --rt-segsleft 1:23 ! --rt-len 42 --rt-0-res
-A INPUT -m rt ! --rt-type 1 ! --rt-segsleft 12:23 ! --rt-len 42
-A INPUT -m rt
-A INPUT -m rt --rt-segsleft :
-A INPUT -m rt ! --rt-segsleft :
-A INPUT -m rt --rt-segsleft :3
-A INPUT -m rt --rt-segsleft 3:
-A INPUT -m rt --rt-segsleft 3:3
COMMIT
