#pragma once

// Strict UTF-8 validation (no overlong forms, no surrogates, nothing above U+10FFFF).

#include <cstddef>
#include <string>
#include <string_view>

namespace bulwark {

// Byte offset of the first invalid sequence, or npos when `s` is valid UTF-8.
size_t FindInvalidUtf8(std::string_view s);
inline bool IsValidUtf8(std::string_view s) { return FindInvalidUtf8(s) == std::string_view::npos; }

// Copy of `s` with every maximal invalid subsequence replaced by `replacement`.
std::string ReplaceInvalidUtf8(std::string_view s, std::string_view replacement);

}  // namespace bulwark
