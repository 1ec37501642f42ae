#include "cli/http_front.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace repsim::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct Job {
  int fd;
  uint64_t id;
  io::HttpRequest request;
};

struct Done {
  int fd;
  uint64_t id;
  std::string bytes;
};

struct Conn {
  uint64_t id = 0;
  std::string in;   // received, not yet a complete request
  std::string out;  // the reply being written
  size_t out_off = 0;
  // kDraining: the last reply is out and the sending side shut; what the
  // client still sends is read and dropped for a moment before closing, so
  // that closing with unread bytes (a TCP reset) cannot destroy the reply
  // before the client reads it (a 413 while the body is still coming).
  enum class State { kReading, kBusy, kWriting, kDraining } state = State::kReading;
  size_t drained = 0;
  Clock::time_point deadline;
  bool started = false;  // the current request's first byte has arrived
  bool close_after = false;
  bool peer_eof = false;  // the client shut down its sending side
  bool sent_continue = false;
  int served = 0;
};

// Best effort, for the few bytes of a canned reply on a socket about to close.
void SendNow(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n <= 0) return;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

std::string ErrorBytes(int status, std::string_view message) {
  return io::SerializeResponse(io::ErrorResponse(status, message), /*close=*/true);
}

class Front {
 public:
  Front(int listen_fd, const FrontOptions& options, const RequestHandler& handler)
      : listen_fd_(listen_fd), opt_(options), handler_(handler) {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
      const size_t room = rl.rlim_cur > 64 ? static_cast<size_t>(rl.rlim_cur) - 64 : 1;
      opt_.max_connections = std::min(opt_.max_connections, room);
    }
  }

  FrontEnd Run(const std::function<bool()>& stop) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC) != 0) return FrontEnd::kFailed;
    wake_read_ = pipe_fds[0];
    wake_write_ = pipe_fds[1];
    ::fcntl(listen_fd_, F_SETFL, ::fcntl(listen_fd_, F_GETFL) | O_NONBLOCK);
    for (int i = 0; i < opt_.threads; ++i) workers_.emplace_back([this] { Work(); });
    FrontEnd end = FrontEnd::kStopped;
    std::vector<pollfd> fds;
    std::vector<int> order;
    while (!stop()) {
      fds.clear();
      order.clear();
      fds.push_back({wake_read_, POLLIN, 0});
      fds.push_back(
          {listen_fd_, static_cast<short>(conns_.size() < opt_.max_connections ? POLLIN : 0), 0});
      Clock::time_point next = Clock::now() + std::chrono::milliseconds(50);
      for (auto& [fd, c] : conns_) {
        short events = 0;
        if (c.state == Conn::State::kReading || c.state == Conn::State::kDraining) events = POLLIN;
        if (c.state == Conn::State::kWriting) events = POLLOUT;
        fds.push_back({fd, events, 0});
        order.push_back(fd);
        if (c.state != Conn::State::kBusy) next = std::min(next, c.deadline);
      }
      const auto wait =
          std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
      const int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(0, wait)));
      if (n < 0 && errno != EINTR) {
        end = FrontEnd::kFailed;
        break;
      }
      if (n > 0) {
        if (fds[0].revents) TakeReplies();
        if (fds[1].revents & POLLIN) Accept();
        for (size_t i = 2; i < fds.size(); ++i) {
          if (!fds[i].revents) continue;
          auto it = conns_.find(order[i - 2]);
          if (it == conns_.end()) continue;
          if (it->second.state == Conn::State::kReading) {
            Read(it->first, it->second);
          } else if (it->second.state == Conn::State::kWriting) {
            Write(it->first, it->second);
          } else if (it->second.state == Conn::State::kDraining) {
            Drain(it->first, it->second);
          }
        }
      }
      Expire();
    }
    // Stop: every connection closes now; the workers finish what they hold.
    for (auto& [fd, c] : conns_) ::close(fd);
    conns_.clear();
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      jobs_.clear();
    }
    cv_.notify_all();
    const Clock::time_point give_up = Clock::now() + opt_.grace;
    while (busy_workers_ > 0 && Clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (busy_workers_ > 0) {
      for (std::thread& t : workers_) t.detach();
      return FrontEnd::kWorkersBusy;
    }
    for (std::thread& t : workers_) t.join();
    ::close(wake_read_);
    ::close(wake_write_);
    return end;
  }

 private:
  void Work() {
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (stopping_) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
        ++busy_workers_;
      }
      std::string bytes;
      try {
        const io::HttpResponse r = handler_(job.request);
        bytes = io::SerializeResponse(r, !job.request.keep_alive, io::AcceptsGzip(job.request),
                                      job.request.method == "HEAD");
      } catch (const std::exception& e) {
        bytes = ErrorBytes(500, std::string("internal error: ") + e.what());
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!stopping_) done_.push_back(Done{job.fd, job.id, std::move(bytes)});
        --busy_workers_;
      }
      const char byte = 1;
      (void)!::write(wake_write_, &byte, 1);
    }
  }

  void TakeReplies() {
    char sink[256];
    while (::read(wake_read_, sink, sizeof sink) > 0) {
    }
    std::deque<Done> done;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done.swap(done_);
    }
    for (Done& d : done) {
      auto it = conns_.find(d.fd);
      if (it == conns_.end() || it->second.id != d.id) continue;  // closed meanwhile
      Conn& c = it->second;
      c.out = std::move(d.bytes);
      c.out_off = 0;
      c.state = Conn::State::kWriting;
      c.deadline = Clock::now() + opt_.timeout;
      Write(d.fd, c);
    }
  }

  void Accept() {
    for (;;) {
      const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      if (conns_.size() >= opt_.max_connections) {
        SendNow(fd, ErrorBytes(503, "too many connections; try again"));
        ::close(fd);
        continue;
      }
      int yes = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
      Conn& c = conns_[fd];
      c = Conn{};
      c.id = ++next_id_;
      c.deadline = Clock::now() + opt_.timeout;
    }
  }

  void Close(int fd) {
    ::close(fd);
    conns_.erase(fd);
  }

  // Answers `status` and closes once it is written.
  void Refuse(int fd, Conn& c, int status, std::string_view message) {
    c.out = ErrorBytes(status, message);
    c.out_off = 0;
    c.close_after = true;
    c.state = Conn::State::kWriting;
    c.deadline = Clock::now() + opt_.timeout;
    c.in.clear();
    Write(fd, c);
  }

  void Read(int fd, Conn& c) {
    char buf[64 * 1024];
    size_t got = 0;
    // At most 256 KiB per turn, so that one fast client cannot hold the loop.
    while (got < size_t{256} * 1024) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        if (!c.started) {
          c.started = true;
          c.deadline = Clock::now() + opt_.timeout;  // the whole request from its first byte
        }
        c.in.append(buf, static_cast<size_t>(n));
        got += static_cast<size_t>(n);
        continue;
      }
      if (n == 0) {
        c.peer_eof = true;
      } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        Close(fd);
        return;
      }
      break;
    }
    Process(fd, c);
  }

  // Acts on what has arrived: a complete request goes to a worker.
  void Process(int fd, Conn& c) {
    if (c.in.empty()) {
      if (c.peer_eof) Close(fd);
      return;
    }
    // Chunk framing may add up to ~6 bytes per body byte; beyond that the
    // parser cannot be within its limits.
    if (c.in.size() > opt_.http.max_header_bytes + 8 * opt_.http.max_body) {
      Refuse(fd, c, 413, "the request is too large");
      return;
    }
    io::HttpParseResult p = io::ParseHttpRequest(c.in, opt_.http);
    if (p.state == io::HttpParse::kError) {
      Refuse(fd, c, p.status, p.message);
      return;
    }
    if (p.state == io::HttpParse::kIncomplete) {
      if (c.peer_eof) {
        Refuse(fd, c, 400, "the request ended before it was complete");
        return;
      }
      if (p.expect_continue && !c.sent_continue) {
        SendNow(fd, "HTTP/1.1 100 Continue\r\n\r\n");
        c.sent_continue = true;
      }
      return;
    }
    c.in.erase(0, p.consumed);
    ++c.served;
    c.close_after = !p.request.keep_alive || c.peer_eof || c.served >= opt_.keep_alive_max;
    p.request.keep_alive = !c.close_after;  // the reply says "Connection: close" when closing
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (jobs_.size() >= opt_.max_queue) {
        // Answered below, outside the lock.
      } else {
        jobs_.push_back(Job{fd, c.id, std::move(p.request)});
        c.state = Conn::State::kBusy;
      }
    }
    if (c.state != Conn::State::kBusy) {
      Refuse(fd, c, 503, "the server is busy; try again");
      return;
    }
    cv_.notify_one();
  }

  void Write(int fd, Conn& c) {
    while (c.out_off < c.out.size()) {
      const ssize_t n = ::send(fd, c.out.data() + c.out_off, c.out.size() - c.out_off,
                               MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) {
        c.out_off += static_cast<size_t>(n);
        c.deadline = Clock::now() + opt_.timeout;  // progress
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
      Close(fd);
      return;
    }
    if (c.close_after) {
      ::shutdown(fd, SHUT_WR);
      c.state = Conn::State::kDraining;
      c.deadline =
          Clock::now() + std::min<std::chrono::milliseconds>(opt_.timeout, std::chrono::seconds(2));
      c.in.clear();
      Drain(fd, c);
      return;
    }
    c.out.clear();
    c.out_off = 0;
    c.state = Conn::State::kReading;
    c.started = !c.in.empty();
    c.sent_continue = false;
    c.deadline = Clock::now() + opt_.timeout;
    if (!c.in.empty()) Process(fd, c);  // a pipelined request
  }

  void Drain(int fd, Conn& c) {
    char buf[64 * 1024];
    for (;;) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) {
        c.drained += static_cast<size_t>(n);
        if (c.drained > (8u << 20)) break;
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
      break;  // EOF or an error
    }
    Close(fd);
  }

  void Expire() {
    const Clock::time_point now = Clock::now();
    std::vector<int> late;
    for (auto& [fd, c] : conns_) {
      if (c.state != Conn::State::kBusy && now >= c.deadline) late.push_back(fd);
    }
    for (const int fd : late) {
      Conn& c = conns_[fd];
      if (c.state == Conn::State::kReading && c.started) {
        SendNow(fd, ErrorBytes(408, "the request did not arrive in time"));
        ::shutdown(fd, SHUT_WR);
      }
      Close(fd);
    }
  }

  int listen_fd_;
  FrontOptions opt_;
  const RequestHandler& handler_;
  std::unordered_map<int, Conn> conns_;
  uint64_t next_id_ = 0;
  int wake_read_ = -1, wake_write_ = -1;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  std::deque<Done> done_;
  bool stopping_ = false;
  std::atomic<int> busy_workers_{0};
};

}  // namespace

FrontEnd ServeHttp(int listen_fd, const FrontOptions& options, const RequestHandler& handler,
                   const std::function<bool()>& stop) {
  // When a worker is still computing after the grace period, the caller
  // ends the process (std::_Exit) without waiting for it: the front, which
  // that worker still uses, is then deliberately not destroyed.
  auto* front = new Front(listen_fd, options, handler);
  const FrontEnd end = front->Run(stop);
  if (end != FrontEnd::kWorkersBusy) delete front;
  return end;
}

}  // namespace repsim::cli
