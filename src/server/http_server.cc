#include "server/http_server.h"

#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <mutex>
#include <thread>

namespace bulwark::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::size_t kDrainLimitBytes = 64u << 20;
constexpr std::size_t kDrainChunkBytes = 64u << 10;

// What a connection over the cap is told before it is closed.
constexpr std::string_view kOverCapacityBody =
    "{\"error\":{\"code\":\"unavailable\",\"message\":\"too many connections; retry shortly\"}}\n";

std::string OverCapacityResponse() {
  std::string r =
      "HTTP/1.1 503 Service Unavailable\r\nServer: bulwark\r\nContent-Type: application/json\r\n"
      "Retry-After: 1\r\nConnection: close\r\nContent-Length: ";
  r += std::to_string(kOverCapacityBody.size());
  r += "\r\n\r\n";
  r += kOverCapacityBody;
  return r;
}

std::string ErrorJson(std::string_view code, std::string_view message, std::string_view field) {
  // Messages here are fixed ASCII text: no escaping needed beyond what we write.
  std::string out = "{\"error\":{\"code\":\"";
  out += code;
  out += "\",\"message\":\"";
  out += message;
  out += "\"";
  if (!field.empty()) {
    out += ",\"field\":\"";
    out += field;
    out += "\"";
  }
  out += "}}";
  return out;
}

struct Shared {
  HttpServerOptions options;
  HttpHandler handler;
  std::atomic<int> connections{0};

