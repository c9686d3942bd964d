#!/bin/sh
grep -q "hello from an asset" /root/hello.out && docker network inspect kc-net >/dev/null 2>&1
