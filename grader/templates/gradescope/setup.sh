#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image
# (choose an Ubuntu 24.04 base image: the grader needs Python 3.11 or newer).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
# git and certificates: pip may install the grader from a git URL over https
# (or from the wheel in this zip, when `grader gradescope --install` named one).
apt-get install -y --no-install-recommends python3 python3-venv python3-pip git ca-certificates
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install @INSTALL@
# Prove the specs once at build time: a broken spec fails the build, not every student.
cd /autograder/source
/autograder/venv/bin/grader validate problems
# Student code runs as another user. Where the container blocks Landlock,
# only file permissions keep the hidden cases and solutions from it.
chmod -R go-rwx /autograder/source
