*mangle
-A POSTROUTING -m physdev --physdev-in lo
-A POSTROUTING -m physdev --physdev-is-in --physdev-in lo
-A POSTROUTING -m physdev --physdev-in lo --physdev-is-bridged
-A POSTROUTING -m physdev --physdev-out lo --physdev-is-bridged
COMMIT
