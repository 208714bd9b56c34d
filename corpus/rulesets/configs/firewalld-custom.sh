# firewalld commands for the firewalld-custom ruleset.
# Part 1 runs before the daemon starts (permanent configuration written by
# firewall-offline-cmd into the private /etc/firewalld); part 2 talks to the
# running daemon over the private system bus (runtime changes).
# The script is sourced with $1 = offline | runtime.
set -e
case $1 in
offline)
    o=firewall-offline-cmd
    $o --set-log-denied=unicast
    # WAN side: external zone (masquerade on by default)
    $o --zone=external --add-interface=eth0
    $o --zone=external --add-service=http --add-service=https
    $o --zone=external --add-port=8443/tcp --add-port=60000-61000/udp
    $o --zone=external --add-forward-port=port=2222:proto=tcp:toport=22:toaddr=192.168.1.30
    $o --zone=external --add-forward-port=port=8080:proto=tcp:toport=80
    $o --zone=external --add-icmp-block=timestamp-request --add-icmp-block=timestamp-reply
    $o --zone=external --add-rich-rule='rule family="ipv4" source address="198.51.100.0/24" drop'
    $o --zone=external --add-rich-rule='rule family="ipv4" source address="192.0.2.0/24" service name="ssh" log prefix="ssh-test-net " level="notice" limit value="3/m" accept'
    $o --zone=external --add-rich-rule='rule family="ipv6" source address="2001:db8:dead::/48" reject type="icmp6-adm-prohibited"'
    $o --zone=external --add-rich-rule='rule service name="ftp" audit limit value="1/m" accept'
    $o --zone=external --add-rich-rule='rule family="ipv4" forward-port port="5060" protocol="udp" to-port="5060" to-addr="192.168.1.40"'
    $o --zone=external --add-rich-rule='rule family="ipv4" source address="192.168.1.50" mark set="0x10/0xff"'
    $o --zone=external --add-rich-rule='rule protocol value="gre" accept'
    # LAN side: internal zone
    $o --zone=internal --add-interface=eth1
    $o --zone=internal --add-service=dns --add-service=dhcp --add-service=ntp --add-service=tftp
    $o --zone=internal --add-source=192.168.2.0/24
    $o --zone=internal --add-icmp-block-inversion
    $o --zone=internal --add-icmp-block=echo-request
    # blocklist through an ipset bound to the drop zone
    $o --new-ipset=blocklist --type=hash:net --option=family=inet --option=maxelem=65536
    $o --ipset=blocklist --add-entry=203.0.113.200 --ipset=blocklist --add-entry=192.0.2.128/25
    $o --zone=drop --add-source=ipset:blocklist
    # trusted management host by MAC address
    $o --zone=trusted --add-source=52:54:00:12:34:56
    # policy object: LAN -> WAN forwarding
    $o --new-policy=lan-to-wan
    $o --policy=lan-to-wan --add-ingress-zone=internal
    $o --policy=lan-to-wan --add-egress-zone=external
    $o --policy=lan-to-wan --set-target=ACCEPT
    $o --policy=lan-to-wan --add-rich-rule='rule family="ipv4" destination address="198.51.100.25" port port="25" protocol="tcp" reject'
    # direct interface (raw iptables arguments)
    $o --direct --add-chain ipv4 filter ssh_limit
    $o --direct --add-rule ipv4 filter ssh_limit 0 -m recent --name SSH --update --seconds 60 --hitcount 5 -j DROP
    $o --direct --add-rule ipv4 filter ssh_limit 1 -m recent --name SSH --set -j RETURN
    $o --direct --add-rule ipv4 filter INPUT 0 -p tcp --dport 22 -m conntrack --ctstate NEW -j ssh_limit
    $o --direct --add-rule ipv4 filter INPUT 1 -p tcp --dport 9999 -m connlimit --connlimit-above 10 -j REJECT --reject-with tcp-reset
    $o --direct --add-rule ipv6 mangle FORWARD 0 -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
    ;;
runtime)
    c=firewall-cmd
    $c --zone=external --add-service=imaps
    $c --zone=internal --add-port=3306/tcp
    $c --zone=external --add-rich-rule='rule family="ipv4" source address="203.0.113.77" port port="443" protocol="tcp" log prefix="https-watch " level="info" accept'
    $c --get-active-zones
    ;;
esac
