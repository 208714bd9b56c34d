*filter
-A OUTPUT -m addrtype
-A OUTPUT -m addrtype --src-type wrong
-A OUTPUT -m addrtype --dst-type UNSPEC
-A OUTPUT -m addrtype --dst-type UNSPEC
-A OUTPUT -m addrtype --limit-iface-in
-A OUTPUT -m addrtype --limit-iface-out
-A OUTPUT -m addrtype --src-type LOCAL --limit-iface-in --limit-iface-out
-A OUTPUT -m addrtype --src-type LOCAL --limit-iface-in
-A OUTPUT -m addrtype --dst-type LOCAL --limit-iface-in
-A OUTPUT -m addrtype --src-type LOCAL --limit-iface-out
-A OUTPUT -m addrtype --dst-type LOCAL --limit-iface-out
COMMIT
