# bulwark_component(NAME SOURCES... DEPS ...) declares one src/ component library with the
# project's warning and sanitizer flags applied to that target only (no global flags).
function(bulwark_target_flags target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                           -Wno-missing-field-initializers)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 at -O3 (Release) reports -Wrestrict on libstdc++'s own std::string::replace (GCC bug
    # 105329, a false positive fixed in GCC 13); it says nothing about our code.
    target_compile_options(${target} PRIVATE $<$<CONFIG:Release>:-Wno-restrict>)
  endif()
  if(BULWARK_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(BULWARK_SANITIZE)
  # Applied to every target, including third-party headers instantiated in ours, so that
  # the sanitizer runtime sees all the code it needs to.
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

function(bulwark_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  bulwark_target_flags(${name})
endfunction()

# bulwark_test(NAME SOURCES... DEPS ...) builds one GoogleTest binary and registers its tests.
function(bulwark_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  bulwark_target_flags(${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  # Tests find the source tree (data/, testdata) and the CLI binary through these definitions.
  target_compile_definitions(${name} PRIVATE BULWARK_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                                             BULWARK_BINARY_PATH="$<TARGET_FILE:bulwark>")
  set(props TIMEOUT ${ARG_TIMEOUT})
  if(ARG_LABELS)
    list(APPEND props LABELS "${ARG_LABELS}")
  endif()
  gtest_discover_tests(${name} PROPERTIES ${props} DISCOVERY_TIMEOUT 60)
endfunction()
