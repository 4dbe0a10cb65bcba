#!/usr/bin/env bash
# End-to-end cost of `rampart analyze` on generated models: wall time and peak
# resident memory of the release binary (reading the file, loading the
# built-in library, validating, analysing, writing the JSON report), for
# JSON and YAML models of several sizes. Prints a Markdown table.
#
# Usage: bench/cli.sh [N ...]          (default: 1000 5000 20000)
# Environment: RUNS (default 3; the table shows the median run), SEED (default 1).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/out"
runs="${RUNS:-3}"
seed="${SEED:-1}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000 20000)

# GNU time reports peak RSS; bash's `time` keyword does not.
if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time (/usr/bin/time)..." >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq >&2 && $sudo apt-get install -y -qq time >&2
fi

cd "$root"
echo "building release binaries..." >&2
cargo build --release -q -p rampart-modelgen >&2
rampart="$root/target/release/rampart"
modelgen="$root/target/release/rampart-modelgen"
if ! cargo build --release -q -p rampart-cli >&2 || [ ! -x "$rampart" ]; then
    echo "warning: could not build target/release/rampart; models are generated but not timed" >&2
    rampart=""
fi

mkdir -p "$out"

# median FILE: the median of the numbers in FILE, one per line.
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "| components | flows | syntax | model size | wall time (median of $runs) | peak RSS | threats |"
echo "|---:|---:|:---|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
    for syntax in json yaml; do
        model="$out/model-$n.$syntax"
        "$modelgen" --components "$n" --seed "$seed" --format "$syntax" --output "$model"
        size="$(awk -v b="$(stat -c %s "$model")" 'BEGIN { printf "%.1f MB", b / 1048576 }')"
        flows="$(grep -cE '"from":|^(- |  )from:' "$model" || true)"
        if [ -z "$rampart" ]; then
            echo "| $n | $flows | $syntax | $size | (rampart not built) | | |"
            continue
        fi
        report="$out/report-$n-$syntax.json"
        : > "$out/wall.txt"
        : > "$out/rss.txt"
        for _ in $(seq "$runs"); do
            # Wall time from the clock, to the millisecond (GNU time's %e has
            # 10 ms resolution); peak RSS from GNU time.
            start="$(date +%s%N)"
            /usr/bin/time -f "%M" -o "$out/time.txt" \
                "$rampart" analyze "$model" --format json --output "$report" > /dev/null 2> "$out/stderr.txt" || {
                echo "rampart analyze failed on $model:" >&2
                cat "$out/stderr.txt" >&2
                exit 1
            }
            end="$(date +%s%N)"
            awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", (b - a) / 1e9 }' >> "$out/wall.txt"
            tail -n 1 "$out/time.txt" >> "$out/rss.txt"
        done
        wall="$(median "$out/wall.txt")"
        rss_mb="$(awk '{ printf "%.0f", $1 / 1024 }' <<< "$(median "$out/rss.txt")")"
        threats="$(grep -oE '"threats": *[0-9]+' "$report" | head -n 1 | grep -oE '[0-9]+$' || echo "?")"
        echo "| $n | $flows | $syntax | $size | ${wall} s | ${rss_mb} MB | $threats |"
    done
done
rm -f "$out/wall.txt" "$out/rss.txt" "$out/time.txt" "$out/stderr.txt"
