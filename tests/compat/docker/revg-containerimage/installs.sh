#!/bin/bash

mkdir /app
yum install -y python3
pip3 install --trusted-host pypi.python.org Flask