// SPDX-License-Identifier: MIT
// counters-exporter's HTTP server (Boost.Beast over Asio). One thread runs every connection
// asynchronously, so a slow or hostile client only ever holds its own connection; scrapes
// (reading shared memory and rendering) run on two worker threads and their response is
// handed back to the connection's thread. Limits: see http_limits.
#include "exporter.hpp"

#include <counters_tools/cli.hpp>
#include <counters_tools/prometheus.hpp>
#include <counters_tools/text.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <zlib.h>

#include <climits>
#include <cstring>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace counters::exporter {

namespace {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
namespace ct = counters::tools;

/// True when an Accept-Encoding field value accepts gzip (`gzip` or `*`, with a q-value
/// other than 0).
bool accepts_gzip(std::string_view value) {
    while (!value.empty()) {
        const auto comma = value.find(',');
        std::string_view item = value.substr(0, comma);
        value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
        const auto semi = item.find(';');
        std::string_view coding = item.substr(0, semi);
        std::string_view params = semi == std::string_view::npos ? std::string_view() : item.substr(semi + 1);
        auto trim = [](std::string_view s) {
            while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
            while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
            return s;
        };
        coding = trim(coding);
        const std::string name = ct::lower(coding);
        if (name != "gzip" && name != "x-gzip" && name != "*") continue;
        const std::string p = ct::lower(trim(params));
        // q=0, q=0.0, q=0.00, q=0.000: refused.
        if (p.rfind("q=", 0) == 0) {
            const std::string q = p.substr(2);
            if (!q.empty() && q.find_first_not_of("0.") == std::string::npos && q[0] == '0') continue;
        }
        return true;
    }
    return false;
}

/// @p in compressed as a gzip member (zlib, fastest level), or std::nullopt when zlib fails
/// or the body is too large for one call.
std::optional<std::string> gzip_of(const std::string& in) {
    if (in.size() > UINT_MAX / 2) return std::nullopt;
    z_stream zs{};
    if (deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return std::nullopt;
    std::string out(deflateBound(&zs, static_cast<uLong>(in.size())) + 64, '\0');
    // zlib's API takes a non-const input pointer; it never writes through it.
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data())); // NOLINT
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int r = deflate(&zs, Z_FINISH);
    const uLong total = zs.total_out;
    deflateEnd(&zs);
    if (r != Z_STREAM_END) return std::nullopt;
    out.resize(total);
    return out;
}

