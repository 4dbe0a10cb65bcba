#!/usr/bin/env bash
# End-to-end cost of `rampart analyze` on infrastructure as code: the JSON of
# a Terraform plan (`terraform show -json`) of N AWS resources and a
# directory of Kubernetes manifests of M objects, both written by
# rampart-modelgen. Times the release binary (reading the input, importing
# it, loading the built-in library, analysing, writing the JSON report):
# wall time (median of RUNS runs) and peak resident memory. Prints a
# Markdown table; the goal is under 2 seconds for 5,000 resources and 2,000
# objects.
#
# Usage: bench/iac.sh [RESOURCES [OBJECTS]]      (default: 5000 2000)
# Environment: RUNS (default 3), SEED (default 1), RAMPART (a rampart binary
# to time instead of building target/release/rampart), CARGO_TARGET_DIR.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/out"
runs="${RUNS:-3}"
seed="${SEED:-1}"
resources="${1:-5000}"
objects="${2:-2000}"
target="${CARGO_TARGET_DIR:-$root/target}"

# GNU time reports peak RSS; bash's `time` keyword does not.
if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time (/usr/bin/time)..." >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq >&2 && $sudo apt-get install -y -qq time >&2
fi

cd "$root"
echo "building release binaries..." >&2
cargo build --release -q -p rampart-modelgen >&2
modelgen="$target/release/rampart-modelgen"
rampart="${RAMPART:-}"
if [ -z "$rampart" ]; then
    rampart="$target/release/rampart"
    if ! cargo build --release -q -p rampart-cli >&2 || [ ! -x "$rampart" ]; then
        echo "warning: could not build $rampart; inputs are generated but not timed" >&2
        rampart=""
    fi
fi

mkdir -p "$out"
plan="$out/plan-$resources.json"
manifests="$out/k8s-$objects"
"$modelgen" --terraform-plan "$resources" --seed "$seed" --output "$plan"
rm -rf "$manifests"
"$modelgen" --kubernetes "$objects" --seed "$seed" --output "$manifests/"

# median FILE: the median of the numbers in FILE, one per line.
median() { sort -g "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# megabytes PATH: the size of a file or directory.
megabytes() { du -sb "$1" | awk '{ printf "%.1f MB", $1 / 1048576 }'; }

echo "| input | size | files | bytes | wall time (median of $runs) | peak RSS | threats | under 2 s |"
echo "|:---|---:|---:|---:|---:|---:|---:|:---:|"
for case in "terraform-plan:$plan:$resources resources" "kubernetes:$manifests:$objects objects"; do
    IFS=: read -r name input size <<< "$case"
    files="$(find "$input" -type f | wc -l)"
    bytes="$(megabytes "$input")"
    if [ -z "$rampart" ]; then
        echo "| $name | $size | $files | $bytes | (rampart not built) | | | |"
        continue
    fi
    report="$out/report-$name.json"
    : > "$out/wall.txt"
    : > "$out/rss.txt"
    failed=""
    for _ in $(seq "$runs"); do
        # Wall time from the clock, to the millisecond (GNU time's %e has
        # 10 ms resolution); peak RSS from GNU time.
        start="$(date +%s%N)"
        if ! /usr/bin/time -f "%M" -o "$out/time.txt" \
            "$rampart" analyze "$input" --format json --output "$report" > /dev/null 2> "$out/stderr.txt"; then
            failed="$(grep -v '^[0-9]*$' "$out/stderr.txt" | head -n 1)"
            break
        fi
        end="$(date +%s%N)"
        awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f\n", (b - a) / 1e9 }' >> "$out/wall.txt"
        tail -n 1 "$out/time.txt" >> "$out/rss.txt"
    done
    if [ -n "$failed" ]; then
        echo "rampart analyze failed on $input: $failed" >&2
        echo "| $name | $size | $files | $bytes | (failed: see stderr) | | | |"
        continue
    fi
    wall="$(median "$out/wall.txt")"
    rss_mb="$(awk '{ printf "%.0f", $1 / 1024 }' <<< "$(median "$out/rss.txt")")"
    threats="$(grep -oE '"threats": *[0-9]+' "$report" | head -n 1 | grep -oE '[0-9]+$' || echo "?")"
    verdict="$(awk -v w="$wall" 'BEGIN { print (w < 2.0 ? "yes" : "no") }')"
    echo "| $name | $size | $files | $bytes | ${wall} s | ${rss_mb} MB | $threats | $verdict |"
done
rm -f "$out/wall.txt" "$out/rss.txt" "$out/time.txt" "$out/stderr.txt"
