// A forked child builds its own registered objects instead of using the
// parent's (whose threads it did not inherit); the parent keeps its own.
#include "geobatch/util/process_registry.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

namespace geobatch {
namespace {

struct Counted {
  int made_in_pid;
};

std::shared_ptr<Counted> Get(const std::string& key) {
  return ProcessRegistry<Counted>::GetOrCreate(key, [] { return std::make_shared<Counted>(Counted{getpid()}); });
}

TEST(ProcessRegistry, OneObjectPerKey) {
  auto a = Get("a");
  EXPECT_EQ(Get("a"), a);
  EXPECT_NE(Get("b"), a);
  int seen = 0;
  ProcessRegistry<Counted>::ForEach([&](Counted&) { ++seen; });
  EXPECT_GE(seen, 2);
}

TEST(ProcessRegistry, ForkedChildMakesItsOwn) {
  auto parents = Get("shared");
  // Another thread keeps using the registry while we fork: the child must
  // not inherit its lock held.
  std::atomic<bool> stop = false;
  std::thread busy([&] {
    while (!stop) Get("busy");
  });
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto own = Get("shared");  // would deadlock if the lock had been copied held
    int seen = 0;
    ProcessRegistry<Counted>::ForEach([&](Counted&) { ++seen; });
    _exit(own != parents && own->made_in_pid == getpid() && seen == 1 ? 0 : 1);
  }
  stop = true;
  busy.join();
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(Get("shared"), parents);
}

}  // namespace
}  // namespace geobatch
