#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for trying and testing `wslbench grid submit --executor slurm`.
# Everything (config, munge key, state, logs, PID files) lives under $WSLBENCH_SLURM_DIR (default /tmp/wslbench-slurm);
# nothing is written to /etc. Needs the Debian packages slurmctld slurmd slurm-client munge, and root (SlurmUser=root).
# Prints the line to eval for clients: export SLURM_CONF=...
set -euo pipefail
DIR=${WSLBENCH_SLURM_DIR:-/tmp/wslbench-slurm}
CTLD_PORT=${WSLBENCH_SLURM_CTLD_PORT:-6817}
D_PORT=${WSLBENCH_SLURM_D_PORT:-6818}
for bin in munged slurmctld slurmd sinfo scontrol; do
  command -v "$bin" >/dev/null 2>&1 || { echo "slurm-start: '$bin' not found (apt-get install slurmctld slurmd slurm-client munge)" >&2; exit 1; }
done
mkdir -p "$DIR"/{etc,run,state,spool,log}
chmod 700 "$DIR/run"
if [ ! -s "$DIR/etc/munge.key" ]; then
  head -c 1024 /dev/urandom >"$DIR/etc/munge.key"
fi
chmod 600 "$DIR/etc/munge.key" # munged refuses a key readable by group or others
HOST=$(hostname -s)            # slurmd must find its own NodeName
CPUS=$(nproc)
MEM=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
MEM=$((MEM > 512 ? MEM - 256 : MEM)) # above what slurmd measures, the node is drained
cat >"$DIR/etc/slurm.conf" <<CONF
ClusterName=wslbench
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$D_PORT
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/run/munge.socket
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
# cgroup plugins fail here (no systemd) while jobs still read COMPLETED 0:0: track processes without cgroups.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1024
MaxArraySize=10001
MinJobAge=300
SchedulerParameters=sched_interval=1,sched_min_interval=100000,batch_sched_delay=0
ReturnToService=2
MpiDefault=none
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$DIR/etc/slurm.conf"
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
if ! alive "$DIR/run/munged.pid"; then
  munged --socket="$DIR/run/munge.socket" --key-file="$DIR/etc/munge.key" --pid-file="$DIR/run/munged.pid" \
    --log-file="$DIR/log/munged.log" --seed-file="$DIR/state/munge.seed" --force
fi
alive "$DIR/run/slurmctld.pid" || slurmctld -f "$SLURM_CONF"
alive "$DIR/run/slurmd.pid" || slurmd -f "$SLURM_CONF"
# Wait for the node to be schedulable; a drain saved in the state (e.g. from an earlier failed start) is lifted.
for _ in $(seq 1 100); do
  state=$(sinfo -h -N -n "$HOST" -o '%T' 2>/dev/null || true)
  case "$state" in
  idle* | mixed* | allocated*) echo "export SLURM_CONF=$SLURM_CONF"; exit 0 ;;
  drain* | down*) scontrol update nodename="$HOST" state=resume >/dev/null 2>&1 || true ;;
  esac
  sleep 0.2
done
echo "slurm-start: node $HOST not idle after 20 s (state '${state:-none}'); logs in $DIR/log" >&2
exit 1
