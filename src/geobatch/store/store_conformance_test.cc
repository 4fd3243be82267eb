// The suite every store runs: values, ranges, absence, listing, and keys
// that would escape the root.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <future>

#include "geobatch/store/file_store.h"
#include "geobatch/store/memory_store.h"
#include "geobatch/store/store_registry.h"
#include "geobatch/util/error.h"
#include "geobatch/util/task_group.h"

namespace geobatch {
namespace {

// A store under test, with a way to put values into it.
struct StoreUnderTest {
  std::shared_ptr<Store> store;
  std::function<void(std::string_view, std::string_view)> put;
};

std::span<const std::byte> AsBytes(std::string_view text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

std::string AsString(const Buffer& buffer) {
  return {reinterpret_cast<const char*>(buffer.data()), buffer.size()};
}

class StoreConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "file") {
      root_ = std::filesystem::temp_directory_path() /
              ("geobatch_store_test_" + std::to_string(::getpid()));
      std::filesystem::remove_all(root_);
      auto store = std::make_shared<FileStore>(root_.string());
      subject_ = {store, [store](std::string_view k, std::string_view v) { store->Set(k, AsBytes(v)); }};
    } else {
      auto store = std::make_shared<MemoryStore>();
      subject_ = {store, [store](std::string_view k, std::string_view v) { store->Set(k, AsBytes(v)); }};
    }
    subject_.put("a/zarr.json", "{}");
    subject_.put("a/c/0/1", "0123456789");
    subject_.put("a/c/1/0", "");
    subject_.put("b", "x");
  }
  void TearDown() override {
    if (!root_.empty()) std::filesystem::remove_all(root_);
  }

  Store& store() { return *subject_.store; }

  std::filesystem::path root_;
  StoreUnderTest subject_;
};

TEST_P(StoreConformance, GetsWholeValues) {
  EXPECT_EQ(AsString(*store().Get("a/c/0/1")), "0123456789");
  EXPECT_EQ(store().Get("a/c/1/0")->size(), 0u);
}

TEST_P(StoreConformance, AbsentKeysAreNullopt) {
  EXPECT_FALSE(store().Get("a/c/9/9").has_value());
  EXPECT_FALSE(store().Get("nothing/here").has_value());
  EXPECT_FALSE(store().Exists("a/c/9/9"));
  EXPECT_TRUE(store().Exists("b"));
}

TEST_P(StoreConformance, ReadsRanges) {
  EXPECT_EQ(AsString(*store().Get("a/c/0/1", ByteRange::Of(2, 3))), "234");
  EXPECT_EQ(AsString(*store().Get("a/c/0/1", ByteRange::Suffix(4))), "6789");
  EXPECT_EQ(AsString(*store().Get("a/c/0/1", ByteRange::Of(10, 0))), "");
}

TEST_P(StoreConformance, RangesPastTheEndAreCorrupt) {
  try {
    store().Get("a/c/0/1", ByteRange::Of(8, 5));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kCorrupt);
    EXPECT_NE(std::string(e.what()).find("a/c/0/1"), std::string::npos);
  }
  EXPECT_THROW(store().Get("a/c/0/1", ByteRange::Suffix(11)), Error);
}

TEST_P(StoreConformance, RefusesKeysEscapingTheRoot) {
  for (const char* key : {"../x", "a/../../x", "/etc/passwd", "a//b", "./a", "a\\b", ""}) {
    try {
      store().Get(key);
      FAIL() << "accepted " << key;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kInvalidArgument) << key;
    }
  }
}

TEST_P(StoreConformance, ListsKeysAndDirectories) {
  auto keys = store().List("a/");
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"a/c/0/1", "a/c/1/0", "a/zarr.json"}));
  EXPECT_EQ(store().ListDir(""), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(store().ListDir("a/c/"), (std::vector<std::string>{"0", "1"}));
  EXPECT_TRUE(store().List("missing/").empty());
}

TEST_P(StoreConformance, ManyAsyncReadsInFlight) {
  TaskGroup group;
  std::atomic<int> found = 0, absent = 0;
  for (int i = 0; i < 200; ++i) {
    group.Add();
    store().GetAsync(i % 2 ? "a/c/0/1" : "a/c/5/5", ByteRange::All(), [&](ReadResult result) {
      if (result.value) ++found;
      else if (!result.error) ++absent;
      group.Done(result.error);
    });
  }
  group.Wait();
  EXPECT_EQ(found, 100);
  EXPECT_EQ(absent, 100);
}

// Runs GetIntoAsync and waits: {found, error kind or nullopt}.
std::pair<bool, std::optional<ErrorKind>> GetInto(Store& store, std::string key, ByteRange range,
                                                  std::span<std::byte> out) {
  std::promise<ReadIntoResult> promise;
  store.GetIntoAsync(std::move(key), range, out, [&](ReadIntoResult r) { promise.set_value(std::move(r)); });
  ReadIntoResult result = promise.get_future().get();
  if (!result.error) return {result.found, std::nullopt};
  try {
    std::rethrow_exception(result.error);
  } catch (const Error& e) {
    return {result.found, e.kind()};
  }
}

TEST_P(StoreConformance, ReadsIntoCallerMemory) {
  std::string out(4, '.');
  auto bytes = std::as_writable_bytes(std::span(out.data(), out.size()));
  EXPECT_EQ(GetInto(store(), "a/c/0/1", ByteRange::Of(3, 4), bytes), std::pair(true, std::optional<ErrorKind>()));
  EXPECT_EQ(out, "3456");
  EXPECT_EQ(GetInto(store(), "a/c/9/9", ByteRange::All(), bytes).first, false);
  // A value of another size than the destination is corrupt, not truncated or padded.
  EXPECT_EQ(GetInto(store(), "a/c/0/1", ByteRange::All(), bytes).second, ErrorKind::kCorrupt);
  EXPECT_EQ(GetInto(store(), "../x", ByteRange::All(), bytes).second, ErrorKind::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreConformance, ::testing::Values("file", "memory"));

TEST(StoreRegistry, OpensByUrl) {
  EXPECT_EQ(OpenStore("memory://reg")->url(), "memory://reg");
  EXPECT_EQ(OpenStore("memory://reg"), OpenStore("memory://reg"));
  EXPECT_EQ(OpenStore("/tmp/x")->url(), "file:///tmp/x");
  EXPECT_EQ(OpenStore("file:///tmp/x")->url(), "file:///tmp/x");
  EXPECT_THROW(OpenStore("ftp://host/x"), Error);
}

}  // namespace
}  // namespace geobatch
