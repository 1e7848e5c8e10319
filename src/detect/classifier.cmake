# The fastText classifier, its data set loaders, calibration, metrics and training
# (bulwark_detect_classifier). Included by src/detect/CMakeLists.txt.
bulwark_library(bulwark_detect_classifier
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/classifier_input.cc
    ${CMAKE_CURRENT_LIST_DIR}/dataset.cc
    ${CMAKE_CURRENT_LIST_DIR}/metrics.cc
    ${CMAKE_CURRENT_LIST_DIR}/metrics_eval.cc
    ${CMAKE_CURRENT_LIST_DIR}/calibration.cc
    ${CMAKE_CURRENT_LIST_DIR}/classifier.cc
    ${CMAKE_CURRENT_LIST_DIR}/fasttext_linear.cc
    ${CMAKE_CURRENT_LIST_DIR}/training.cc
    ${CMAKE_CURRENT_LIST_DIR}/functional.cc
  DEPS bulwark_core bulwark_text PkgConfig::FASTTEXT nlohmann_json::nlohmann_json
  PRIVATE_DEPS PkgConfig::SODIUM
)
