#pragma once

// A small HTTP/1.1 server (Boost.Beast underneath; Beast is confined to http_server.cc so the
// rest of the code base compiles quickly and never sees it).
//
// Requests are read with strict limits (header bytes, body bytes, idle timeout) and handed to
// one synchronous handler on a pool of I/O threads. Protocol-level failures get JSON errors
// like the rest of the API: 400 malformed HTTP, 413 body too large, 431 headers too large.
// Keep-alive, pipelining-safe (one request at a time per connection), TCP_NODELAY. Bounded:
// connections (503 past the cap), per-route body limits, buffers allocated only when needed;
// accept failures (out of file descriptors) back off instead of spinning; an exception on an
// I/O thread is logged and the thread keeps serving.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace bulwark::server {

struct HttpRequest {
  std::string method;         // "GET", "POST", ...
  std::string path;           // percent-encoded, without the query
  std::string query;          // after '?', raw
  std::string authorization;  // Authorization header
  std::string content_type;
  std::string cookie;
  std::string body;
  // The TCP peer's address ("127.0.0.1", "::1"); empty when unknown. Behind a proxy this is the
  // proxy: see Api's trust_forwarded_for.
  std::string remote_address;
  std::vector<std::pair<std::string, std::string>> headers;  // every header, in order
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: pick a free port (see HttpServer::port())
  int threads = 2;
  // The largest body of any request. `body_limit`, when set, gives a smaller limit per request:
  // it sees the method and the target (path and query, as sent) once the header is read, before
  // a byte of the body is, so a login form cannot be 16 MiB.
  std::size_t max_body_bytes = 16u << 20;
  std::function<std::size_t(std::string_view method, std::string_view target)> body_limit;
  std::size_t max_header_bytes = 16u << 10;
  int idle_timeout_seconds = 30;
  // Connections open at once; one more is answered 503 and closed at once.
  int max_connections = 4096;
  // Where the server reports what it cannot send a client (accept failures, exceptions caught
  // on an I/O thread). Default: one line on stderr. Called from I/O threads; must be thread-safe.
  std::function<void(std::string_view line)> log;
};

class HttpServer {
 public:
  // Binds, listens and starts the I/O threads. The handler must be thread-safe and must not
  // throw (an exception becomes a 500 with no detail for the client).
  static Result<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                   HttpHandler handler);
  virtual ~HttpServer() = default;

  virtual std::uint16_t port() const = 0;
  // Stops accepting, finishes the request each thread is handling, joins the threads.
  // Idempotent; called by the destructor.
  virtual void Stop() = 0;
  // Blocks until Stop() has been called from another thread (or a signal handler path).
  virtual void Wait() = 0;
};

}  // namespace bulwark::server
