#!/usr/bin/env bash
# A real Spark standalone cluster on 127.0.0.1 from Maven-resolved jars (no Spark download):
# one Master and N Workers, each its own JVM, and submission of the cluster jar to it with
# spark-submit semantics (org.apache.spark.deploy.SparkSubmit, client deploy mode).
#
#   scripts/local-cluster.sh start                start the Master and the Workers, wait until registered
#   scripts/local-cluster.sh submit <command ...> spark-submit the cluster jar: fmnist <command ...>
#   scripts/local-cluster.sh kill-worker N        SIGKILL Worker N and its executors (a lost machine)
#   scripts/local-cluster.sh status | stop
#
# Settings (environment):
#   FMNIST_CLUSTER_DIR=target/local-cluster  state: SPARK_HOME, logs, pids, work dirs
#   FMNIST_CLUSTER_PORT=7077  FMNIST_CLUSTER_UI_PORT=8080 (Workers use the next UI ports)
#   FMNIST_CLUSTER_WORKERS=2  FMNIST_WORKER_CORES=1  FMNIST_WORKER_MEMORY=4g
#   FMNIST_EXECUTOR_MEMORY=3g FMNIST_DRIVER_MEMORY=4g
#   FMNIST_PIN_WORKERS=1      pin each Worker and its executors to FMNIST_WORKER_CORES cores of
#                             their own (Worker N from core (N-1)*cores, modulo the machine's), as
#                             a machine or a container of that size confines its JIT and GC too
#   FMNIST_CLUSTER_JAR=...    the jar to submit (default: target/*-cluster.jar, rebuilt when stale)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state=${FMNIST_CLUSTER_DIR:-$repo/target/local-cluster}
port=${FMNIST_CLUSTER_PORT:-7077}
ui_port=${FMNIST_CLUSTER_UI_PORT:-8080}
workers=${FMNIST_CLUSTER_WORKERS:-2}
master_url=spark://127.0.0.1:$port

export SPARK_LOCAL_IP=127.0.0.1
# A Worker launches executors only with these (DESIGN.md): the Scala version, and a SPARK_HOME
# whose jars/ is the executors' classpath.
export SPARK_SCALA_VERSION=2.12
export SPARK_HOME=$state/spark-home

die() { echo "local-cluster: $*" >&2; exit 1; }

pom_property() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$repo/pom.xml" | head -1; }

# SPARK_HOME/jars: a Spark distribution's jars (Spark and everything it depends on, nothing of
# this project), resolved by scripts/spark-dist/pom.xml at the project's Spark version.
spark_home() {
  local versions=() property
  for property in spark.version scala.binary.version scala.version slf4j.version jackson.version; do
    versions+=("-D$property=$(pom_property "$property")")
  done
  [ -f "$SPARK_HOME/versions" ] && [ "$(cat "$SPARK_HOME/versions")" = "${versions[*]}" ] && return
  rm -rf "$SPARK_HOME" && mkdir -p "$SPARK_HOME/jars"
  mvn -q -B -f "$repo/scripts/spark-dist/pom.xml" "${versions[@]}" \
    dependency:build-classpath -Dmdep.outputFile="$SPARK_HOME/classpath.txt" >&2
  tr ':' '\n' < "$SPARK_HOME/classpath.txt" | while read -r jar; do ln -s "$jar" "$SPARK_HOME/jars/"; done
  echo "${versions[*]}" > "$SPARK_HOME/versions"
}

cluster_jar() {
  [ -n "${FMNIST_CLUSTER_JAR:-}" ] && { echo "$FMNIST_CLUSTER_JAR"; return; }
  local jar
  jar=$(ls "$repo"/target/fashion-mnist-spark-*-cluster.jar 2>/dev/null | head -1 || true)
  if [ -z "$jar" ] || [ -n "$(find "$repo/src/main" "$repo/conf" "$repo/pom.xml" -newer "$jar" -print -quit)" ]; then
    echo "local-cluster: building the cluster jar (mvn package)..." >&2
    (cd "$repo" && mvn -q -B -DskipTests package) >&2
    jar=$(ls "$repo"/target/fashion-mnist-spark-*-cluster.jar | head -1)
  fi
  echo "$jar"
}

# Daemons get Java 17's --add-opens like every Spark JVM here.
daemon() { # name cpu-list (or "") main-class args...
  local name=$1 cpus=$2; shift 2
  local pin=()
  [ -n "$cpus" ] && pin=(taskset -c "$cpus")
  nohup "${pin[@]}" java @"$repo/conf/jvm.options" -Xmx1g -cp "$SPARK_HOME/jars/*" "$@" >"$state/logs/$name.log" 2>&1 &
  echo $! >"$state/$name.pid"
}

