# ufw commands for the ufw-custom ruleset (run with sh -e inside the namespace,
# with a private copy of /etc/ufw and /etc/default/ufw).
ufw --force enable
ufw default deny incoming
ufw default allow outgoing
ufw default deny routed
ufw logging medium
ufw limit 22/tcp comment 'ssh brute-force protection'
ufw allow 80,443/tcp
ufw allow 60000:61000/udp
ufw allow log 2222/tcp
ufw allow log-all 8443/tcp
ufw deny 23/tcp
ufw reject 113/tcp
ufw deny from 198.51.100.0/24
ufw insert 1 deny from 203.0.113.99 to any
ufw allow from 192.168.1.0/24 to any port 53 proto udp
ufw allow in on eth1 from 192.168.1.10 to any port 3306 proto tcp
ufw allow from 2001:db8:0:2::/64 to any port 8080 proto tcp
ufw allow proto tcp from any to 203.0.113.2 port 25
ufw deny out 6667/tcp
ufw reject out on eth0 to 198.51.100.7
ufw allow in on eth1 to any app 'WWW Full' || ufw allow in on eth1 to any port 8000
ufw route allow in on eth1 out on eth0
ufw route allow in on eth0 out on eth1 to 192.168.1.20 port 80 proto tcp
ufw route deny in on eth1 out on eth0 to any port 25 proto tcp
ufw status verbose