/// @p s with &, <, >, " and ' written as HTML character references, and every byte outside
/// printable ASCII escaped as the tools do (section and registry names come from the command
/// line or the environment).
std::string html_escape(std::string_view s) {
    std::string out;
    for (const char c : ct::escape_name(s)) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

/// What every connection shares: the limits, the collector, the worker threads.
struct shared_state {
    const options& opt;
    collector& source;
    http_stats& stats;
    std::ostream& log;
    asio::thread_pool workers{2};
    std::string landing_page;

    shared_state(const options& o, collector& c, std::ostream& l) : opt(o), source(c), stats(c.http()), log(l) {
        landing_page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>counters-exporter</title></head>\n"
                       "<body>\n<h1>counters-exporter</h1>\n<p>Prometheus exporter of the MTA channel counters of "
                       "section <code>" +
                       html_escape(c.section()) + "</code> and of the counter registry <code>" + html_escape(c.registry()) +
                       "</code>.</p>\n<p><a href=\"" + html_escape(o.telemetry_path) + "\">Metrics</a></p>\n</body>\n</html>\n";
    }
};

/// One client connection: read a request, answer it, and again while the client keeps the
/// connection alive. Every member is used on the I/O thread only.
class connection : public std::enable_shared_from_this<connection> {
public:
    connection(tcp::socket socket, shared_state& state) : stream_(std::move(socket)), state_(state) {
        state_.stats.connections_open.fetch_add(1, std::memory_order_relaxed);
    }
    ~connection() { state_.stats.connections_open.fetch_sub(1, std::memory_order_relaxed); }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    void start() { read_request(); }

private:
    beast::tcp_stream stream_;
    shared_state& state_;
    beast::flat_buffer buffer_{16384};
    std::optional<http::request_parser<http::string_body>> parser_;
    std::optional<http::response<http::string_body>> response_;
    std::optional<http::response<http::empty_body>> head_response_;
    bool close_after_ = false;
    std::array<char, 4096> drain_{};

    void read_request() {
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(state_.opt.limits.header_limit));
        parser_->body_limit(state_.opt.limits.body_limit);
        stream_.expires_after(state_.opt.limits.request_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    /// Between two requests of a kept-alive connection: the idle timeout until the first
    /// byte of the next one, then the request timeout for the rest.
    void wait_next() {
        if (buffer_.size() != 0) { // pipelined: the next request has begun already
            read_request();
            return;
        }
        stream_.expires_after(state_.opt.limits.idle_timeout);
        stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            if (ec) {
                if (ec == beast::error::timeout) self->state_.stats.connections_timed_out.fetch_add(1, std::memory_order_relaxed);
                self->stream_.close();
                return;
            }
            self->buffer_.commit(n);
            self->read_request();
        });
    }

    void on_read(beast::error_code ec) {
        if (!ec) {
            handle(parser_->get());
            return;
        }
        if (ec == beast::error::timeout) {
            state_.stats.connections_timed_out.fetch_add(1, std::memory_order_relaxed);
            stream_.close();
            return;
        }
        if (ec == http::error::end_of_stream) { // closed between requests
            stream_.close();
            return;
        }
        if (ec == http::error::header_limit) {
            send_error(http::status::request_header_fields_too_large, "request header too large\n", 11);
            return;
        }
        if (ec == http::error::body_limit) {
            send_error(http::status::payload_too_large, "request body too large\n", 11);
            return;
        }
        if (ec.category() == http::make_error_code(http::error::bad_target).category()) { // malformed or cut
            send_error(http::status::bad_request, "malformed request\n", 11);
            return;
        }
        stream_.close(); // reset by the peer, or another socket error
    }

    void handle(const http::request<http::string_body>& req) {
        const unsigned version = req.version(); // 10 or 11: the parser refuses any other (400)
        const std::string_view target(req.target().data(), req.target().size());
        const std::string_view path = target.substr(0, target.find('?'));
        const bool is_metrics = path == state_.opt.telemetry_path;
        const bool is_landing = path == "/" && !is_metrics;
        const bool keep = req.keep_alive();
        if (!is_metrics && !is_landing) {
            send_text(http::status::not_found, "text/plain; charset=utf-8", "404 page not found\n", version, keep, false);
            return;
        }
        const bool head = req.method() == http::verb::head;
        if (req.method() != http::verb::get && !head) {
            response_.emplace(http::status::method_not_allowed, version);
            response_->set(http::field::allow, "GET, HEAD");
            finish_text(*response_, "text/plain; charset=utf-8", "405 method not allowed\n", keep, false);
            return;
        }
        if (is_landing) {
            send_text(http::status::ok, "text/html; charset=utf-8", state_.landing_page, version, keep, head);
            return;
        }
        const auto ae = req.find(http::field::accept_encoding);
        const bool gzip = ae != req.end() && accepts_gzip(std::string_view(ae->value().data(), ae->value().size()));
        scrape(version, keep, head, gzip);
    }

    /// Runs the scrape on a worker thread; the answer comes back to this connection's thread.
    void scrape(unsigned version, bool keep, bool head, bool gzip) {
        auto home = stream_.get_executor();
        asio::post(state_.workers, [self = shared_from_this(), home, version, keep, head, gzip] {
            std::string body;
            bool ok = true, zipped = false;
            try {
                body = self->state_.source.scrape();
                if (gzip) {
                    if (auto z = gzip_of(body)) {
                        body = std::move(*z);
                        zipped = true;
                    }
                }
            } catch (const std::exception& e) {
                ok = false;
                body = std::string("scrape failed: ") + e.what() + "\n";
            }
            asio::post(home, [self, body = std::move(body), ok, zipped, version, keep, head]() mutable {
                self->send_scrape(std::move(body), ok, zipped, version, keep, head);
            });
        });
    }

    void send_scrape(std::string body, bool ok, bool zipped, unsigned version, bool keep, bool head) {
        if (!ok) {
            send_text(http::status::internal_server_error, "text/plain; charset=utf-8", std::move(body), version, keep, head);
            return;
        }
        auto setup = [&](auto& res) {
            res.set(http::field::content_type, ct::prometheus_content_type);
            res.set(http::field::vary, "Accept-Encoding");
            if (zipped) res.set(http::field::content_encoding, "gzip");
        };
        if (head) {
            head_response_.emplace(http::status::ok, version);
            setup(*head_response_);
            head_response_->keep_alive(keep);
            head_response_->content_length(body.size());
            write(*head_response_, !keep);
        } else {
            response_.emplace(http::status::ok, version);
            setup(*response_);
            finish_text(*response_, nullptr, std::move(body), keep, false);
        }
    }

    void send_text(http::status status, const char* type, std::string body, unsigned version, bool keep, bool head) {
        if (head) {
            head_response_.emplace(status, version);
            head_response_->set(http::field::content_type, type);
            head_response_->keep_alive(keep);
            head_response_->content_length(body.size());
            write(*head_response_, !keep);
            return;
        }
        response_.emplace(status, version);
        finish_text(*response_, type, std::move(body), keep, false);
    }

    /// A response to a request that could not be read whole: the connection is closed after it.
    void send_error(http::status status, const char* text, unsigned version) {
        response_.emplace(status, version);
        finish_text(*response_, "text/plain; charset=utf-8", text, false, true);
    }

    void finish_text(http::response<http::string_body>& res, const char* type, std::string body, bool keep, bool drain) {
        if (type != nullptr) res.set(http::field::content_type, type);
        res.body() = std::move(body);
        res.keep_alive(keep);
        res.prepare_payload();
        write(res, !keep, drain);
    }

    template <class Response>
    void write(Response& res, bool close, bool drain = false) {
        state_.stats.count_response(static_cast<unsigned>(res.result_int()));
        close_after_ = close;
        stream_.expires_after(state_.opt.limits.write_timeout);
        http::async_write(stream_, res, [self = shared_from_this(), drain](beast::error_code ec, std::size_t) {
            self->response_.reset();
            self->head_response_.reset();
            if (ec) {
                if (ec == beast::error::timeout)
                    self->state_.stats.connections_timed_out.fetch_add(1, std::memory_order_relaxed);
                self->stream_.close();
                return;
            }
            if (self->close_after_) {
                self->shut(drain);
                return;
            }
            self->wait_next();
        });
    }

    /// Ends the connection after its last response: no more sending, and, after a request
    /// that was not read whole, what the client still sends is read and dropped for a moment
    /// (closing with unread data would reset the connection and could lose the response).
    void shut(bool drain) {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        if (!drain) {
            stream_.close();
            return;
        }
        stream_.expires_after(std::chrono::seconds(2));
        drain_some();
    }

    void drain_some() {
        stream_.async_read_some(asio::buffer(drain_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec) {
                self->stream_.close();
                return;
            }
            self->drain_some();
        });
    }
};

