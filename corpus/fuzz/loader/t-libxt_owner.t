*mangle
-A INPUT -m owner --uid-owner root
-A INPUT -m owner --uid-owner 0-10
-A INPUT -m owner --gid-owner root
-A INPUT -m owner --gid-owner 0-10
-A INPUT -m owner --uid-owner root --gid-owner root
-A INPUT -m owner --uid-owner 0-10 --gid-owner 0-10
-A INPUT -m owner ! --uid-owner root
-A INPUT -m owner --socket-exists
-A INPUT -m owner --gid-owner 0-10 --suppl-groups
-A INPUT -m owner --suppl-groups --gid-owner 0-10
-A INPUT -m owner --gid-owner 0-10 ! --suppl-groups
-A INPUT -m owner --suppl-groups
-A INPUT -m owner --uid-owner root
COMMIT
