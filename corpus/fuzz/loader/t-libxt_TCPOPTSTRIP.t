*mangle
-A PREROUTING -j TCPOPTSTRIP
-A PREROUTING -p tcp -j TCPOPTSTRIP
-A PREROUTING -p tcp -j TCPOPTSTRIP --strip-options 2,3,4,5,6,7
-A PREROUTING -p tcp -j TCPOPTSTRIP --strip-options 0
-A PREROUTING -p tcp -j TCPOPTSTRIP --strip-options 1
-A PREROUTING -p tcp -j TCPOPTSTRIP --strip-options 1,2
COMMIT
