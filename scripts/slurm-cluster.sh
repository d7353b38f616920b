#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, for running the pipeline's slurm profile in CI:
#   scripts/slurm-cluster.sh start   # munged, slurmctld and slurmd, waits for the node to be idle
#   scripts/slurm-cluster.sh stop    # ends exactly the daemons that start started
# Run as root. Everything (slurm.conf, the munge key, logs, pid files) lives in the state folder
# (SLURM_STATE_DIR, default .slurm/ in the repository); point the Slurm commands at it with
#   export SLURM_CONF=<state folder>/slurm.conf
# Finished jobs are listed in <state folder>/jobcomp.log (there is no accounting database).
set -euo pipefail

state=$(realpath -m "${SLURM_STATE_DIR:-$(dirname "$0")/../.slurm}")
daemons=(munged slurmctld slurmd)
# The daemons' pids as start found them, one "name pid" a line (slurmd deletes its own pid file
# as soon as it is told to stop, and may then take a while to end).
started=$state/started.pids

# The pid recorded for a daemon, if that process is still the daemon (a pid may be reused).
running_pid() {
    local pid
    pid=$(awk -v name="$1" '$1 == name { print $2 }' "$started" 2>/dev/null)
    [[ -n "$pid" && "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$1" ]] && echo "$pid"
    return 0
}

# Each daemon forks into the background and writes its pid file; record that pid.
record_pid() {
    local daemon=$1
    for _ in $(seq 50); do
        [[ -s "$state/$daemon.pid" ]] && { echo "$daemon $(cat "$state/$daemon.pid")" >>"$started"; return 0; }
        sleep 0.2
    done
    echo "slurm-cluster: $daemon did not start; see $state/$daemon.log" >&2
    return 1
}

write_config() {
    local cpus mem_mb host
    cpus=$(nproc)
    # 95% of the machine's memory: the rest stays for the daemons and the system.
    mem_mb=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.95 }' /proc/meminfo)
    host=$(hostname -s)
    mkdir -p "$state/munge" "$state/slurmctld" "$state/slurmd"
    # Each task is pinned to the CPUs it was given (a task that asked for 1 CPU sees 1); where
    # the cgroup v1 controllers are writable, cgroups also hold it to the memory it asked for.
    local proctrack=proctrack/linuxproc task_plugins=task/affinity
    if [[ -w /sys/fs/cgroup/memory && -w /sys/fs/cgroup/cpuset ]]; then
        proctrack=proctrack/cgroup task_plugins=task/cgroup,task/affinity
        printf '%s\n' CgroupPlugin=cgroup/v1 ConstrainCores=yes ConstrainRAMSpace=yes >"$state/cgroup.conf"
    fi
    # munged wants its socket's folders searchable by all and writable by root alone.
    chmod 755 "$state" "$state/munge"
    if [[ ! -s "$state/munge/munge.key" ]]; then
        dd if=/dev/urandom of="$state/munge/munge.key" bs=1024 count=1 status=none
    fi
    chmod 400 "$state/munge/munge.key"
    # One GPU for jobs that ask --gres=gpu:1: the machine's first NVIDIA device, or a stand-in
    # (/dev/null) where there is none, so that the gpu profile's submissions can be tested.
    local gpu_device=/dev/null
    [[ -e /dev/nvidia0 ]] && gpu_device=/dev/nvidia0
    echo "Name=gpu File=$gpu_device" >"$state/gres.conf"
    cat >"$state/slurm.conf" <<EOF
ClusterName=tdimpute
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$state/munge/munge.socket
MpiDefault=none
ProctrackType=$proctrack
TaskPlugin=$task_plugins
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
StateSaveLocation=$state/slurmctld
SlurmdSpoolDir=$state/slurmd
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/linux
JobCompType=jobcomp/filetxt
JobCompLoc=$state/jobcomp.log
GresTypes=gpu
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus Gres=gpu:1 RealMemory=$mem_mb State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
# The same node again, for checking that GPU tasks go to a partition of their own.
PartitionName=gpu Nodes=ALL Default=NO MaxTime=INFINITE State=UP
EOF
}

wait_for_idle_node() {
    local node_state= daemon deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)); do
        for daemon in "${daemons[@]}"; do
            [[ -n "$(running_pid "$daemon")" ]] && continue
            echo "slurm-cluster: $daemon has ended; the end of its log:" >&2
            tail -n 5 "$state/$daemon.log" >&2
            return 1
        done
        # One line per partition of the node.
        node_state=$(timeout 5 sinfo --noheader --Node --format=%T 2>/dev/null | sort -u || true)
        [[ "$node_state" == idle ]] && return 0
        sleep 0.5
    done
    echo "slurm-cluster: the node is not idle after 30 s (state: '${node_state:-no answer}'); logs in $state" >&2
    return 1
}

start() {
    local missing=()
    command -v munged >/dev/null || missing+=(munge)
    { command -v slurmctld && command -v slurmd && command -v sinfo; } >/dev/null || missing+=(slurm-wlm)
    if ((${#missing[@]})); then
        echo "slurm-cluster: not installed: ${missing[*]} (e.g. apt-get install -y ${missing[*]})" >&2
        exit 1
    fi
    for daemon in "${daemons[@]}"; do
        if [[ -n "$(running_pid "$daemon")" ]]; then
            echo "slurm-cluster: $daemon is already running from $state; run '$0 stop' first" >&2
            exit 1
        fi
    done
    write_config
    export SLURM_CONF=$state/slurm.conf
    rm -f "$started" "$state"/{munged,slurmctld,slurmd}.pid
    munged --key-file="$state/munge/munge.key" --socket="$state/munge/munge.socket" \
        --pid-file="$state/munged.pid" --log-file="$state/munged.log" --seed-file="$state/munge/munged.seed" &&
        record_pid munged &&
        # -c: forget the jobs of an earlier cluster in this folder.
        slurmctld -c && record_pid slurmctld &&
        slurmd && record_pid slurmd &&
        wait_for_idle_node || { stop; exit 1; }
    echo "slurm-cluster: node $(hostname -s) idle ($(nproc) CPUs); export SLURM_CONF=$SLURM_CONF"
}

stop() {
    local daemon pid
    # The reverse order of start: slurmd, slurmctld, then munged that they authenticate with.
    for daemon in slurmd slurmctld munged; do
        pid=$(running_pid "$daemon")
        [[ -n "$pid" ]] || continue
        kill "$pid"
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || continue 2
            sleep 0.2
        done
        # slurmd ignores SIGTERM while it retries to reach a controller that has ended.
        echo "slurm-cluster: $daemon (pid $pid) still runs 10 s after SIGTERM; sending SIGKILL" >&2
        kill -KILL "$pid"
    done
    rm -f "$started"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
