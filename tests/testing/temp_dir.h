#pragma once

// Test helpers: a temporary directory removed at the end of the test, and sample events.

#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/events.h"

namespace bulwark::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "bulwark-test-XXXXXX").string();
    char* p = mkdtemp(tmpl.data());
    path_ = p ? p : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline Item MakeItem(std::string id, std::string text, std::string author = "u1") {
  Item item;
  item.id = std::move(id);
  item.text = std::move(text);
  item.author_id = std::move(author);
  item.created_at = 1'700'000'000'000;
  return item;
}

}  // namespace bulwark::testing
