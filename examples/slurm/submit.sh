#!/bin/bash
# Grade a class on a Slurm cluster: an array of SHARDS grade-all tasks, then the merge.
#
#   examples/slurm/submit.sh ASSIGNMENT SUBMITTED_ROOT SHARDS [OUT_DIR] [-- extra sbatch options]
#
# SUBMITTED_ROOT and OUT_DIR (default SUBMITTED_ROOT/../autograded/ASSIGNMENT) must be on
# a file system every node sees. Prints the two job ids. See README.md.
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 ASSIGNMENT SUBMITTED_ROOT SHARDS [OUT_DIR] [-- sbatch options]" >&2
    exit 2
fi
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export AUTOGRADER_REPO="${AUTOGRADER_REPO:-$(cd "$HERE/../.." && pwd)}"
export ASSIGNMENT="$1"
export SUBMITTED="$(cd "$2" && pwd)"
export SHARDS="$3"
shift 3
if [ $# -gt 0 ] && [ "$1" != "--" ]; then
    export OUT_DIR="$1"
    shift
else
    export OUT_DIR="$(dirname "$SUBMITTED")/autograded/$ASSIGNMENT"
fi
[ "${1:-}" = "--" ] && shift
case "$SHARDS" in
    ''|*[!0-9]*|0) echo "$0: SHARDS must be a positive whole number, not '$SHARDS'" >&2; exit 2 ;;
esac
mkdir -p "$OUT_DIR/results"
array=$(sbatch --parsable --export=ALL --array="1-$SHARDS" "$@" "$HERE/grade-shard.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --export=ALL --dependency="afterany:$array" "$HERE/merge.sbatch")
echo "grading: job array $array ($SHARDS tasks); merge: job ${merge%%;*} -> $OUT_DIR"
