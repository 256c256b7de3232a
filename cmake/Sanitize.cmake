# -DSUANLI_SANITIZE=address,undefined (or thread) builds everything, tests included, with those
# sanitizers. Any report fails the test that triggered it: UBSan does not recover, and ASan's
# leak checker runs at exit. `make test-sanitize` and `make test-tsan` use this (build-asan,
# build-tsan).
set(SUANLI_SANITIZE "" CACHE STRING "Comma-separated -fsanitize= list (address,undefined | thread)")
if(SUANLI_SANITIZE)
  # -O1 keeps stack traces readable and the suites fast enough; frame pointers for the unwinder.
  add_compile_options(-fsanitize=${SUANLI_SANITIZE} -fno-omit-frame-pointer -g -O1)
  add_link_options(-fsanitize=${SUANLI_SANITIZE})
  if(SUANLI_SANITIZE MATCHES "undefined")
    add_compile_options(-fno-sanitize-recover=undefined)
  endif()
endif()

# -DSUANLI_FUZZ=ON (with clang, `make fuzz`): every library is instrumented for libFuzzer's
# coverage feedback, and tests/fuzz builds libFuzzer binaries instead of corpus drivers.
option(SUANLI_FUZZ "Build tests/fuzz as libFuzzer binaries (clang only)" OFF)
if(SUANLI_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
