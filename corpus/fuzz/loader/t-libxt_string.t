*filter
-A INPUT -m string --algo bm --string "test"
-A INPUT -m string --string "test" --algo kmp
-A INPUT -m string ! --string "test" --algo kmp
-A INPUT -m string --string "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" --algo bm
-A INPUT -m string --string "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" --algo bm
-A INPUT -m string --hex-string "|0a0a0a0a|" --algo bm
-A INPUT -m string --algo bm --from 0 --to 65535 --string "test"
-A INPUT -m string
COMMIT
