#!/bin/bash
[[ "$(cat /root/greeting.txt 2>/dev/null)" == hello ]]
