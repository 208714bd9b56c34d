*filter
-A FORWARD ! -s 0.0.0.0 -j ACCEPT
-A FORWARD ! -d 0.0.0.0/32 -j ACCEPT
-A FORWARD -s 0.0.0.0/24 -j RETURN
-A FORWARD -s 10.11.12.13/8
-A FORWARD -s 10.11.12.13/9
-A FORWARD -s 10.11.12.13/11
-A FORWARD -s 10.11.12.13/12
-A FORWARD -s 10.11.12.13/30
-A FORWARD -s 10.11.12.13/31
-A FORWARD -s 10.11.12.13/32
-A FORWARD -s 10.11.12.13/255.128.0.0
-A FORWARD -s 10.11.12.13/255.0.255.0
-A FORWARD -s 10.11.12.13/255.0.12.0
-A FORWARD --protocol=tcp --source=1.2.3.4 --destination=5.6.7.8/32 --in-interface=eth0 --out-interface=eth1 --jump=ACCEPT
-A FORWARD -ptcp -s1.2.3.4 -d5.6.7.8/32 -ieth0 -oeth1 -jACCEPT
-A FORWARD -i + -d 1.2.3.4
COMMIT
