#include "server/executor.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <thread>

namespace suanli::server {

namespace {
constexpr size_t kMaxBatch = 4096;  // bounds the latency of one commit
}

Executor::Executor(Controller* controller, store::Store* store, Metrics* metrics)
    : controller_(controller), store_(store), metrics_(metrics) {}

Executor::~Executor() { Stop(); }

void Executor::Start() {
  std::lock_guard lock(mu_);
  if (running_) return;
  running_ = true;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void Executor::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!running_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  running_ = false;
}

std::future<ApiReply> Executor::Post(std::function<ApiReply(Controller&)> fn) {
  return Enqueue(Task{std::move(fn), {}, std::nullopt});
}

std::future<ApiReply> Executor::PostSubmission(std::function<ApiReply(Controller&)> fn,
                                               std::string token, std::string key) {
  Task task{std::move(fn), {}, std::nullopt};
  if (!key.empty()) task.submission.emplace(std::move(token), std::move(key));
  return Enqueue(std::move(task));
}

std::future<ApiReply> Executor::Enqueue(Task task) {
  std::future<ApiReply> f = task.promise.get_future();
  {
    std::lock_guard lock(mu_);
    if (!running_ || stopping_) {
      task.promise.set_value(ErrorReply(Unavailable("the controller is shutting down")));
      return f;
    }
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return f;
}

void Executor::Resume(Controller* controller) {
  {
    std::lock_guard lock(mu_);
    resume_with_ = controller;
  }
  cv_.notify_all();
}

// Fail-stop on a failed commit when nobody recovers (no OnStoreLost). The batch's changes are
// already applied in memory (new jobs, the idempotency map, placements), so carrying on would serve
// state that was never stored: a retried submit would get 200 for a job that a restart forgets, and
// devices could be handed out twice. Undoing every in-memory change is not practical, so the
// controller stops instead: the batch's callers got 503 (not stored), and a restart (systemd,
// `suanli up` supervision) reloads the last durable state from SQLite. The short pause lets HTTP
// threads send those 503 replies.
void Executor::FailStop(const Status& why) {
  spdlog::critical(
      "the store failed to commit ({}); stopping so a restart reloads the last "
      "durable state instead of serving changes that were never stored",
      why.ToString());
  spdlog::default_logger()->flush();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::abort();
}

void Executor::Loop() {
  std::vector<Task> batch;
  std::vector<ApiReply> replies;
  while (true) {
    batch.clear();
    replies.clear();
    bool stop = false;
    {
      std::unique_lock lock(mu_);
      if (resume_with_) {
        controller_ = resume_with_;
        resume_with_ = nullptr;
        lost_.reset();
        spdlog::info("the store is back: serving again from the state it holds");
      }
      if (lost_) {
        // Paused: nothing runs on the controller, whose memory is ahead of the store. Each
        // request is refused with the reason; the store's return arrives through Resume.
        cv_.wait(lock, [&] { return !queue_.empty() || stopping_ || resume_with_; });
        while (!queue_.empty()) {
          queue_.front().promise.set_value(
              ErrorReply(Unavailable("the controller cannot store changes (" + lost_->message() +
                                     "); it accepts them again once the store is back")));
          queue_.pop_front();
        }
        if (stopping_) break;
        continue;
      }
      int64_t wait_ms = controller_->MillisUntilNextTick();
      if (queue_.empty() && !stopping_ && wait_ms > 0) {
        cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                     [&] { return !queue_.empty() || stopping_ || resume_with_; });
      }
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      stop = stopping_ && queue_.empty();
    }
    std::vector<std::pair<std::string, std::string>> submissions;
    for (const Task& t : batch) {
      if (t.submission) submissions.push_back(*t.submission);
    }
    if (!submissions.empty()) controller_->PrefetchIdempotencyKeys(submissions);
    for (Task& t : batch) {
      try {
        replies.push_back(t.fn(*controller_));
      } catch (const std::exception& e) {
        // A bug in one request must not take down the controller.
        spdlog::error("request failed with an exception: {}", e.what());
        replies.push_back(ErrorReply(Internal(std::string("internal error: ") + e.what())));
      }
    }
    controller_->ClearIdempotencyPrefetch();
    try {
      controller_->Tick();
    } catch (const std::exception& e) {
      spdlog::error("controller tick failed with an exception: {}", e.what());
    }
    store::WriteBatch changes = controller_->TakeBatch();
    Status committed = Status::Ok();
    if (!changes.empty()) {
      committed = store_->Commit(changes);
      if (metrics_) {
        ++metrics_->commits;
        metrics_->committed_changes += changes.size();
        if (!committed.ok()) ++metrics_->commit_failures;
      }
      if (!committed.ok()) spdlog::error("commit failed: {}", committed.ToString());
    }
    if (!committed.ok() && on_store_lost_) {
      // Paused before anyone hears of the failure, so no later request is served from memory
      // that is ahead of the store.
      {
        std::lock_guard lock(mu_);
        lost_ = committed;
      }
      on_store_lost_(committed);
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      if (committed.ok()) {
        batch[i].promise.set_value(std::move(replies[i]));
      } else {
        batch[i].promise.set_value(
            ErrorReply(Unavailable("could not store the change: " + committed.message())));
      }
    }
    if (!committed.ok()) {
      if (!on_store_lost_) FailStop(committed);
      continue;  // paused until Resume (or Stop)
    }
    if (stop) break;
  }
}

}  // namespace suanli::server
