#!/usr/bin/env bash
# A one-node Slurm for the tests: this machine as controller and compute node
# (select/cons_tres, its CPUs), munge with a fresh key, everything (config, state, logs,
# sockets) inside DIR, ports of its own. Stops only the daemons it started.
#
#   tests/slurm/local_slurm.sh start DIR   # prints SLURM_CONF=DIR/slurm.conf when the node is up
#   tests/slurm/local_slurm.sh stop DIR
#
# Exit 3: it cannot run here (not root, Slurm not installed); 4: the daemons did not come up.
# Needs root (slurmd runs jobs as their user) and Debian's slurm-wlm and munge.
set -euo pipefail
command="${1:-}" dir="${2:-}"
[ -n "$command" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

stop() {
  for daemon in slurmd slurmctld munged; do
    if [ -f "$dir/run/$daemon.pid" ]; then
      pid="$(cat "$dir/run/$daemon.pid")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$dir/run/$daemon.pid"
    fi
  done
}

if [ "$command" = stop ]; then stop; exit 0; fi
[ "$command" = start ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "not root: a test Slurm needs root" >&2; exit 3; }
for tool in munged slurmctld slurmd sbatch squeue; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed (apt-get install slurm-wlm munge)" >&2; exit 3; }
done

mkdir -p "$dir"/{state,spool,log,munge,run}
dir="$(cd "$dir" && pwd)"
host="$(hostname -s)"
cpus="$(nproc)"
# Ports of our own (not Slurm's 6817/6818, which a real installation may use).
ctld_port=$((20000 + RANDOM % 20000))
slurmd_port=$((ctld_port + 1))
head -c 1024 /dev/urandom > "$dir/munge/munge.key"
chmod 400 "$dir/munge/munge.key"
cat > "$dir/slurm.conf" <<CONF
ClusterName=tpqtest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$dir/run/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MinJobAge=600
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"
trap 'stop; exit 4' ERR
munged --key-file="$dir/munge/munge.key" --socket="$dir/run/munge.socket" --pid-file="$dir/run/munged.pid" \
  --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed" --force
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 100); do
  if sinfo -h -o %T 2>/dev/null | grep -qx idle; then echo "SLURM_CONF=$SLURM_CONF"; exit 0; fi
  sleep 0.2
done
echo "the test Slurm did not come up; logs in $dir/log:" >&2
tail -n 5 "$dir"/log/*.log >&2 || true
stop
exit 4
