# The lab playground. On a fresh Debian 12 machine, as root:
#
#	make run     set up what is missing and serve on http://127.0.0.1:8080 (ADDR=...)
#	make test    the same set-up plus chromium, then every test
#	make soak    the fault and abuse suite at full size (a table of figures)
#	make capacity  fill the host with idle sessions and say what stops it
#	make cluster   three Docker hosts in one swarm on this machine, then serve on them
#
# The work is done by the scripts in deploy/; defaults live in deploy/env.sh.
# Variables given on the command line (ADDR=..., DATABASE_URL=...) reach them
# through the environment.

SHELL := /bin/bash
# Go's official tarball installs here; CI shells may not have it on PATH.
export PATH := $(PATH):/usr/local/go/bin

.PHONY: run test soak bench capacity lint build images setup clean cluster cluster-down

## run: set up, then serve the playground on $(ADDR) (default 127.0.0.1:8080)
run: setup
	@deploy/run.sh

## test: set up (plus chromium and make cluster's three hosts), then
## go test -race -count=1 ./...
test: build
	@deploy/setup.sh engine postgres images test-tools
	@deploy/cluster.sh up
	@deploy/test.sh

## soak: set up, then the fault and abuse suite at full size, with a table
soak: build
	@deploy/setup.sh engine postgres images
	@deploy/soak.sh

## bench: set up, then bin/playground bench
bench: setup
	@deploy/bench.sh

## capacity: set up, then fill one server with up to FILL (250) idle sessions
capacity: setup
	@deploy/bench.sh -fill $(or $(FILL),250)

## lint: gofmt -l must be empty; go vet, staticcheck and shellcheck must pass
lint:
	@deploy/lint.sh

## build: the web bundle (when web/package.json exists) and bin/playground
build:
	@deploy/build.sh

## images: the node image, the labs' images and the registry image
images: build
	@deploy/setup.sh engine images

## setup: the Docker engine, Postgres (unless DATABASE_URL is set) and the images
setup: build
	@deploy/setup.sh engine postgres images

## cluster: set up, start three Docker hosts joined in one swarm
## (deploy/cluster.sh up), then serve the playground on them
cluster: setup
	@deploy/cluster.sh up
	@deploy/cluster.sh serve

## cluster-down: stop the three hosts (their data stays; make clean deletes it)
cluster-down:
	@deploy/cluster.sh down

## clean: stop the local Postgres and the cluster's hosts, remove the
## project's labelled containers and networks, delete .data and bin (the
## engine and its images stay)
clean:
	@deploy/clean.sh
