# Benchmarks for the lexicon part of src/detect. Included by bench/detect/CMakeLists.txt.
if(TARGET bulwark_detect_lexicon)
  bulwark_benchmark(lexicon_bench
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/lexicon_bench.cc
    DEPS bulwark_detect_lexicon
  )
  target_compile_definitions(lexicon_bench PRIVATE
    BULWARK_BENCH_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    BULWARK_BENCH_CACHE_DIR="${CMAKE_BINARY_DIR}/lexicon-cache")
endif()
