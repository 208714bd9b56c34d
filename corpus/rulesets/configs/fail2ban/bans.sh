# fail2ban-client commands run against the server for fail2ban-jails
set -e
c=fail2ban-client
$c set sshd banip 198.51.100.23 203.0.113.66 2001:db8:bad::5
$c set nginx-http-auth banip 192.0.2.10 2001:db8:bad::80
$c set postfix banip 198.51.100.50 2001:db8:bad::25
$c set dovecot banip 192.0.2.33
$c set pure-ftpd banip 198.51.100.77
$c set recidive banip 192.0.2.200 2001:db8:bad::1
$c status