  void Log(std::string_view line) const {
    if (options.log) {
      options.log(line);
    } else {
      std::fprintf(stderr, "bulwark: http: %.*s\n", static_cast<int>(line.size()), line.data());
    }
  }
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // The caller has counted this connection in shared.connections; the session uncounts it.
  Session(tcp::socket socket, Shared& shared) : stream_(std::move(socket)), shared_(shared) {}
  ~Session() { shared_.connections.fetch_sub(1, std::memory_order_relaxed); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(shared_.options.max_header_bytes));
    parser_->body_limit(shared_.options.max_body_bytes);
    stream_.expires_after(std::chrono::seconds(shared_.options.idle_timeout_seconds));
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == net::error::eof || ec == beast::error::timeout ||
        ec == net::error::connection_reset) {
      return Close();
    }
    if (ec == http::error::header_limit) {
      return SendError(431, "resource_exhausted", "request headers are too large", "headers");
    }
    // Beast checks Content-Length against the body limit while parsing the header.
    const bool too_large = ec == http::error::body_limit ||
                           (!ec && parser_->content_length() &&
                            *parser_->content_length() > shared_.options.max_body_bytes);
    if (ec && !too_large) return SendError(400, "invalid_argument", "malformed HTTP request", "");
    auto& req = parser_->get();
    body_limit_ = shared_.options.max_body_bytes;
    if (!too_large && shared_.options.body_limit) {
      body_limit_ =
          std::min(body_limit_, shared_.options.body_limit(req.method_string(), req.target()));
      parser_->body_limit(body_limit_);
    }
    if (too_large || (parser_->content_length() && *parser_->content_length() > body_limit_)) {
      body_unread_ = !Expects100Continue();
      return SendError(413, "resource_exhausted",
                       "request body is larger than the limit of " + std::to_string(body_limit_) +
                           " bytes for this endpoint",
                       "body");
    }
    if (Expects100Continue() && !parser_->is_done()) {
      auto cont = std::make_shared<http::response<http::empty_body>>(http::status::continue_,
                                                                     req.version());
      http::async_write(stream_, *cont,
                        [self = shared_from_this(), cont](beast::error_code wec, std::size_t) {
                          if (wec) return self->Close();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  bool Expects100Continue() {
    auto it = parser_->get().find(http::field::expect);
    return it != parser_->get().end() && beast::iequals(it->value(), "100-continue");
  }

  void ReadBody() {
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnBody(ec); });
  }

  void OnBody(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      body_unread_ = true;
      return SendError(413, "resource_exhausted",
                       "request body is larger than the limit of " + std::to_string(body_limit_) +
                           " bytes for this endpoint",
                       "body");
    }
    if (ec == beast::error::timeout || ec == net::error::eof || ec == http::error::end_of_stream ||
        ec == net::error::connection_reset) {
      return Close();
    }
    if (ec) {
      body_unread_ = true;
      return SendError(400, "invalid_argument", "malformed HTTP request body", "body");
    }
    Handle();
  }

  void Handle() {
    auto& req = parser_->get();
    HttpRequest in;
    in.method = std::string(req.method_string());
    std::string_view target = req.target();
    auto q = target.find('?');
    in.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) in.query = std::string(target.substr(q + 1));
    for (const auto& f : req) {
      in.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    }
    if (auto it = req.find(http::field::authorization); it != req.end()) {
      in.authorization = std::string(it->value());
    }
    if (auto it = req.find(http::field::content_type); it != req.end()) {
      in.content_type = std::string(it->value());
    }
    if (auto it = req.find(http::field::cookie); it != req.end()) {
      in.cookie = std::string(it->value());
    }
    in.body = std::move(req.body());
    beast::error_code peer_ec;
    auto peer = stream_.socket().remote_endpoint(peer_ec);
    if (!peer_ec) in.remote_address = peer.address().to_string();

    HttpResponse out;
    try {
      out = shared_.handler(in);
    } catch (const std::exception& e) {
      shared_.Log(std::string("handler threw on ") + in.method + " " + in.path.substr(0, 200) +
                  ": " + e.what());
      out = InternalError();
    } catch (...) {
      shared_.Log("handler threw a non-standard exception on " + in.method + " " +
                  in.path.substr(0, 200));
      out = InternalError();
    }
    Send(std::move(out), req.keep_alive(), req.version());
  }

  static HttpResponse InternalError() {
    HttpResponse out;
    out.status = 500;
    out.content_type = "application/json";
    out.body = ErrorJson("internal", "internal error", "");
    return out;
  }

  void SendError(int status, std::string_view code, const std::string& message,
                 std::string_view field) {
    HttpResponse out;
    out.status = status;
    out.body = ErrorJson(code, message, field);
    Send(std::move(out), false, 11);
  }

  // Builds the response; Beast throws on a header it cannot hold (a name or value over its
  // field size limit), which becomes a logged 500 instead of the end of the process.
  static std::shared_ptr<http::response<http::string_body>> Build(HttpResponse out, bool keep_alive,
                                                                  unsigned version) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(out.status), version);
    res->set(http::field::server, "bulwark");
    res->set(http::field::content_type, out.content_type);
    for (auto& [k, v] : out.headers) {
      // A header with a control character (CR LF would split the response) is never sent;
      // the routes that build headers from request data reject such data with a 400 first.
      auto bad = [](std::string_view x) {
        for (unsigned char c : x) {
          if ((c < 0x20 && c != '\t') || c == 0x7F) return true;
        }
        return false;
      };
      if (bad(k) || bad(v)) continue;
      res->insert(k, v);
    }
    res->body() = std::move(out.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    return res;
  }

  void Send(HttpResponse out, bool keep_alive, unsigned version) {
    std::shared_ptr<http::response<http::string_body>> res;
    try {
      res = Build(std::move(out), keep_alive, version);
    } catch (const std::exception& e) {
      shared_.Log(std::string("cannot build a response: ") + e.what());
      res = Build(InternalError(), false, version);
    }
    stream_.expires_after(std::chrono::seconds(shared_.options.idle_timeout_seconds));
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (ec) return self->Close();
                        if (res->keep_alive()) return self->ReadHeader();
                        self->Close();
                      });
  }

  // Half-closes, then (if the client may still be sending a body we refused) reads and
  // discards for a bounded time and size so the client sees our response instead of a reset.
  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (!body_unread_) {
      stream_.socket().close(ec);
      return;
    }
    body_unread_ = false;
    stream_.expires_after(std::chrono::seconds(5));
    Drain();
  }

  void Drain() {
    if (!drain_buf_) drain_buf_ = std::make_unique<std::array<char, kDrainChunkBytes>>();
    stream_.async_read_some(net::buffer(*drain_buf_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kDrainLimitBytes) {
                                beast::error_code ignored;
                                self->stream_.socket().close(ignored);
                                return;
                              }
                              self->Drain();
                            });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Shared& shared_;
  std::size_t body_limit_ = 0;  // for the request being read
  bool body_unread_ = false;
  std::size_t drained_ = 0;
  // Only a connection whose body we refused drains; the others never allocate this.
  std::unique_ptr<std::array<char, kDrainChunkBytes>> drain_buf_;
};

