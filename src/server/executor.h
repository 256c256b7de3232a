#pragma once
// The controller's owner thread. HTTP handlers and agents post closures; the thread runs a batch
// of them, lets the controller do its periodic work, commits every change of the batch in ONE
// store transaction (group commit), and only then releases the replies.
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "server/controller.h"

namespace suanli::server {

class Executor {
 public:
  // `controller` may be null until SetController (a standby has none until it leads).
  Executor(Controller* controller, store::Store* store, Metrics* metrics);
  // The controller to run requests on; only while the owner thread is not running.
  void SetController(Controller* controller) { controller_ = controller; }
  // Called on the owner thread when a commit fails. The executor then answers every request 503
  // naming `why` (nothing is applied, nothing acknowledged) until Resume; the callee arranges the
  // recovery (the server reloads the state from the store into a new controller). Without one the
  // process stops, so a supervisor restarts it from the durable state.
  void OnStoreLost(std::function<void(const Status& why)> f) { on_store_lost_ = std::move(f); }
  // Runs requests again, on `controller` (freshly loaded from the store); the old one is no
  // longer touched once this returns... from the next batch on.
  void Resume(Controller* controller);
  ~Executor();
  void Start();
  void Stop();  // runs what was posted, commits, then ends the thread

  // Runs `fn` on the owner thread; the future is ready once its changes are durable.
  // After Stop, answers 503 at once.
  std::future<ApiReply> Post(std::function<ApiReply(Controller&)> fn);
  // A submission: `token` and the request's idempotency `key` let the batch look up every key in
  // the store with one query before the submissions run (Controller::PrefetchIdempotencyKeys).
  std::future<ApiReply> PostSubmission(std::function<ApiReply(Controller&)> fn, std::string token,
                                       std::string key);
  // Convenience: waits for the reply.
  ApiReply Call(std::function<ApiReply(Controller&)> fn) { return Post(std::move(fn)).get(); }

 private:
  struct Task {
    std::function<ApiReply(Controller&)> fn;
    std::promise<ApiReply> promise;
    std::optional<std::pair<std::string, std::string>> submission;  // (token, idempotency key)
  };
  std::future<ApiReply> Enqueue(Task task);
  void Loop();
  [[noreturn]] static void FailStop(const Status& why);

  Controller* controller_;
  store::Store* store_;
  Metrics* metrics_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;
  std::function<void(const Status&)> on_store_lost_;
  std::optional<Status> lost_;         // set while paused after a failed commit
  Controller* resume_with_ = nullptr;  // handed over by Resume, taken by the owner thread
  bool stopping_ = false;
  bool running_ = false;
  std::thread thread_;
};

}  // namespace suanli::server
