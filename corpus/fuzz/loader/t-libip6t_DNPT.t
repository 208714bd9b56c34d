*mangle
-A PREROUTING -j DNPT --src-pfx dead::/64 --dst-pfx 1c3::/64
-A PREROUTING -j DNPT --src-pfx dead::/64
-A PREROUTING -j DNPT
COMMIT
