# Benchmarks for the detection pipeline (bulwark_detect). Included by bench/detect/CMakeLists.txt.
#   ensemble_bench: Google Benchmark per stage (normalise, match, claims, classify, ensemble)
#   scan_bench:     whole pipeline over 1,000,000 posts on 1 and 2 threads with the raw fastText
#                   floor and peak RSS (scripts/bench_scan.sh adds the npm baseline)
if(TARGET bulwark_detect)
  bulwark_benchmark(ensemble_bench
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/ensemble_bench.cc
    DEPS bulwark_detect
  )
  bulwark_benchmark(scan_bench
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/scan_bench.cc
    DEPS bulwark_detect nlohmann_json::nlohmann_json Threads::Threads
  )
  foreach(t ensemble_bench scan_bench)
    target_compile_definitions(${t} PRIVATE
      BULWARK_BENCH_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
      BULWARK_BENCH_CACHE_DIR="${CMAKE_BINARY_DIR}/lexicon-cache")
  endforeach()
endif()
