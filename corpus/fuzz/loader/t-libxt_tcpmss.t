*filter
-A INPUT -p tcp -m tcpmss --mss 42
-A INPUT -p tcp -m tcpmss --mss :
-A INPUT -p tcp -m tcpmss --mss :42
-A INPUT -p tcp -m tcpmss --mss 42:
-A INPUT -p tcp -m tcpmss --mss 42:42
-A INPUT -p tcp -m tcpmss --mss 42:65536
-A INPUT -p tcp -m tcpmss --mss 65535:1000
COMMIT
