#pragma once

// Writing JSON text directly, without building a tree: a string literal with the escapes
// nlohmann's dump uses (", \, \b \f \n \r \t, other control characters as \u00XX; everything
// else, UTF-8 included, as is). For writers on hot or large paths (verdicts, statements).

#include <string>
#include <string_view>

namespace bulwark {

// Appends `s` as a JSON string literal. `s` must be valid UTF-8.
void AppendJsonString(std::string_view s, std::string* out);
// The same, with every invalid UTF-8 sequence replaced by U+FFFD first.
void AppendJsonStringSafe(std::string_view s, std::string* out);

}  // namespace bulwark
