*mangle
-A PREROUTING -m cluster
-A PREROUTING -m cluster --cluster-total-nodes 3
-A PREROUTING -m cluster --cluster-total-nodes 2 --cluster-local-node 2
-A PREROUTING -m cluster --cluster-total-nodes 2 --cluster-local-node 3 --cluster-hash-seed
-A PREROUTING -m cluster --cluster-total-nodes 2 --cluster-local-node 2 --cluster-hash-seed 0xfeedcafe
COMMIT
