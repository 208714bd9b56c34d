*filter
-A INPUT -j LED
-A INPUT -j LED --led-trigger-id "foo" --led-delay 42 --led-always-blink
COMMIT
