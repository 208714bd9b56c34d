*mangle
-A PREROUTING -m rpfilter
-A PREROUTING -m rpfilter --loose --validmark --accept-local --invert
COMMIT
