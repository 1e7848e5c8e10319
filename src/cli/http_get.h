#pragma once

// A small HTTP(S) GET for commands that read a Bulwark server from outside (bulwark log verify
// --from-feed). cpp-httplib stays inside http_get.cc.

#include <string>

#include "core/status.h"

namespace bulwark::cli {

// GET base_url + path_and_query ("http://host:port[/prefix]" + "/v1/log/head"), with
// "Authorization: Bearer <bearer>" when `bearer` is not empty. Returns the body of a 200
// response. Unavailable when the server cannot be reached, PermissionDenied for 401 and 403,
// FailedPrecondition for any other status (with the server's error message), InvalidArgument
// for a URL that is not http:// or https://. HTTPS certificates are verified.
Result<std::string> HttpGet(const std::string& base_url, const std::string& path_and_query,
                            const std::string& bearer);

}  // namespace bulwark::cli
