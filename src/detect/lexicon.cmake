# The Hyperscan lexicon matcher (bulwark_detect_lexicon). Included by src/detect/CMakeLists.txt.
if(TARGET bulwark_text)
  bulwark_library(bulwark_detect_lexicon
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/lexicon.cc
    DEPS bulwark_core bulwark_text PkgConfig::HS
    PRIVATE_DEPS nlohmann_json::nlohmann_json PkgConfig::SODIUM
  )
endif()
