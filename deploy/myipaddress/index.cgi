#!/bin/sh
# Answers with the container's IPv4 addresses, one line, space-separated.
printf 'Content-Type: text/plain\r\n\r\n'
ip -4 addr show scope global | awk '$1 == "inet" { sub("/.*", "", $2); printf "%s%s", sep, $2; sep = " " } END { print "" }'
