*filter
-A INPUT -m rateest --rateest RE1 --rateest-lt --rateest-bps 8bit
-A INPUT -m rateest --rateest RE1 --rateest-eq --rateest-pps 5
-A INPUT -m rateest --rateest RE1 --rateest-gt --rateest-bps 5kbit
-A INPUT -m rateest --rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-lt --rateest-bps2 16bit
-A INPUT -m rateest --rateest1 RE1 --rateest-lt --rateest-bps --rateest2 RE2
-A INPUT -m rateest --rateest-delta --rateest1 RE1 --rateest-pps1 0 --rateest-lt --rateest-pps2 42 --rateest2 RE2
-A INPUT -m rateest --rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-eq --rateest-bps2 16bit
-A INPUT -m rateest --rateest-delta --rateest RE1 --rateest-bps1 8bit --rateest-gt --rateest-bps2 16bit
-A INPUT -m rateest --rateest-delta --rateest RE1 --rateest-pps1 8 --rateest-lt --rateest-pps2 9
-A INPUT -m rateest --rateest-delta --rateest RE1 --rateest-pps1 8 --rateest-gt --rateest-pps2 9
COMMIT
