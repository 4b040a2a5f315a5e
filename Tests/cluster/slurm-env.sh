#!/usr/bin/env bash
# A private single-node Slurm for the tests: munged, slurmctld and slurmd as
# background processes owned by this script, configured in a temporary
# directory on unusual ports. Source it; call slurm_up, then slurm_down.
# Exits 77 (skip) only where the machine forbids running the daemons.

slurm_install() {
  if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    [ "$(id -u)" -eq 0 ] || { echo "slurm-env: need root to install slurm-wlm and munge" >&2; return 77; }
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq slurm-wlm munge >/dev/null || return 1
  fi
}

slurm_up() {
  SLURM_DIR=$(mktemp -d /tmp/irsl-slurm.XXXXXX)
  export SLURM_DIR
  local host; host=$(hostname -s)
  local cpus; cpus=$(nproc)
  local mem; mem=$(awk '/MemTotal/ {print int($2/1024) - 512}' /proc/meminfo)
  mkdir -p "$SLURM_DIR"/{state,spool,log,munge}
  chmod 700 "$SLURM_DIR/munge"
  if [ -f /etc/munge/munge.key ]; then cp /etc/munge/munge.key "$SLURM_DIR/munge/munge.key"
  else dd if=/dev/urandom of="$SLURM_DIR/munge/munge.key" bs=1024 count=1 2>/dev/null; fi
  chmod 400 "$SLURM_DIR/munge/munge.key"
  munged --force --socket="$SLURM_DIR/munge/munge.socket" --key-file="$SLURM_DIR/munge/munge.key" \
         --pid-file="$SLURM_DIR/munge/munged.pid" --log-file="$SLURM_DIR/log/munged.log" \
         --seed-file="$SLURM_DIR/munge/munge.seed" || { echo "slurm-env: munged would not start" >&2; return 77; }
  cat > "$SLURM_DIR/slurm.conf" <<CONF
ClusterName=irsl-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=16917
SlurmdPort=16918
AuthType=auth/munge
AuthInfo=socket=$SLURM_DIR/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$SLURM_DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobRequeue=1
KillWait=30
MinJobAge=600
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
  # Process tracking does not use cgroups here (proctrack/linuxproc), but
  # slurmd still loads a cgroup plugin: pick the hierarchy this machine mounts.
  local plugin=cgroup/v1
  [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && plugin=cgroup/v2
  cat > "$SLURM_DIR/cgroup.conf" <<CONF
CgroupPlugin=$plugin
IgnoreSystemd=yes
CgroupAutomount=no
ConstrainCores=no
ConstrainRAMSpace=no
CONF
  export SLURM_CONF="$SLURM_DIR/slurm.conf"
  slurmctld -f "$SLURM_CONF" || { echo "slurm-env: slurmctld would not start" >&2; cat "$SLURM_DIR/log/slurmctld.log" >&2; return 77; }
  slurmd -f "$SLURM_CONF" || { echo "slurm-env: slurmd would not start" >&2; cat "$SLURM_DIR/log/slurmd.log" >&2; return 77; }
  local i
  for i in $(seq 1 60); do
    if sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then return 0; fi
    sleep 0.5
  done
  echo "slurm-env: the node never became idle" >&2
  sinfo >&2 || true; tail -20 "$SLURM_DIR/log/slurmctld.log" "$SLURM_DIR/log/slurmd.log" >&2
  return 1
}

slurm_down() {
  [ -n "${SLURM_DIR:-}" ] || return 0
  local f
  for f in slurmd.pid slurmctld.pid munge/munged.pid; do
    [ -f "$SLURM_DIR/$f" ] && kill "$(cat "$SLURM_DIR/$f")" 2>/dev/null || true
  done
  # Up to 5 s for them to exit on TERM (polled), then KILL whatever is left.
  local i alive
  for i in $(seq 1 50); do
    alive=0
    for f in slurmd.pid slurmctld.pid munge/munged.pid; do
      [ -f "$SLURM_DIR/$f" ] && kill -0 "$(cat "$SLURM_DIR/$f")" 2>/dev/null && alive=1
    done
    [ "$alive" -eq 0 ] && break
    sleep 0.1
  done
  for f in slurmd.pid slurmctld.pid munge/munged.pid; do
    [ -f "$SLURM_DIR/$f" ] && kill -9 "$(cat "$SLURM_DIR/$f")" 2>/dev/null || true
  done
}
