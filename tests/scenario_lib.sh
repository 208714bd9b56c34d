# Shell functions shared by the scripts that run the differential scenarios
# (tests/differential.sh, tests/from_log_replay.sh, tests/verify_scenarios.sh);
# sourced, not run.

# normalise FILE: prints FILE with the one thing the comparisons normalise:
# fields the kernel fills at random in the packets it generates itself
# (REJECT's and the stack's ICMP errors): the IPv4 ID of an ICMP error
# (ip_select_ident) and the IPv6 flow label of an ICMPv6 error (a keyed hash
# of the flow), as it is sent (IN=) and as it loops back in (IN=lo).  iptsim
# writes 0 for both; here they become '*', in the outer header only (before '[').  And the MAC= of a POSTROUTING line whose input
# device is its output device: a TEE copy's (nf_dup_ipv4_route sets skb->dev,
# and the kernel prints whatever stale bytes the copy's MAC header held: a
# new value in every capture; iptsim prints zeros).  A hairpin-forwarded
# packet's POSTROUTING MAC is masked too; its FORWARD lines show the same MAC.
# (`--packet-headers` says where each packet came from and what it is after
# "== packet N"; the kernel captures have the bare header.)
normalise() {
  sed -E -e '/ IN=(lo)? [^[]*PREC=0xC0 TTL=[0-9]+ ID=[0-9]+ (DF )?PROTO=ICMP TYPE=(3|4|5|11|12) /s/ ID=[0-9]+ / ID=* /' \
         -e '/ IN=(lo)? [^[]*PROTO=ICMPv6 TYPE=[1-4] /s/ FLOWLBL=[0-9]+ / FLOWLBL=* /' \
         -e '/:POSTROUTING:[^ ]* IN=([^ ]+) OUT=\1 MAC=/s/ MAC=[0-9a-f:]+ / MAC=* /' \
         -e 's/^(== packet [0-9]+)[ :].*/\1/' "$1"
}

# listed FILE NAME: prints the reason of NAME's "NAME reason..." line in a list
# file (PENDING, KNOWN-DIFFERENCES; '#' comments); status 0 if listed.
listed() {
  [ -f "$1" ] || return 1
  awk -v n="$2" '/^[ \t]*#/ { next } $1 == n { $1 = ""; sub(/^ /, ""); print; found = 1; exit }
                 END { exit !found }' "$1"
}

# scenario_args DIR: sets the array scenario_extra to the extra `iptsim trace`
# options of the scenario's optional `args` file (words split as a shell
# splits them; '#' starts a comment).
scenario_args() {
  scenario_extra=()
  [ -f "$1/args" ] || return 0
  local aline awords
  while IFS= read -r aline || [ -n "$aline" ]; do
    aline=${aline%%#*}
    eval "awords=($aline)"
    scenario_extra+=("${awords[@]}")
  done <"$1/args"
}

# report_listed CORPUS NAME SAME: for a scenario listed in CORPUS/PENDING or
# CORPUS/KNOWN-DIFFERENCES, prints its PENDING / KNOWN line (loudly when it
# agrees now: SAME 1) and counts it in $pending / $known (and $unexpected);
# status 0.  Status 1, nothing printed, for a scenario in neither list.
report_listed() {
  local reason
  if reason=$(listed "$1/PENDING" "$2"); then
    pending=$((pending + 1))
    if [ "$3" -eq 1 ]; then
      echo "PENDING  $2: PASSES NOW - remove it from PENDING ($reason)"
      unexpected=$((unexpected + 1))
    else
      echo "PENDING  $2: $reason"
    fi
  elif reason=$(listed "$1/KNOWN-DIFFERENCES" "$2"); then
    known=$((known + 1))
    if [ "$3" -eq 1 ]; then
      echo "KNOWN    $2: PASSES NOW - remove it from KNOWN-DIFFERENCES ($reason)"
      unexpected=$((unexpected + 1))
    else
      echo "KNOWN    $2: known failure: $reason"
    fi
  else
    return 1
  fi
}
