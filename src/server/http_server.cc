#include "server/http_server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace bulwark::server {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::size_t kDrainLimitBytes = 64u << 20;

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
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Shared& shared) : stream_(std::move(socket)), shared_(shared) {}

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
    if (too_large) {
      body_unread_ = !Expects100Continue();
      return SendError(413, "resource_exhausted",
                       "request body is larger than the limit of " +
                           std::to_string(shared_.options.max_body_bytes) + " bytes",
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
                       "request body is larger than the limit of " +
                           std::to_string(shared_.options.max_body_bytes) + " bytes",
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

    HttpResponse out;
    try {
      out = shared_.handler(in);
    } catch (...) {
      out.status = 500;
      out.content_type = "application/json";
      out.body = ErrorJson("internal", "internal error", "");
    }
    Send(std::move(out), req.keep_alive(), req.version());
  }

  void SendError(int status, std::string_view code, const std::string& message,
                 std::string_view field) {
    HttpResponse out;
    out.status = status;
    out.body = ErrorJson(code, message, field);
    Send(std::move(out), false, 11);
  }

  void Send(HttpResponse out, bool keep_alive, unsigned version) {
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
    stream_.async_read_some(net::buffer(drain_buf_),
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
  const Shared& shared_;
  bool body_unread_ = false;
  std::size_t drained_ = 0;
  std::array<char, 64 * 1024> drain_buf_{};
};

class BeastServer final : public HttpServer {
 public:
  BeastServer(const HttpServerOptions& options, HttpHandler handler)
      : shared_{options, std::move(handler)}, ioc_(std::max(1, options.threads)), acceptor_(ioc_) {}

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
      threads_.emplace_back([this] { ioc_.run(); });
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
  void Accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
      if (ec == net::error::operation_aborted) return;
      if (!ec) {
        beast::error_code ignored;
        s.set_option(tcp::no_delay(true), ignored);
        std::make_shared<Session>(std::move(s), shared_)->Start();
      }
      Accept();
    });
  }

  Shared shared_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
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
