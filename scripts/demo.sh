#!/usr/bin/env bash
# Start a local TikTok API simulator, sync every stream into $out/demo.sqlite, and answer one
# question from it: spend by day across advertisers, and TikTok Shop (GMV Max) revenue by store.
set -euo pipefail
out=${1:-out}
mkdir -p "$out"
host=target/release/source-tiktok-marketing
sim=target/release/tiktok-sim

"$sim" > "$out/simulator.txt" &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q '^PORT=' "$out/simulator.txt" 2>/dev/null && break; sleep 0.1; done
# shellcheck disable=SC1090
source <(sed 's/^/export SIM_/' "$out/simulator.txt")

cat > "$out/config.json" <<JSON
{"credentials": {"auth_type": "oauth2.0", "app_id": "$SIM_APP_ID", "secret": "$SIM_SECRET",
 "access_token": "$SIM_ACCESS_TOKEN"}, "start_date": "$(date -u -d "-7 days" +%F)", "requests_per_second": 50}
JSON
rm -f "$out/demo.sqlite" "$out/demo.sqlite-wal" "$out/demo.sqlite-shm"
"$host" sync --config "$out/config.json" --db "$out/demo.sqlite" --api-base-url "http://127.0.0.1:$SIM_PORT" 2> "$out/sync.log"
echo
echo "Spend by day across advertisers (advertisers_reports_daily, summed by day):"
python3 - "$out/demo.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("""
    SELECT date(stat_time_day) AS day, count(DISTINCT advertiser_id) AS advertisers,
           round(sum(spend), 2) AS spend, sum(impressions) AS impressions
    FROM advertisers_reports_daily GROUP BY day ORDER BY day""").fetchall()
print(f"{'day':<12} {'advertisers':>11} {'spend':>12} {'impressions':>12}")
for day, advertisers, spend, impressions in rows:
    print(f"{day:<12} {advertisers:>11} {spend:>12.2f} {impressions:>12}")
PY
echo
echo "TikTok Shop (GMV Max) by store and day: cost, orders, revenue (gmv_max_advertiser_reports_daily):"
python3 - "$out/demo.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("""
    SELECT store_id, date(stat_time_day) AS day, round(sum(cost), 2), sum(orders), round(sum(gross_revenue), 2)
    FROM gmv_max_advertiser_reports_daily GROUP BY store_id, day ORDER BY store_id, day""").fetchall()
print(f"{'store':<20} {'day':<12} {'cost':>10} {'orders':>7} {'revenue':>10} {'roi':>6}")
for store, day, cost, orders, revenue in rows:
    roi = revenue / cost if cost else 0
    print(f"{store:<20} {day:<12} {cost:>10.2f} {orders:>7} {revenue:>10.2f} {roi:>6.2f}")
PY
echo "Database: $out/demo.sqlite (log: $out/sync.log)"
