# Tests for the detection pipeline (bulwark_detect): claims, context, ensemble, detector and the
# golden context suite (tests/golden/context_cases.jsonl).
if(TARGET bulwark_detect)
  bulwark_test(detect_ensemble_test
    SOURCES
      ${CMAKE_CURRENT_LIST_DIR}/attack_test.cc
      ${CMAKE_CURRENT_LIST_DIR}/claims_test.cc
      ${CMAKE_CURRENT_LIST_DIR}/context_test.cc
      ${CMAKE_CURRENT_LIST_DIR}/ensemble_test.cc
      ${CMAKE_CURRENT_LIST_DIR}/detector_test.cc
      ${CMAKE_CURRENT_LIST_DIR}/golden_test.cc
      ${CMAKE_CURRENT_LIST_DIR}/verdict_test.cc
    DEPS bulwark_detect nlohmann_json::nlohmann_json Threads::Threads
    TIMEOUT 300
  )
  target_compile_definitions(detect_ensemble_test PRIVATE
    BULWARK_DETECT_CACHE_DIR="${CMAKE_BINARY_DIR}/lexicon-cache")
  # `scan` and `version --detectors` are tested end to end through the real executable.
  add_dependencies(detect_ensemble_test bulwark)
endif()
