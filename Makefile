# lorad: build, test and demo. `make test` and `make demo` are the two entry points.
SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all deps build release test demo bench clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

demo: deps
	@./scripts/demo.sh

bench: deps
	@./Benchmarks/run.sh

clean:
	rm -rf .build
