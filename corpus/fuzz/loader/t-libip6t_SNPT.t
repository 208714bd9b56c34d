*mangle
-A INPUT -j SNPT --src-pfx dead::/64 --dst-pfx 1c3::/64
-A INPUT -j SNPT --src-pfx dead::beef --dst-pfx 1c3::/64
-A INPUT -j SNPT --src-pfx dead::/64
-A INPUT -j SNPT --dst-pfx dead::/64
COMMIT
