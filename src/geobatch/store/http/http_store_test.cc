// HttpStore against a real nginx: values, ranges, absence, listings from
// autoindex pages, many reads in flight, and the caches.
#include "geobatch/store/http/http_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "geobatch/store/http/nginx_test_server.h"
#include "geobatch/store/store_registry.h"
#include "geobatch/util/error.h"
#include "geobatch/util/task_group.h"

namespace geobatch {
namespace {

std::string AsString(const Buffer& buffer) { return {reinterpret_cast<const char*>(buffer.data()), buffer.size()}; }

class HttpStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.running()) << "nginx did not start (the test command installs it)";
    server_.Put("data/a/zarr.json", "{}");
    server_.Put("data/a/c/0/1", "0123456789");
    server_.Put("data/a/c/1/0", "");
    server_.Put("data/b", "x");
    server_.Put("data/with space", "spaced");
  }

  // No caching unless a test asks for it: every read reaches the server.
  std::shared_ptr<HttpStore> Open(RemoteOptions options = Uncached()) {
    return HttpStore::Open(server_.url() + "/data", options);
  }
  static RemoteOptions Uncached() {
    RemoteOptions options;
    options.cache_bytes = 0;
    options.max_retries = 1;
    return options;
  }
  void SettleLog() const { std::this_thread::sleep_for(std::chrono::milliseconds(100)); }

  testing::NginxTestServer server_;
};

TEST_F(HttpStoreTest, GetsWholeValuesAndRanges) {
  auto store = Open();
  EXPECT_EQ(AsString(*store->Get("a/c/0/1")), "0123456789");
  EXPECT_EQ(store->Get("a/c/1/0")->size(), 0u);
  EXPECT_EQ(AsString(*store->Get("a/c/0/1", ByteRange::Of(2, 3))), "234");
  EXPECT_EQ(AsString(*store->Get("a/c/0/1", ByteRange::Suffix(4))), "6789");
  EXPECT_EQ(AsString(*store->Get("a/c/0/1", ByteRange::Of(10, 0))), "");
  EXPECT_EQ(AsString(*store->Get("with space")), "spaced");
}

TEST_F(HttpStoreTest, MissingKeysAreAbsent) {
  auto store = Open();
  EXPECT_FALSE(store->Get("a/c/9/9").has_value());
  EXPECT_FALSE(store->Get("a/c/9/9", ByteRange::Of(0, 4)).has_value());
  EXPECT_FALSE(store->Exists("a/c/9/9"));
  EXPECT_TRUE(store->Exists("b"));
}

TEST_F(HttpStoreTest, RangesPastTheEndAreCorrupt) {
  auto store = Open();
  for (ByteRange range : {ByteRange::Of(8, 5), ByteRange::Of(20, 1), ByteRange::Suffix(11), ByteRange::Of(11, 0)}) {
    try {
      store->Get("a/c/0/1", range);
      FAIL() << "expected an error for " << range.ToString();
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kCorrupt) << e.what();
      EXPECT_NE(std::string(e.what()).find("a/c/0/1"), std::string::npos) << e.what();
    }
  }
}

TEST_F(HttpStoreTest, ForbiddenIsAPermissionErrorNamingTheUrl) {
  server_.Put("forbidden/x", "secret");
  auto store = HttpStore::Open(server_.url() + "/forbidden", Uncached());
  try {
    store->Get("x");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kPermission);
    EXPECT_NE(std::string(e.what()).find(server_.url() + "/forbidden/x"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("403"), std::string::npos) << e.what();
  }
}

TEST_F(HttpStoreTest, RefusesKeysEscapingTheRoot) {
  auto store = Open();
  for (const char* key : {"../x", "a/../../x", "/etc/passwd", "a//b", ""}) {
    EXPECT_THROW(store->Get(key), Error) << key;
  }
}

TEST_F(HttpStoreTest, ListsThroughAutoindex) {
  auto store = Open();
  auto keys = store->List("a/");
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"a/c/0/1", "a/c/1/0", "a/zarr.json"}));
  EXPECT_EQ(store->ListDir(""), (std::vector<std::string>{"a", "b", "with space"}));
  EXPECT_EQ(store->ListDir("a/c/"), (std::vector<std::string>{"0", "1"}));
  EXPECT_TRUE(store->List("missing/").empty());
}

