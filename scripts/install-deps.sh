#!/usr/bin/env bash
# Installs the system libraries irsl builds against, only when missing:
# OpenMPI (libopenmpi-dev, openmpi-bin) and serial HDF5 (libhdf5-dev).
set -euo pipefail
need=()
pkg-config --exists ompi-c 2>/dev/null && command -v mpirun >/dev/null || need+=(libopenmpi-dev openmpi-bin)
pkg-config --exists hdf5 2>/dev/null || need+=(libhdf5-dev)
pkg-config --exists zlib 2>/dev/null || need+=(zlib1g-dev)   # ZIPFoundation (Inspect .eval logs)
command -v pkg-config >/dev/null || need+=(pkg-config)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "irsl needs: ${need[*]} — install them with apt-get (as root)" >&2
  exit 1
fi
echo "installing ${need[*]} ..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
