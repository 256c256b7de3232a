# Suanli: `make up` starts the platform, `make test` runs every test. Both install what is missing first.
BUILD ?= build
JOBS ?= $(shell nproc)
DATA ?= data
LISTEN ?= 127.0.0.1:8080
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: all deps build web test test-unit test-web bench up clean format

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)
	@echo "built $(BUILD)/suanli"

web: deps
	@if [ -f web/package.json ]; then scripts/build-web.sh; fi

test: build web
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600
	@if [ -f web/package.json ]; then $(MAKE) --no-print-directory test-web; fi

test-web:
	cd web && SUANLI_BINARY=$(abspath $(BUILD))/suanli npm test

bench: build
	scripts/run-benchmarks.sh $(BUILD)

up: build web
	$(BUILD)/suanli up --data-dir $(DATA) --listen $(LISTEN) $(UP_FLAGS)

format:
	find src apps bench tests -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
