#!/usr/bin/env bash
# OpenMPI's rsh agent for the two-host test: "ssh" into a test host by
# entering its network namespace. Usage (by mpirun): netns-agent.sh HOST CMD...
host=$1; shift
case "$host" in
  10.213.0.1) ns=irsl-host-a ;;
  10.213.0.2) ns=irsl-host-b ;;
  *) echo "netns-agent: unknown test host $host" >&2; exit 255 ;;
esac
exec ip netns exec "$ns" env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 /bin/sh -c "$*"
