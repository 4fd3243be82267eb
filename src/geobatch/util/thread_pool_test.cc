// The pool runs every task, and SetThreads changes how many run at once
// while tasks are queued.
#include "geobatch/util/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace geobatch {
namespace {

// Counts tasks running at once; a task can wait until `n` run together.
struct Rendezvous {
  std::mutex mutex;
  std::condition_variable changed;
  int running = 0;
  int peak = 0;

  // Enters, waits (at most `patience`) for `n` tasks inside, leaves; true
  // when `n` were inside together.
  bool Meet(int n, std::chrono::milliseconds patience) {
    std::unique_lock lock(mutex);
    peak = std::max(peak, ++running);
    changed.notify_all();
    const bool met = changed.wait_for(lock, patience, [&] { return peak >= n; });
    --running;
    return met;
  }
};

void RunTasks(ThreadPool& pool, int count, const std::function<void()>& body) {
  std::atomic<int> done = 0;
  std::mutex mutex;
  std::condition_variable finished;
  for (int i = 0; i < count; ++i) {
    pool.Submit([&] {
      body();
      std::lock_guard lock(mutex);
      ++done;
      finished.notify_all();
    });
  }
  std::unique_lock lock(mutex);
  finished.wait(lock, [&] { return done == count; });
}

TEST(ThreadPool, RunsEveryTask) {
  ThreadPool pool(3);
  std::atomic<int> sum = 0;
  RunTasks(pool, 1000, [&] { ++sum; });
  EXPECT_EQ(sum, 1000);
}

TEST(ThreadPool, SetThreadsParksAndStartsThreads) {
  ThreadPool pool(3);
  EXPECT_EQ(pool.size(), 3u);
  {
    Rendezvous three;  // three threads take three tasks at once
    RunTasks(pool, 3, [&] { EXPECT_TRUE(three.Meet(3, std::chrono::seconds(30))); });
  }
  pool.SetThreads(1);
  EXPECT_EQ(pool.size(), 1u);
  {
    Rendezvous one;  // never two at once: each gives up waiting for a second
    RunTasks(pool, 4, [&] { one.Meet(2, std::chrono::milliseconds(20)); });
    EXPECT_EQ(one.peak, 1);
  }
  pool.SetThreads(4);
  EXPECT_EQ(pool.size(), 4u);
  Rendezvous four;
  RunTasks(pool, 4, [&] { EXPECT_TRUE(four.Meet(4, std::chrono::seconds(30))); });
  pool.SetThreads(0);  // at least one thread always takes tasks
  EXPECT_EQ(pool.size(), 1u);
  std::atomic<int> sum = 0;
  RunTasks(pool, 10, [&] { ++sum; });
  EXPECT_EQ(sum, 10);
}

}  // namespace
}  // namespace geobatch
