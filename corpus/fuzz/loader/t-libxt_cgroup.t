*mangle
-A INPUT -m cgroup --path "/"
-A INPUT -m cgroup ! --path "/"
-A INPUT -m cgroup 
COMMIT
