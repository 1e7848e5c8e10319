# Tests for the lexicon part of src/detect (bulwark_detect_lexicon).
if(TARGET bulwark_detect_lexicon)
  bulwark_test(detect_lexicon_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/lexicon_test.cc
    DEPS bulwark_detect_lexicon nlohmann_json::nlohmann_json
  )
  target_compile_definitions(detect_lexicon_test
    PRIVATE BULWARK_TEST_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endif()