class BeastServer final : public HttpServer {
 public:
  BeastServer(const HttpServerOptions& options, HttpHandler handler)
      : ioc_(std::max(1, options.threads)), acceptor_(ioc_), accept_retry_(ioc_) {
    shared_.options = options;
    shared_.handler = std::move(handler);
  }

  ~BeastServer() override { Stop(); }

  Status Listen() {
    beast::error_code ec;
    auto address = net::ip::make_address(shared_.options.address, ec);
    if (ec) return InvalidArgument("invalid listen address: " + shared_.options.address, "address");
    tcp::endpoint endpoint(address, shared_.options.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return Unavailable("cannot listen on " + shared_.options.address + ":" +
                         std::to_string(shared_.options.port) + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint().port();
    Accept();
    for (int i = 0; i < std::max(1, shared_.options.threads); ++i) {
      threads_.emplace_back([this] { Run(); });
    }
    return Status::Ok();
  }

  std::uint16_t port() const override { return port_; }

  void Stop() override {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      stopped_ = true;
    }
    net::post(acceptor_.get_executor(), [this] {
      beast::error_code ec;
      acceptor_.close(ec);
      accept_retry_.cancel();
    });
    ioc_.stop();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    cv_.notify_all();
  }

  void Wait() override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stopped_; });
  }

 private:
  // An exception escaping a completion handler ends run(); it is logged and the thread goes
  // back to serving (run() may be called again after an exception).
  void Run() {
    for (;;) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        shared_.Log(std::string("exception on an I/O thread (still serving): ") + e.what());
      } catch (...) {
        shared_.Log("non-standard exception on an I/O thread (still serving)");
      }
    }
  }

  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
      if (ec == net::error::operation_aborted) return;
      if (ec) {
        // Typically out of file descriptors: retrying at once would spin a core. Back off
        // (doubling, at most a second) and log the first failure of a run.
        if (accept_backoff_ms_ == 0) shared_.Log("accept failed (backing off): " + ec.message());
        accept_backoff_ms_ = std::clamp(accept_backoff_ms_ * 2, 10, 1000);
        accept_retry_.expires_after(std::chrono::milliseconds(accept_backoff_ms_));
        accept_retry_.async_wait([this](beast::error_code wec) {
          if (wec != net::error::operation_aborted) Accept();
        });
        return;
      }
      accept_backoff_ms_ = 0;
      beast::error_code ignored;
      if (shared_.connections.fetch_add(1, std::memory_order_relaxed) >=
          shared_.options.max_connections) {
        shared_.connections.fetch_sub(1, std::memory_order_relaxed);
        // A fresh socket's send buffer is empty: this small write does not block.
        s.non_blocking(true, ignored);
        const std::string response = OverCapacityResponse();
        s.write_some(net::buffer(response), ignored);
        s.shutdown(tcp::socket::shutdown_both, ignored);
        s.close(ignored);
      } else {
        s.set_option(tcp::no_delay(true), ignored);
        std::make_shared<Session>(std::move(s), shared_)->Start();
      }
      Accept();
    });
  }

  Shared shared_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;
  int accept_backoff_ms_ = 0;  // touched only by the accept chain (one handler at a time)
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                      HttpHandler handler) {
  auto server = std::make_unique<BeastServer>(options, std::move(handler));
  BULWARK_RETURN_IF_ERROR(server->Listen());
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace bulwark::server
