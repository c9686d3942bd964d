#!/bin/bash
while [ ! -f /tmp/background-done ]; do sleep 1; done; echo "the note is ready"