TEST_F(HttpStoreTest, ManyAsyncReadsInFlight) {
  RemoteOptions options = Uncached();
  options.max_requests = 8;
  auto store = Open(options);
  TaskGroup group;
  std::atomic<int> found = 0, absent = 0;
  for (int i = 0; i < 300; ++i) {
    group.Add();
    store->GetAsync(i % 2 ? "a/c/0/1" : "a/c/5/5", ByteRange::Of(i % 2, 3), [&](ReadResult result) {
      if (result.value && AsString(*result.value).size() == 3) ++found;
      if (!result.value && !result.error) ++absent;
      group.Done(result.error);
    });
  }
  group.Wait();
  EXPECT_EQ(found, 150);
  EXPECT_EQ(absent, 150);
}

TEST_F(HttpStoreTest, ConcurrentReadsOfOneKeyFetchOnce) {
  RemoteOptions options = Uncached();
  options.cache_bytes = 64 << 20;
  server_.Put("data/once", std::string(1 << 20, 'z'));
  auto store = Open(options);
  const size_t before = server_.RequestCount();
  TaskGroup group;
  std::atomic<int> good = 0;
  for (int i = 0; i < 50; ++i) {
    group.Add();
    store->GetAsync("once", ByteRange::All(), [&](ReadResult result) {
      if (result.value && result.value->size() == (1u << 20)) ++good;
      group.Done(result.error);
    });
  }
  group.Wait();
  SettleLog();
  EXPECT_EQ(good, 50);
  EXPECT_EQ(server_.RequestCount() - before, 1u);
}

TEST_F(HttpStoreTest, MemoryCacheServesASecondEpoch) {
  RemoteOptions options = Uncached();
  options.cache_bytes = 32 << 20;
  auto first = Open(options);
  EXPECT_EQ(AsString(*first->Get("a/c/0/1")), "0123456789");
  EXPECT_FALSE(first->Get("a/c/7/7").has_value());
  SettleLog();
  const size_t before = server_.RequestCount();
  auto second = Open(options);  // another store object, the same process-wide cache
  EXPECT_EQ(AsString(*second->Get("a/c/0/1")), "0123456789");
  EXPECT_EQ(AsString(*second->Get("a/c/0/1", ByteRange::Of(3, 2))), "34");  // from the whole value
  EXPECT_FALSE(second->Get("a/c/7/7").has_value());
  SettleLog();
  EXPECT_EQ(server_.RequestCount(), before);
}

TEST_F(HttpStoreTest, DiskCacheServesAnotherStoreAndDropsStaleVersions) {
  const auto dir = std::filesystem::temp_directory_path() / ("geobatch_disk_cache_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  RemoteOptions options = Uncached();
  options.cache_dir = dir.string();
  EXPECT_EQ(AsString(*Open(options)->Get("a/c/0/1", ByteRange::Of(0, 4))), "0123");
  DiskCache::Shared(dir.string(), options.cache_dir_bytes)->Flush();
  SettleLog();
  const size_t before = server_.RequestCount();
  EXPECT_EQ(AsString(*Open(options)->Get("a/c/0/1", ByteRange::Of(0, 4))), "0123");
  SettleLog();
  EXPECT_EQ(server_.RequestCount(), before);
  std::filesystem::remove_all(dir);
}

TEST_F(HttpStoreTest, ConnectionRefusedGivesUpWithTheUrl) {
  RemoteOptions options = Uncached();
  options.max_retries = 2;
  options.retry_base_delay_s = 0.001;
  auto store = HttpStore::Open("http://127.0.0.1:1/nothing", options);
  try {
    store->Get("k");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kTransient);
    const std::string message = e.what();
    EXPECT_NE(message.find("http://127.0.0.1:1/nothing/k"), std::string::npos) << message;
    EXPECT_NE(message.find("3 attempts"), std::string::npos) << message;
  }
}

TEST_F(HttpStoreTest, OpensThroughTheRegistry) {
  auto store = OpenStore(server_.url() + "/data");
  EXPECT_EQ(store->url(), server_.url() + "/data");
  EXPECT_EQ(AsString(*store->Get("b")), "x");
}

TEST(HttpStoreUrls, RefusesQueriesAndHostlessUrls) {
  EXPECT_THROW(HttpStore::Open("http://host/data?x=1", {}), Error);
  EXPECT_THROW(HttpStore::Open("http:///data", {}), Error);
}

}  // namespace
}  // namespace geobatch
