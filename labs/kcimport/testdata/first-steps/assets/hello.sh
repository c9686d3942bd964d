#!/bin/sh
echo "hello from an asset"
