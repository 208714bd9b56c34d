*filter
-A INPUT -m osf --genre linux --ttl 0 --log 0
-A INPUT -p tcp -m osf --genre linux --ttl 0 --log 0
-A INPUT -p tcp -m osf --genre linux --ttl 3 --log 0
COMMIT
