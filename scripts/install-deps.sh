#!/bin/sh
# install-deps.sh — installs what building and testing docpipe needs on Debian 12
# (as root, or through sudo when run as another user).  Extra package names
# given as arguments are installed too (CI adds valgrind).
set -eu
packages="build-essential cmake pkg-config libglib2.0-dev libjson-glib-dev libltdl-dev libpcre2-dev libsqlite3-dev libxml2-dev zlib1g-dev $*"
[ "$(id -u)" -eq 0 ] && as_root="" || as_root="sudo"
export DEBIAN_FRONTEND=noninteractive
$as_root apt-get update -qq
$as_root apt-get install -y -qq --no-install-recommends $packages >/dev/null
