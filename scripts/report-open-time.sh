#!/usr/bin/env bash
# A run's report.html in headless Chromium, checked as PipelineReportTest checks it (console errors,
# anything fetched, every chart drawn, a hover and a click on the largest confusion cell) and timed:
# the median time from navigation to the first drawn chart over N opens, and the page's size.
# Needs Debian's chromium (or FMNIST_CHROMIUM).
# Usage: scripts/report-open-time.sh RUN [N]
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
(cd "$repo" && mvn -q -B -DskipTests package && mvn -q -B test-compile) >&2
classpath="$repo/target/test-classes:$repo/target/classes:$(cat "$repo/target/local-classpath.txt")"
java -cp "$classpath" -Dlog4j2.configurationFile="$repo/conf/log4j2.properties" io.fmnist.bench.ReportOpenTime "$@"
