*filter
-A INPUT -m frag --fragid :
-A INPUT -m frag ! --fragid :
-A INPUT -m frag --fragid :42
-A INPUT -m frag --fragid 1:42
-A INPUT -m frag --fragid 3:3
-A INPUT -m frag --fragid 4:3
-A INPUT -m frag --fraglen 42
-A INPUT -m frag --fragfirst
-A INPUT -m frag --fragmore
-A INPUT -m frag --fraglast
-A INPUT -m frag ! --fragid 1 ! --fraglen 42 --fragres --fragfirst
-A INPUT -m frag --fragfirst --fragmore
-A INPUT -m frag --fraglast --fragmore
-A INPUT -d ff02::fb/128 -p udp -m udp --dport 5353 -m frag --fragmore
COMMIT
