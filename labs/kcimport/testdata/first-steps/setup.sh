#!/bin/bash
mkdir -p /opt/kc
echo intro > /opt/kc/intro-ran
