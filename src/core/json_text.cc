#include "core/json_text.h"

#include <cstdio>

#include "core/utf8.h"

namespace bulwark {

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

void AppendJsonStringSafe(std::string_view s, std::string* out) {
  if (IsValidUtf8(s)) {
    AppendJsonString(s, out);
  } else {
    AppendJsonString(ReplaceInvalidUtf8(s, "\xEF\xBF\xBD"), out);
  }
}

}  // namespace bulwark
