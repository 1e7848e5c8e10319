# The detection pipeline (bulwark_detect): context rules, known-claim matching, the ensemble,
# verdicts and the Detector snapshot. Included by src/detect/CMakeLists.txt.
if(TARGET bulwark_detect_lexicon AND TARGET bulwark_detect_classifier)
  bulwark_library(bulwark_detect
    SOURCES
      ${CMAKE_CURRENT_LIST_DIR}/attack.cc
      ${CMAKE_CURRENT_LIST_DIR}/claims.cc
      ${CMAKE_CURRENT_LIST_DIR}/context.cc
      ${CMAKE_CURRENT_LIST_DIR}/ensemble.cc
      ${CMAKE_CURRENT_LIST_DIR}/ensemble_fit.cc
      ${CMAKE_CURRENT_LIST_DIR}/verdict.cc
      ${CMAKE_CURRENT_LIST_DIR}/detector.cc
    DEPS bulwark_detect_lexicon bulwark_detect_classifier bulwark_text bulwark_core
         nlohmann_json::nlohmann_json
  )
endif()
