# suanli_module(NAME DEPS a b c)
# Builds src/NAME into the static library suanli_NAME from every *.cc that is not a test,
# and every *_test.cc beside it into the test binary NAME_tests, registered with CTest.
# New files are picked up without editing any CMakeLists (CONFIGURE_DEPENDS).
function(suanli_module NAME)
  cmake_parse_arguments(M "" "" "DEPS;TEST_DEPS" ${ARGN})
  file(GLOB_RECURSE all_cc CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  set(lib_cc "")
  set(test_cc "")
  foreach(f ${all_cc})
    if(f MATCHES "_test\\.cc$")
      list(APPEND test_cc ${f})
    else()
      list(APPEND lib_cc ${f})
    endif()
  endforeach()
  if(lib_cc)
    add_library(suanli_${NAME} STATIC ${lib_cc})
    target_include_directories(suanli_${NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(suanli_${NAME} PUBLIC ${M_DEPS})
  else()  # headers only so far
    add_library(suanli_${NAME} INTERFACE)
    target_include_directories(suanli_${NAME} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(suanli_${NAME} INTERFACE ${M_DEPS})
  endif()
  if(test_cc)
    add_executable(${NAME}_tests ${test_cc})
    target_link_libraries(${NAME}_tests PRIVATE suanli_${NAME} ${M_TEST_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
    # One variable only: gtest_discover_tests splits a ;-list in PROPERTIES into separate words.
    gtest_discover_tests(${NAME}_tests DISCOVERY_TIMEOUT 60
      PROPERTIES ENVIRONMENT "SUANLI_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  endif()
endfunction()
