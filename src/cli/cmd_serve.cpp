// `repsim serve`: the local web explorer. One page (web/, built into the
// binary) and the JSON API of serve/serve_api.h, behind the request handler of
// serve/serve_router.h and the reading front of cli/http_front.h (which
// replaced cpp-httplib for issue 22: that header says why).
//
// Safety: binds to loopback unless --host says otherwise; on loopback,
// requests must name a loopback host (a page elsewhere cannot reach the API
// through DNS rebinding), and a browser's POST must be same-origin (Origin,
// Sec-Fetch-Site); bodies over 1 MiB get 413, chunked or not; sweeps over
// --max-sweep-points get 400 before any work; no request reads or writes a
// file (serve_api.h). Robustness: slow clients hold a socket, never a
// worker; each request must arrive whole within --timeout seconds (408);
// SIGINT/SIGTERM close every connection at once.
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/http_front.h"
#include "cli/web_assets.h"
#include "io/interrupt.h"
#include "serve/serve_api.h"
#include "serve/serve_router.h"

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
    "Bad input is HTTP 400 with the diagnostics in JSON; bodies over 1 MiB are 413 (chunked\n"
    "too); a request must arrive whole within --timeout seconds (408); a browser's POST must\n"
    "come from the server's own page (Origin, Sec-Fetch-Site; scripts send neither).\n"
    "Nothing is read from or written to files. Ctrl-C stops the server.";

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// A listening TCP socket on host:port (port 0: any free one), or -1; `bound`
// is the port.
int Listen(const std::string& host, int port, int* bound) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0 || ::listen(fd, SOMAXCONN) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) return -1;
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *bound = addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                      : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  return fd;
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
             "seconds a client may take to send a whole request (headers and body), or stall "
             "while reading a reply; an idle connection closes after it too (default 5)");
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
  io::ServeOptions options;
  options.limits.max_sweep_points = max_sweep_points;
  options.loopback = IsLoopback(host);
  for (const WebAsset& a : WebAssets()) options.files.push_back({a.path, a.content_type, a.data});
  const bool loopback = options.loopback;
  FrontOptions front;
  front.threads = threads;
  front.timeout = std::chrono::seconds(timeout);
  front.http.max_body = kMaxBody;

  int bound = port;
  const int listen_fd = Listen(host, port, &bound);
  if (listen_fd < 0) {
    return Fail("serve", fmt::format("cannot listen on {}:{} (in use? try --port 0 for any free "
                                     "port)",
                                     host, port));
  }
  const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  const std::string url = fmt::format("http://{}:{}/", shown, bound);
  fmt::print("repsim serve: listening on {} ({}); Ctrl-C stops it\n", url,
             loopback ? "loopback only: other machines cannot connect"
                      : "reachable from other machines: anyone who can reach this address can "
                        "use it");
  std::fflush(stdout);

  io::InstallInterruptHandlers();
  if (open) OpenBrowser(url);
  const RequestHandler handler = [&options](const io::HttpRequest& request) {
    return io::HandleRequest(request, options);
  };
  const FrontEnd end = ServeHttp(listen_fd, front, handler, [] { return io::Interrupted(); });
  ::close(listen_fd);
  if (end == FrontEnd::kWorkersBusy) {
    // A request still computing (bounded by the work limits) is abandoned:
    // nothing is written to files, so nothing is lost.
    fmt::print("repsim serve: stopped ({}; a request in progress was abandoned)\n",
               io::InterruptSignal() == SIGINT ? "SIGINT" : "SIGTERM");
    std::fflush(stdout);
    std::_Exit(kExitOk);
  }
  const bool ok = end == FrontEnd::kStopped;
  if (io::Interrupted()) {
    fmt::print("repsim serve: stopped ({})\n",
               io::InterruptSignal() == SIGINT ? "SIGINT" : "SIGTERM");
    return kExitOk;
  }
  if (!ok) return Fail("serve", "the server stopped unexpectedly", kExitInternal);
  return kExitOk;
}

}  // namespace repsim::cli
