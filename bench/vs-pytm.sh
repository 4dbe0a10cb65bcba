#!/usr/bin/env bash
# Rampart against OWASP pytm on the same generated architecture.
#
# rampart-modelgen writes one architecture (N components, about 5N flows,
# seed 1) twice: as a Rampart model (JSON) and as a pytm script. Both tools
# then do their whole job from the command line, timed with GNU time (wall
# clock, peak resident memory):
#
#   rampart analyze MODEL.json --format json --output REPORT.json
#   python3 MODEL.py --json FINDINGS.json      (pytm: check, tm.resolve(), write findings)
#
# pytm is also timed building and checking the model without analysing it
# (`python3 MODEL.py`), to separate the cost of its object model from the
# cost of its threat analysis. pytm gets a time limit; a run that exceeds it
# is reported as "> LIMIT".
#
# Usage: bench/vs-pytm.sh [-n N] [--large] [--timeout SECONDS] [--seed S]
#   -n N         components (default 1000)
#   --large      shorthand for -n 20000
#   --timeout S  time limit for each pytm run (default 900)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="$here/out"
n=1000
limit=900
seed=1
while [ $# -gt 0 ]; do
    case "$1" in
        -n | --components) n="$2"; shift 2 ;;
        --large) n=20000; shift ;;
        --timeout) limit="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1 (try --help)" >&2; exit 2 ;;
    esac
done

if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time (/usr/bin/time)..." >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq >&2 && $sudo apt-get install -y -qq time >&2
fi

venv="$here/.venv"
if ! "$venv/bin/python" -c "import pytm" 2> /dev/null; then
    echo "creating $venv with pytm..." >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q pytm >&2
fi
pytm_version="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("pytm"))')"
python_version="$("$venv/bin/python" -c 'import platform; print(platform.python_version())')"

cd "$root"
echo "building release binaries..." >&2
cargo build --release -q -p rampart-modelgen -p rampart-cli >&2
rampart="$root/target/release/rampart"
modelgen="$root/target/release/rampart-modelgen"

mkdir -p "$out"
model="$out/vs-$n.json"
script="$out/vs-$n.py"
"$modelgen" --components "$n" --seed "$seed" --format json --output "$model"
"$modelgen" --components "$n" --seed "$seed" --pytm --output "$script"
flows="$(grep -c '^flow(' "$script")"

# measure LIMIT COMMAND...: sets $wall, $rss_mb and $status ("ok", "timeout" or "failed").
measure() {
    local limit="$1"
    shift
    local exit=0 start end
    # Wall time from the clock, to the millisecond (GNU time's %e has 10 ms
    # resolution); peak RSS from GNU time, which reports the largest process
    # it waited for, here the measured command under `timeout`.
    start="$(date +%s%N)"
    /usr/bin/time -f "%M" -o "$out/time.txt" timeout -k 10 "$limit" "$@" > /dev/null 2> "$out/stderr.txt" || exit=$?
    end="$(date +%s%N)"
    wall="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
    rss="$(tail -n 1 "$out/time.txt")"
    rss_mb="$(awk '{ printf "%.0f", $1 / 1024 }' <<< "$rss")"
    case "$exit" in
        0) status=ok ;;
        124 | 137) status=timeout ;;
        *)
            status=failed
            echo "failed ($exit): $*" >&2
            tail -n 20 "$out/stderr.txt" >&2
            ;;
    esac
}

# cell: the wall time as a table cell.
cell() {
    case "$status" in
        ok) echo "${wall} s" ;;
        timeout) echo "> ${limit} s (timeout)" ;;
        *) echo "failed" ;;
    esac
}

echo "timing rampart (median of 3 runs)..." >&2
# Rampart's run is short enough for machine noise to matter: take the median
# of three, each writing a fresh file (truncating a large old one costs time).
runs=()
for _ in 1 2 3; do
    rm -f "$out/vs-$n-rampart.json"
    measure 3600 "$rampart" analyze "$model" --format json --output "$out/vs-$n-rampart.json"
    [ "$status" = ok ] || exit 1
    runs+=("$wall $rss_mb")
done
median="$(printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p)"
rampart_wall="${median%% *}"
rampart_rss="${median##* }"
rampart_threats="$(grep -oE '"threats": *[0-9]+' "$out/vs-$n-rampart.json" | head -n 1 | grep -oE '[0-9]+$')"

echo "timing pytm building and checking the model (limit ${limit} s)..." >&2
measure "$limit" "$venv/bin/python" "$script"
build_cell="$(cell)"
build_rss="$rss_mb"

echo "timing pytm analysing the model (limit ${limit} s)..." >&2
rm -f "$out/vs-$n-pytm.json"
measure "$limit" "$venv/bin/python" "$script" --json "$out/vs-$n-pytm.json"
pytm_cell="$(cell)"
pytm_status="$status"
pytm_wall="$wall"
pytm_rss="$rss_mb"
pytm_findings="-"
if [ "$pytm_status" = ok ]; then
    pytm_findings="$(grep -o '"threat_id"' "$out/vs-$n-pytm.json" | wc -l)"
fi
# pytm's findings run to about 90 MB per 1,000 components: count, then drop them.
rm -f "$out/vs-$n-pytm.json"

echo
echo "### $n components, $flows flows (seed $seed)"
echo
echo "| tool | command | wall time | peak RSS | threats found |"
echo "|:---|:---|---:|---:|---:|"
echo "| Rampart $("$rampart" --version 2> /dev/null | awk '{ print $2 }') | \`rampart analyze --format json\` | ${rampart_wall} s | ${rampart_rss} MB | ${rampart_threats} |"
echo "| pytm ${pytm_version} (Python ${python_version}) | \`python3 tm.py\` (build + check only) | ${build_cell} | ${build_rss} MB | - |"
echo "| pytm ${pytm_version} (Python ${python_version}) | \`python3 tm.py --json\` | ${pytm_cell} | ${pytm_rss} MB | ${pytm_findings} |"
echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b < 0.001) b = 0.001; printf "%.0f", a / b }'; }
case "$pytm_status" in
    ok) echo "pytm / Rampart: **$(ratio "$pytm_wall" "$rampart_wall")x** the wall time, $(ratio "$pytm_rss" "$rampart_rss")x the peak memory." ;;
    timeout) echo "pytm / Rampart: **more than $(ratio "$limit" "$rampart_wall")x** the wall time (pytm did not finish within ${limit} s)." ;;
    *) echo "pytm failed; no ratio." ;;
esac
rm -f "$out/time.txt" "$out/stderr.txt"
