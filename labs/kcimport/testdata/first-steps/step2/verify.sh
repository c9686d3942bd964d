#!/bin/bash
test "$(cat /root/note.txt 2>/dev/null)" = "prepared by the background"