/// Accepts connections, up to the limit; past it, each new one is closed at once.
class listener : public std::enable_shared_from_this<listener> {
public:
    listener(asio::io_context& io, tcp::acceptor acceptor, shared_state& state)
        : acceptor_(std::move(acceptor)), state_(state), pause_(io) {}

    void accept() {
        acceptor_.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket s) {
            self->on_accept(ec, std::move(s));
        });
    }

private:
    tcp::acceptor acceptor_;
    shared_state& state_;
    asio::steady_timer pause_;
    bool said_full_ = false;
    bool said_error_ = false;

    void on_accept(beast::error_code ec, tcp::socket socket) {
        if (ec) {
            // Out of file descriptors (or another passing failure): say it once, wait a
            // moment, and go on accepting.
            if (!said_error_) log_line(state_.log, "cannot accept a connection: " + ec.message());
            said_error_ = true;
            pause_.expires_after(std::chrono::milliseconds(100));
            pause_.async_wait([self = shared_from_this()](beast::error_code) { self->accept(); });
            return;
        }
        said_error_ = false;
        state_.stats.connections_accepted.fetch_add(1, std::memory_order_relaxed);
        if (state_.stats.connections_open.load(std::memory_order_relaxed) >= state_.opt.limits.max_connections) {
            state_.stats.connections_refused.fetch_add(1, std::memory_order_relaxed);
            if (!said_full_)
                log_line(state_.log, "connection limit reached (" + std::to_string(state_.opt.limits.max_connections) +
                               " open, --web.max-connections): new connections are closed until one ends");
            said_full_ = true;
            beast::error_code ignored;
            socket.close(ignored);
        } else {
            if (said_full_) log_line(state_.log, "connections accepted again");
            said_full_ = false;
            std::make_shared<connection>(std::move(socket), state_)->start();
        }
        accept();
    }
};

