#!/usr/bin/env bash
# Fuzzes one target of the product with afl-fuzz through SharpFuzz, for a bounded time.
#
#   bash tools/CornerNet.Fuzzing/fuzz.sh checkpoint|image [seconds]     (default 600 s)
#
# Installs what it needs (Debian's afl++, the SharpFuzz command-line tool), builds this harness into its own folder,
# instruments CornerNet.Model.dll there with sharpfuzz, runs afl-fuzz from the committed seeds, then replays every
# crash and hang it saved and prints what each one raised. Work folder: $CORNERNET_FUZZ_WORK (default
# /tmp/cornernet-fuzz); findings in <work>/<target>/findings (the previous run's in findings.previous). Exit code 0 when nothing was found, 1 otherwise.
# See docs/fuzzing.md.
set -euo pipefail

target="${1:-}"
seconds="${2:-600}"
case "$target" in
  checkpoint|image) ;;
  *) echo "usage: bash tools/CornerNet.Fuzzing/fuzz.sh checkpoint|image [seconds]" >&2; exit 2 ;;
esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="${CORNERNET_FUZZ_WORK:-/tmp/cornernet-fuzz}"
sharpfuzz_version=2.3.0   # the SharpFuzz package version in Directory.Packages.props
bin="$work/$target/bin"          # one per target, so both can run at once
findings="$work/$target/findings"
mkdir -p "$work/$target"

if ! command -v afl-fuzz >/dev/null; then
  echo "fuzz: installing afl++ (Debian package)"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends afl++
fi
if [ ! -x "$work/tools/sharpfuzz" ]; then
  echo "fuzz: installing the sharpfuzz tool $sharpfuzz_version"
  dotnet tool install SharpFuzz.CommandLine --version "$sharpfuzz_version" --tool-path "$work/tools" >/dev/null
fi

# A fresh, uninstrumented copy of the product assembly each time (instrumenting twice fails).
echo "fuzz: building the harness into $bin"
rm -f "$bin/CornerNet.Model.dll"
dotnet build "$here/CornerNet.Fuzzing.csproj" -c Release -o "$bin" -nologo -v quiet
"$work/tools/sharpfuzz" "$bin/CornerNet.Model.dll"

# dotnet itself is not instrumented (SharpFuzz speaks afl's fork-server protocol from inside the process); this
# machine has no crash reporter or CPU governor to configure; the UI is replaced by plain log lines.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1
# Each run starts from the committed seeds (add a finding worth keeping to them); the last run's findings are kept.
rm -rf "$findings.previous"
if [ -d "$findings" ]; then mv "$findings" "$findings.previous"; fi
echo "fuzz: afl-fuzz on '$target' for $seconds s (findings in $findings)"
afl-fuzz -i "$here/seeds/$target" -o "$findings" -t 5000 -m none -V "$seconds" -- "$(command -v dotnet)" "$bin/CornerNet.Fuzzing.dll" "$target" \
  --warm-up "$here/seeds/$target" \
  > "$work/afl-$target.log" 2>&1 || { tail -40 "$work/afl-$target.log"; exit 1; }

stats="$findings/default/fuzzer_stats"
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|bitmap_cvg|saved_crashes|saved_hangs) ' "$stats"
shopt -s nullglob
existing=("$findings"/default/crashes/id:* "$findings"/default/hangs/id:*)
if [ "${#existing[@]}" -eq 0 ]; then
  echo "fuzz: no crash and no hang"
  exit 0
fi
echo "fuzz: ${#existing[@]} finding(s); replaying each:"
dotnet "$bin/CornerNet.Fuzzing.dll" "$target" --replay "${existing[@]}" || true
exit 1
