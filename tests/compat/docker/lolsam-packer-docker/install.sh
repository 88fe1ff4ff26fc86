#!/bin/sh
# STAND-IN written for the cattle compatibility corpus: the source repository does not hold this file.
set -e
mkdir -p /opt/app
echo installed > /opt/app/installed