/// A bound, listening acceptor for @p a, or throws `cannot listen on ADDR: why`.
tcp::acceptor open_acceptor(asio::io_context& io, const options& opt) {
    const auto fail = [&](const std::string& why) {
        return std::runtime_error("cannot listen on " + ct::escape_name(opt.listen_text) + ": " + why);
    };
    std::vector<tcp::endpoint> candidates;
    if (opt.listen.host.empty()) {
        // Every interface: IPv6 and IPv4 on one dual-stack socket, or IPv4 alone where the
        // system has no IPv6.
        candidates.emplace_back(asio::ip::address_v6::any(), opt.listen.port);
        candidates.emplace_back(asio::ip::address_v4::any(), opt.listen.port);
    } else {
        beast::error_code ec;
        tcp::resolver resolver(io);
        const auto results = resolver.resolve(opt.listen.host, std::to_string(opt.listen.port),
                                              tcp::resolver::passive | tcp::resolver::numeric_service, ec);
        if (ec) throw fail("cannot resolve \"" + ct::escape_name(opt.listen.host) + "\": " + ec.message());
        for (const auto& r : results) {
            candidates.push_back(r.endpoint());
            break; // the first address only, as a name given means one address
        }
        if (candidates.empty()) throw fail("\"" + ct::escape_name(opt.listen.host) + "\" has no address");
    }
    std::string why;
    for (const auto& ep : candidates) {
        tcp::acceptor acceptor(io);
        beast::error_code ec;
        acceptor.open(ep.protocol(), ec);
        if (ec) {
            if (why.empty()) why = ec.message();
            continue; // no IPv6 here: IPv4 next
        }
        if (ep.address().is_v6() && ep.address().is_unspecified()) acceptor.set_option(asio::ip::v6_only(false), ec);
        acceptor.set_option(asio::socket_base::reuse_address(true), ec);
        acceptor.bind(ep, ec);
        if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (!ec) return acceptor;
        // An address in use or not available is the answer; only a missing IPv6 tries IPv4.
        why = ec.message();
        if (ec != asio::error::address_family_not_supported) break;
    }
    throw fail(why);
}

} // namespace

void serve(const options& opt, collector& source, std::ostream& log) {
    asio::io_context io(1);
    tcp::acceptor acceptor = open_acceptor(io, opt);
    const tcp::endpoint bound = acceptor.local_endpoint();
    shared_state state(opt, source, log);
    const std::string host = bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string();
    log_line(log,
               "listening on " + host + ":" + std::to_string(bound.port()) + ", serving " + opt.telemetry_path +
                   " (section \"" + ct::escape_name(source.section()) + "\", registry \"" +
                   ct::escape_name(source.registry()) + "\")");
    std::make_shared<listener>(io, std::move(acceptor), state)->accept();
    io.run();
    state.workers.join();
}

} // namespace counters::exporter
