// `repsim serve`: the local web explorer. One page (web/, built into the
// binary) and the JSON API of serve/serve_api.h, over cpp-httplib.
//
// Safety: binds to loopback unless --host says otherwise; on loopback,
// requests must name a loopback host (a page elsewhere cannot reach the API
// through DNS rebinding); bodies over 1 MiB get 413; sweeps over
// --max-sweep-points get 400 before any work; no request reads or writes a
// file (serve_api.h). Robustness: a pool of worker threads, and read/write
// timeouts, so that a slow or abandoned client holds one worker for at most
// --timeout seconds; SIGINT/SIGTERM stop the server between requests.
#include <fmt/format.h>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/web_assets.h"
#include "io/interrupt.h"
#include "serve/serve_api.h"

extern char** environ;

namespace repsim::cli {
namespace {

constexpr size_t kMaxBody = 1 << 20;  // 1 MiB: a scenario is a few hundred bytes

constexpr const char* kServeUsage =
    "Usage: repsim serve [--host 127.0.0.1] [--port 8787] [--open] [--max-sweep-points N]\n\n"
    "Serves a page to explore a scenario in the browser (fields and sliders, the scenario's\n"
    "TOML, the summary, trajectory and effective-tokens plots, a dropout-schedule comparison,\n"
    "a heatmap) and the JSON API it uses, which scripts can use too:\n"
    "  POST /api/run           TOML body: summary.json's document + trajectory, compare, sweep\n"
    "                          (?sweep=0 leaves the sweep out; ?columns=a,b trims its columns)\n"
    "  POST /api/check         TOML body: {\"ok\": true, ...} or the located diagnostics\n"
    "  POST /api/results.zip   TOML body: the scenario and what `repsim run` would write\n"
    "  GET  /api/laws          the law presets;  GET /api/columns: the summary's columns\n"
    "Bad input is HTTP 400 with the diagnostics in JSON; bodies over 1 MiB are 413.\n"
    "Nothing is read from or written to files. Ctrl-C stops the server.";

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// The host part of a Host header ("127.0.0.1:8787", "[::1]:8787", "localhost").
std::string HostName(const std::string& header) {
  if (!header.empty() && header[0] == '[') {
    const size_t end = header.find(']');
    return end == std::string::npos ? header : header.substr(1, end - 1);
  }
  return header.substr(0, header.find(':'));
}

void Send(httplib::Response& res, const io::ApiReply& reply) {
  res.status = reply.status;
  res.set_content(reply.body, reply.content_type.c_str());
  if (!reply.filename.empty()) {
    res.set_header("Content-Disposition",
                   fmt::format("attachment; filename=\"{}\"", reply.filename));
  }
  res.set_header("Cache-Control", "no-store");
}

// Opens `url` in the desktop's browser (xdg-open), without waiting for it.
void OpenBrowser(const std::string& url) {
  pid_t pid = 0;
  const char* argv[] = {"xdg-open", url.c_str(), nullptr};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  const int rc =
      posix_spawnp(&pid, "xdg-open", &actions, nullptr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    Warn("serve", fmt::format("--open: cannot run xdg-open; open {} yourself", url));
    return;
  }
  std::thread([pid] { waitpid(pid, nullptr, 0); }).detach();
}

}  // namespace

int ServeCommand(const Args& args) {
  std::string host = "127.0.0.1";
  int port = 8787;
  bool open = false;
  uint64_t max_sweep_points = io::ServeLimits{}.max_sweep_points;
  int threads = 16;
  int timeout = 5;
  std::string port_text, max_points_text, threads_text, timeout_text;
  FlagSet flags("serve", kServeUsage);
  flags
      .Value("host", '\0', "ADDR", &host,
             "address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: every "
             "interface)")
      .Value("port", 'p', "PORT", &port_text, "TCP port (default 8787; 0: any free port)")
      .Switch("open", '\0', &open, "open the page in the desktop's browser (xdg-open)")
      .Value("max-sweep-points", '\0', "N", &max_points_text,
             "largest sweep one request may ask for (default 20000)")
      .Value("threads", '\0', "N", &threads_text, "requests served at once (default 16)")
      .Value("timeout", '\0', "SECONDS", &timeout_text,
             "seconds a client may take to send a request or read a reply (default 5)");
  if (auto code = flags.Parse(args)) return *code;
  struct IntFlag {
    const char* name;
    const std::string& text;
    long long lo, hi;
    const char* note;
  };
  for (const IntFlag& f : {IntFlag{"port", port_text, 0, 65535, " (0: any free port)"},
                           IntFlag{"threads", threads_text, 1, 1024, ""},
                           IntFlag{"timeout", timeout_text, 1, 3600, " seconds"},
                           IntFlag{"max-sweep-points", max_points_text, 1, 100000000, ""}}) {
    if (!flags.Given(f.name)) continue;
    const Expected<long long> v = IntegerInRange(fmt::format("--{}", f.name), f.text, f.lo, f.hi);
    if (!v) return flags.UsageError(v.error() + f.note);
    const std::string_view name = f.name;
    if (name == "port") port = static_cast<int>(*v);
    if (name == "threads") threads = static_cast<int>(*v);
    if (name == "timeout") timeout = static_cast<int>(*v);
    if (name == "max-sweep-points") max_sweep_points = static_cast<uint64_t>(*v);
  }
  io::ServeLimits limits;
  limits.max_sweep_points = max_sweep_points;
  const bool loopback = IsLoopback(host);

  httplib::Server server;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  server.set_payload_max_length(kMaxBody);
  server.set_read_timeout(timeout, 0);
  server.set_write_timeout(timeout, 0);
  server.set_keep_alive_timeout(timeout);
  server.set_keep_alive_max_count(100);

  server.set_pre_routing_handler([loopback](const httplib::Request& req, httplib::Response& res) {
    if (loopback && !IsLoopback(HostName(req.get_header_value("Host")))) {
      Send(res, io::ApiError(403,
                             "this server answers only requests addressed to a loopback "
                             "host (127.0.0.1, localhost, [::1])"));
      return httplib::Server::HandlerResponse::Handled;
    }
    // cpp-httplib answers "Accept-Encoding: br" with Brotli at quality 11,
    // ~100 ms for the ~40 kB of a run (measured in chromium); gzip at zlib's
    // default level takes ~1 ms. The request is the server's own, non-const
    // object; the hook only sees it as const.
    auto& headers = const_cast<httplib::Request&>(req).headers;
    auto it = headers.find("Accept-Encoding");
    if (it != headers.end()) {
      if (it->second.find("gzip") != std::string::npos) {
        it->second = "gzip";
      } else {
        headers.erase(it);
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  for (const WebAsset& a : WebAssets()) {
    auto serve = [&a](const httplib::Request&, httplib::Response& res) {
      res.set_content(a.data.data(), a.data.size(), std::string(a.content_type).c_str());
    };
    server.Get(std::string(a.path), serve);
    if (a.path == "/index.html") server.Get("/", serve);
  }
  server.Get("/api/laws",
             [](const httplib::Request&, httplib::Response& res) { Send(res, io::ApiLaws()); });
  server.Get("/api/columns",
             [](const httplib::Request&, httplib::Response& res) { Send(res, io::ApiColumns()); });
  server.Post("/api/run", [&limits](const httplib::Request& req, httplib::Response& res) {
    io::RunRequest request;
    if (req.has_param("sweep")) request.sweep = req.get_param_value("sweep") != "0";
    if (req.has_param("columns")) {
      const std::string list = req.get_param_value("columns");
      size_t start = 0;
      while (start <= list.size()) {
        size_t end = list.find(',', start);
        if (end == std::string::npos) end = list.size();
        if (end > start) request.sweep_columns.push_back(list.substr(start, end - start));
        start = end + 1;
      }
    }
    const auto t0 = std::chrono::steady_clock::now();
    Send(res, io::ApiRun(req.body, limits, request));
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - t0;
    res.set_header("Server-Timing", fmt::format("run;dur={:.1f}", took.count()));
  });
  server.Post("/api/check", [&limits](const httplib::Request& req, httplib::Response& res) {
    Send(res, io::ApiCheck(req.body, limits));
  });
  server.Post("/api/results.zip", [&limits](const httplib::Request& req, httplib::Response& res) {
    Send(res, io::ApiResultsZip(req.body, limits));
  });
  // Errors without a body of their own (404 for unknown paths, 413, 400 for
  // malformed requests) get a JSON one.
  server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string message;
    switch (res.status) {
      case 404:
        message = fmt::format("no such page or API: {} {}", req.method, req.path);
        break;
      case 413:
        message = fmt::format("the request body is over {} bytes", kMaxBody);
        break;
      default:
        message = fmt::format("HTTP {}", res.status);
    }
    const int status = res.status;
    Send(res, io::ApiError(status, message));
  });
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, const std::exception_ptr& ep) {
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        Send(res, io::ApiError(500, fmt::format("internal error: {}", what)));
      });

  // cpp-httplib 0.11 listens with a backlog of 5: 200 clients connecting at
  // once would overflow it. Its socket-options hook hands us the socket
  // (before bind), and listen() again after binding raises the backlog.
  int listen_fd = -1;
  server.set_socket_options([&listen_fd](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    // Replies go out in two writes (head, body): without this, Nagle's
    // algorithm holds the body until the client acknowledges the head.
    // Accepted sockets inherit it from the listening one.
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    listen_fd = sock;
  });
  int bound = port;
  if (port == 0) {
    bound = server.bind_to_any_port(host);
  } else if (!server.bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound < 0) {
    return Fail("serve", fmt::format("cannot listen on {}:{} (in use? try --port 0 for any free "
                                     "port)",
                                     host, port));
  }
  if (listen_fd >= 0) ::listen(listen_fd, SOMAXCONN);
  const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  const std::string url = fmt::format("http://{}:{}/", shown, bound);
  fmt::print("repsim serve: listening on {} ({}); Ctrl-C stops it\n", url,
             loopback ? "loopback only: other machines cannot connect"
                      : "reachable from other machines: anyone who can reach this address can "
                        "use it");
  std::fflush(stdout);

  io::InstallInterruptHandlers();
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done && !io::Interrupted()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    server.stop();
  });
  if (open) OpenBrowser(url);
  const bool ok = server.listen_after_bind();
  done = true;
  watcher.join();
  if (io::Interrupted()) {
    fmt::print("repsim serve: stopped ({})\n",
               io::InterruptSignal() == SIGINT ? "SIGINT" : "SIGTERM");
    return kExitOk;
  }
  if (!ok) return Fail("serve", "the server stopped unexpectedly", kExitInternal);
  return kExitOk;
}

}  // namespace repsim::cli
