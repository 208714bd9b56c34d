*filter
-A INPUT -j TEE --gateway 1.1.1.1
-A INPUT -j TEE ! --gateway 1.1.1.1
COMMIT
