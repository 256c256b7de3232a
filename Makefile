# Suanli: `make up` starts the platform, `make test` runs every test. Both install what is missing first.
BUILD ?= build
JOBS ?= $(shell nproc)
DATA ?= data
LISTEN ?= 127.0.0.1:8080
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

# Hardening (README "Hardening"): fuzzers with clang, and the test suites under sanitizers with gcc.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
# The controller's threaded parts: server_tests runs the owner thread, the HTTP threads, group
# commit and agents together in one process (src/server/*_test.cc); TSAN_FILTER narrows it.
TSAN_FILTER ?= *
# Sanitized suites run several times slower; the browser tests are left out (they test the page).
SANITIZE_TIMEOUT ?= 1800

.PHONY: all deps build web test test-unit test-web bench up clean format fuzz test-sanitize test-tsan

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

fuzz:
	@SUANLI_WITH_CLANG=1 scripts/install-deps.sh
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release \
	  -DSUANLI_FUZZ=ON -DSUANLI_SANITIZE=address,undefined
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_all
	scripts/run-fuzzers.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

test-sanitize: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSUANLI_SANITIZE=address,undefined
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) --timeout $(SANITIZE_TIMEOUT)

test-tsan: deps
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSUANLI_SANITIZE=thread
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target server_tests
	$(TSAN_BUILD)/src/server/server_tests --gtest_filter='$(TSAN_FILTER)'

bench: build
	scripts/run-benchmarks.sh $(BUILD)

up: build web
	$(BUILD)/suanli up --data-dir $(DATA) --listen $(LISTEN) $(UP_FLAGS)

format:
	find src apps bench tests -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD)
