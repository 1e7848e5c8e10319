# Tests for the classifier part of src/detect (bulwark_detect_classifier).
# Data-set tests read /work/shared/data-style folders from BULWARK_DATA_DIR (default
# ${PROJECT_SOURCE_DIR}/../shared/data) and GTEST_SKIP when it is absent.
if(TARGET bulwark_detect_classifier)
  bulwark_test(detect_classifier_test
    SOURCES
      ${CMAKE_CURRENT_LIST_DIR}/metrics_test.cc
      ${CMAKE_CURRENT_LIST_DIR}/calibration_test.cc
      ${CMAKE_CURRENT_LIST_DIR}/dataset_test.cc
      ${CMAKE_CURRENT_LIST_DIR}/classifier_test.cc
    DEPS bulwark_detect_classifier
    TIMEOUT 300
  )
  target_compile_definitions(detect_classifier_test PRIVATE
    BULWARK_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/../shared/data")
  # The linear scoring engine against fastText's own predict (differential).
  bulwark_test(detect_fasttext_linear_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/fasttext_linear_test.cc
    DEPS bulwark_detect_classifier
    TIMEOUT 300
  )
  target_compile_definitions(detect_fasttext_linear_test PRIVATE
    BULWARK_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/../shared/data")
endif()
