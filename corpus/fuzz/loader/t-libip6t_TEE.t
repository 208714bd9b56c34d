*filter
-A INPUT -j TEE ! --gateway 2001:db8::1
COMMIT
