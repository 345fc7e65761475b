#!/usr/bin/env bash
# How fast a run's report.html (or a runs root's trend.html) opens in headless Chromium: the median
# time from navigation to the first drawn chart over N opens, the page's size, and a check that it
# fetched nothing but itself. Needs Debian's chromium (or FMNIST_CHROMIUM).
# Usage: scripts/report-open-time.sh PAGE [N]
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
(cd "$repo" && mvn -q -B -DskipTests package && mvn -q -B test-compile) >&2
classpath="$repo/target/test-classes:$repo/target/classes:$(cat "$repo/target/local-classpath.txt")"
java -cp "$classpath" -Dlog4j2.configurationFile="$repo/conf/log4j2.properties" io.fmnist.bench.ReportOpenTime "$@"
