# tests/demo/report.awk - what scripts/demo reads out of its logs (awk, not
# python: it runs many times a step, and a busy machine starts python in a
# second).  Times are milliseconds since the epoch, the clock of
# date +%s%N; printed with "%.1f" (mawk's %d stops at 2^31).
#
#   awk -f report.awk -v mode=window -v from=MS -v to=MS CLIENT_LOG
#       the client's requests started in [from, to), as shell assignments:
#       total ok fail; n_NODE (answers by each node) and share_NODE (its
#       percent of the answers); first_NODE and last_NODE (start of its
#       first and last answered request, or ""); fail_first, fail_last;
#       reasons ("timeout:3 reset:1")
#   REPORT_RE=REGEX awk -f report.awk -v mode=event -v since=MS LOG
#       the time of the first line at or after since that matches REGEX
#       (from the environment: -v would take its backslashes), or with
#       -v lastone=1 of the last one; exit status 1 if none.  LOG is
#       BIRD's (timeformat log "%s.%6f"), the stand-in agent's
#       ("EPOCH.micro ...") or nomcastd's ("2026-11-25T07:29:01.738610Z").
#       With -v received=1, a line's time less its "ms=" field: when the
#       agent got the request that it logs once answered.
#   awk -f report.awk -v mode=fib -v dst=ADDR -v from=MS -v to=MS LOG
#       the kernel's messages about the route to ADDR in [from, to), from
#       `TZ=UTC ip -ts monitor route` (one message: a line that starts
#       with its "[time]", then a line per next hop): a line each, its
#       time and "deleted" or the next hops ("198.51.100.2,198.51.100.3")

function civil_days(y, m, d,    era, yoe, doy, doe) {
	# days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant)
	if (m <= 2)
		y--
	era = int((y >= 0 ? y : y - 399) / 400)
	yoe = y - era * 400
	doy = int((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1
	doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
	return era * 146097 + doe - 719468
}

function stamp(s,    p) {
	if (s ~ /^[0-9]+\.[0-9]+$/)
		return s * 1000
	if (s ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:.]+Z$/) {
		p = civil_days(substr(s, 1, 4) + 0, substr(s, 6, 2) + 0,
		    substr(s, 9, 2) + 0) * 86400
		p += substr(s, 12, 2) * 3600 + substr(s, 15, 2) * 60
		p += substr(s, 18, length(s) - 18)
		return p * 1000
	}
	return -1
}

BEGIN {
	re = ENVIRON["REPORT_RE"]
}

mode == "event" {
	t = stamp($1)
	if (received)
		for (i = 2; i <= NF; i++)
			if ($i ~ /^ms=[0-9.]+$/)
				t -= substr($i, 4)
	if (t >= since && $0 ~ re) {
		found = 1
		at = t
		if (!lastone)
			exit 0
	}
	next
}

function fib_out() {
	if (f_dst == dst && f_t >= from && f_t < to)
		printf "%.1f %s\n", f_t, f_del ? "deleted" : f_via
	f_dst = ""
}

mode == "fib" && /^\[/ {
	fib_out()
	f_t = stamp(substr($1, 2, length($1) - 2) "Z")
	f_del = $2 == "Deleted"
	f_dst = f_del ? $3 : $2
	sub(/\/32$/, "", f_dst)
	f_via = ""
}
mode == "fib" {
	for (i = 1; i < NF; i++)
		if ($i == "via")
			f_via = f_via (f_via == "" ? "" : ",") $(i + 1)
	next
}

mode == "window" && NF == 3 && $1 >= from && $1 < to {
	total++
	if ($3 ~ /^fail:/) {
		fail++
		if (fail_first == "" || $1 < fail_first) fail_first = $1
		if (fail_last == "" || $1 > fail_last) fail_last = $1
		why[substr($3, 6)]++
		next
	}
	n[$3]++
	if (!($3 in first) || $1 < first[$3]) first[$3] = $1
	if (!($3 in last) || $1 > last[$3]) last[$3] = $1
}

END {
	if (mode == "fib") {
		fib_out()
		exit 0
	}
	if (mode == "event") {
		if (found)
			printf "%.1f\n", at
		exit found ? 0 : 1
	}
	ok = total - fail
	printf "total=%d ok=%d fail=%d\n", total, ok, fail
	printf "fail_first='%s' fail_last='%s'\n", fail_first, fail_last
	r = ""
	for (k in why) r = r (r == "" ? "" : " ") k ":" why[k]
	printf "reasons='%s'\n", r
	for (i = 1; i <= 3; i++) {
		k = "node" i
		printf "n_%s=%d share_%s=%.0f first_%s='%s' last_%s='%s'\n",
		    k, n[k], k, ok ? 100 * n[k] / ok : 0,
		    k, (k in first) ? sprintf("%.1f", first[k]) : "",
		    k, (k in last) ? sprintf("%.1f", last[k]) : ""
	}
}
