*filter
-A INPUT -m hl
-A INPUT -m hl --hl-eq 42
-A INPUT -m hl ! --hl-eq 42
-A INPUT -m hl --hl-gt 42
-A INPUT -m hl --hl-gt 42 --hl-eq 42
COMMIT
