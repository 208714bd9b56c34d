*filter
-A INPUT -j IDLETIMER --timeout
-A INPUT -j IDLETIMER --timeout 42
-A INPUT -j IDLETIMER --timeout 42 --label bar --alarm
COMMIT