alive() { [ -f "$state/$1.pid" ] && kill -0 "$(cat "$state/$1.pid")" 2>/dev/null; }

wait_for() { # log pattern seconds
  local i
  for ((i = 0; i < $3 * 5; i++)); do
    grep -q "$2" "$state/logs/$1.log" 2>/dev/null && return 0
    sleep 0.2
  done
  die "$1 did not get to '$2' within $3 s; see $state/logs/$1.log"
}

start() {
  alive master && die "already running (master pid $(cat "$state/master.pid")); stop it first"
  mkdir -p "$state/logs"
  spark_home
  daemon master "" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port "$ui_port"
  wait_for master "I have been elected leader" 60
  local n cpus=""
  for ((n = 1; n <= workers; n++)); do
    mkdir -p "$state/work-$n"
    # Executors are the Worker's child processes and inherit its CPU affinity.
    if [ "${FMNIST_PIN_WORKERS:-0}" = 1 ]; then
      local first=$(((n - 1) * ${FMNIST_WORKER_CORES:-1} % $(nproc)))
      cpus=$first-$((first + ${FMNIST_WORKER_CORES:-1} - 1))
    fi
    daemon "worker-$n" "$cpus" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 \
      --cores "${FMNIST_WORKER_CORES:-1}" --memory "${FMNIST_WORKER_MEMORY:-4g}" \
      --webui-port $((ui_port + n)) --work-dir "$state/work-$n" "$master_url"
  done
  for ((n = 1; n <= workers; n++)); do
    wait_for "worker-$n" "Successfully registered with master" 60
  done
  echo "local-cluster: $master_url with $workers workers (UI http://127.0.0.1:$ui_port, logs $state/logs)"
}

# The executors' JVM options: Spark adds its own --add-opens; ours are conf/jvm.options (one line
# each, none with spaces) for the same behaviour as local runs.
executor_java_options() { grep -v '^-XX:+IgnoreUnrecognizedVMOptions' "$repo/conf/jvm.options" | tr '\n' ' '; }

# The driver averages the deep networks' parameters: every round it receives and answers each
# worker with a message of the network's size (2.9 MB for the seed CNN), which G1 at this heap
# allocates as humongous objects and chases with concurrent cycles (7.7 s of CPU in 70 s of
# two-worker training, on the cores the executors use); the parallel collector frees them in its
# young collections (0.4 s).
submit() {
  alive master || die "not running; scripts/local-cluster.sh start"
  local jar
  jar=$(cluster_jar)
  exec java @"$repo/conf/jvm.options" -XX:+UseParallelGC -Xmx"${FMNIST_DRIVER_MEMORY:-4g}" \
    -Dlog4j2.configurationFile="$repo/conf/log4j2.properties" -cp "$SPARK_HOME/jars/*" \
    org.apache.spark.deploy.SparkSubmit --master "$master_url" --deploy-mode client \
    --class io.fmnist.cli.Main \
    --conf spark.driver.host=127.0.0.1 \
    --conf spark.executor.cores="${FMNIST_WORKER_CORES:-1}" \
    --conf spark.executor.memory="${FMNIST_EXECUTOR_MEMORY:-3g}" \
    --conf "spark.executor.extraJavaOptions=$(executor_java_options)" \
    "$jar" "$@"
}

kill_worker() {
  local pid
  pid=$(cat "$state/worker-$1.pid" 2>/dev/null) || die "no worker $1"
  # The machine is lost: its executors die with it.
  pkill -KILL -P "$pid" 2>/dev/null || true
  kill -KILL "$pid" 2>/dev/null || true
  echo "local-cluster: killed worker $1 (pid $pid) and its executors"
}

stop() {
  local pid
  for pidfile in "$state"/worker-*.pid "$state"/master.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
  echo "local-cluster: stopped"
}

status() {
  local name
  for pidfile in "$state"/master.pid "$state"/worker-*.pid; do
    [ -f "$pidfile" ] || continue
    name=$(basename "$pidfile" .pid)
    if alive "$name"; then echo "$name: running (pid $(cat "$pidfile"))"; else echo "$name: dead"; fi
  done
}

case "${1:-}" in
  start) start ;;
  submit) shift; submit "$@" ;;
  kill-worker) kill_worker "${2:?worker number}" ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 start | submit <fmnist command ...> | kill-worker N | status | stop" ;;
esac
