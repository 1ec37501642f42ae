// `repsim serve`'s HTTP server: a reading front on one poll() loop, and a
// pool of workers that only ever see complete requests.
//
// Why not cpp-httplib (used until issue 22): its worker threads read the
// request themselves, so 16 clients sending a byte a second held all 16
// workers for the whole read timeout; it held a chunked body whole before
// checking its size (a 400 MB upload, RSS 61 → 487 MB, answered 400 not 413);
// it accepted conflicting Content-Lengths, Content-Length with chunked, and
// "Transfer-Encoding :"; its read timeout restarted with every byte, so
// there was no deadline for a whole request; and SIGTERM waited for the
// stalled workers (27 s). None of these is a setting of Debian's 0.11. The
// front below fixes them by construction:
//   * one thread reads every connection without blocking and parses what has
//     arrived (serve/http_request.h: strict framing, 1 MiB body chunked or not,
//     413 as soon as a declared size is over it); a worker gets the request
//     only once it is complete and valid, so slow clients cost a socket, not
//     a worker;
//   * each request has a deadline from its first byte (--timeout): headers
//     and body must arrive by then, else 408 and the connection is closed;
//     an idle keep-alive connection is closed after the same time, and a
//     reply the client does not read is dropped after it without progress;
//   * the front writes the replies too (non-blocking), so a client that does
//     not read holds no worker either;
//   * connections are capped (503 beyond; bounded by the descriptor limit),
//     and so is the queue of complete requests waiting for a worker (503);
//   * a client that half-closes after its request still gets the reply; one
//     that half-closes in the middle of one gets a 400; a reply to a request
//     that said "Connection: close", and every error from the parser, carry
//     "Connection: close" and end the connection;
//   * the stop callback is polled every 50 ms: the loop closes every socket
//     at once, and a worker still computing (bounded by the server's work
//     limits, io::ServeLimits) is given until the grace period ends.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>

#include "serve/http_request.h"
#include "serve/serve_router.h"

namespace repsim::cli {

struct FrontOptions {
  int threads = 16;                         // workers
  std::chrono::milliseconds timeout{5000};  // a whole request; idle keep-alive; a stalled reply
  size_t max_connections = 1000;            // lowered to the descriptor limit
  size_t max_queue = 256;                   // complete requests waiting for a worker
  int keep_alive_max = 100;                 // requests on one connection
  io::HttpLimits http;
  // After stop: how long to wait for the workers still computing.
  std::chrono::milliseconds grace{1500};
};

using RequestHandler = std::function<io::HttpResponse(const io::HttpRequest&)>;

enum class FrontEnd {
  kStopped,      // stop() said so; every worker finished
  kWorkersBusy,  // stop() said so; a worker was still computing after the grace period
  kFailed,       // poll() or the wake pipe failed
};

// Serves the listening socket `listen_fd` (bound, listening) until `stop`
// returns true. `handler` runs on the workers.
FrontEnd ServeHttp(int listen_fd, const FrontOptions& options, const RequestHandler& handler,
                   const std::function<bool()>& stop);

}  // namespace repsim::cli
