# Classifier benchmarks (bench/detect/classifier_bench.cc): Classify_Predict_{Short,Long} and the
# raw fastText floor. Uses the shipped bundle data/models/hate-ft-v1 or $BULWARK_CLASSIFIER_MODEL.
if(TARGET bulwark_detect_classifier)
  bulwark_benchmark(detect_classifier_bench
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/classifier_bench.cc
    DEPS bulwark_detect_classifier PkgConfig::FASTTEXT
  )
  target_compile_definitions(detect_classifier_bench PRIVATE
    BULWARK_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endif()
