// Counts outstanding tasks and keeps the first error any of them raised, so
// that the thread that started a fan-out can wait for it and rethrow.
#pragma once

#include <condition_variable>
#include <exception>
#include <mutex>

namespace geobatch {

class TaskGroup {
 public:
  void Add(size_t n = 1) {
    std::lock_guard lock(mutex_);
    pending_ += n;
  }

  // Marks one task finished; `error` (if any) is kept when it is the first.
  void Done(std::exception_ptr error = nullptr) {
    std::lock_guard lock(mutex_);
    if (error && !first_error_) first_error_ = error;
    if (--pending_ == 0) all_done_.notify_all();
    below_limit_.notify_all();
  }

  bool failed() {
    std::lock_guard lock(mutex_);
    return first_error_ != nullptr;
  }

  // Blocks while `limit` or more tasks are pending: bounds work in flight.
  void WaitUntilBelow(size_t limit) {
    std::unique_lock lock(mutex_);
    below_limit_.wait(lock, [&] { return pending_ < limit; });
  }

  // Blocks until every task is done, then rethrows the first error.
  void Wait() {
    std::unique_lock lock(mutex_);
    all_done_.wait(lock, [this] { return pending_ == 0; });
    if (first_error_) std::rethrow_exception(first_error_);
  }

 private:
  std::mutex mutex_;
  std::condition_variable all_done_;
  std::condition_variable below_limit_;
  size_t pending_ = 0;
  std::exception_ptr first_error_;
};

}  // namespace geobatch
