// The suite every store runs: values, ranges, absence, listing, and keys
// that would escape the root.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <future>

#include <fcntl.h>
#include <unistd.h>

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
                                                  std::vector<std::span<std::byte>> pieces) {
  std::promise<ReadIntoResult> promise;
  store.GetIntoAsync(std::move(key), range, std::move(pieces),
                     [&](ReadIntoResult r) { promise.set_value(std::move(r)); });
  ReadIntoResult result = promise.get_future().get();
  if (!result.error) return {result.found, std::nullopt};
  try {
    std::rethrow_exception(result.error);
  } catch (const Error& e) {
    return {result.found, e.kind()};
  }
}

std::span<std::byte> BytesOf(std::string& s, size_t from = 0, size_t count = std::string::npos) {
  return std::as_writable_bytes(std::span(s.data(), s.size())).subspan(from, std::min(count, s.size() - from));
}

TEST_P(StoreConformance, ReadsIntoCallerMemory) {
  std::string out(4, '.');
  const std::optional<ErrorKind> ok;
  EXPECT_EQ(GetInto(store(), "a/c/0/1", ByteRange::Of(3, 4), {BytesOf(out)}), std::pair(true, ok));
  EXPECT_EQ(out, "3456");
  EXPECT_EQ(GetInto(store(), "a/c/9/9", ByteRange::All(), {BytesOf(out)}).first, false);
  // A value of another size than the destination is corrupt, not truncated or padded.
  EXPECT_EQ(GetInto(store(), "a/c/0/1", ByteRange::All(), {BytesOf(out)}).second, ErrorKind::kCorrupt);
  EXPECT_EQ(GetInto(store(), "../x", ByteRange::All(), {BytesOf(out)}).second, ErrorKind::kInvalidArgument);
}

TEST_P(StoreConformance, ScattersIntoManyPiecesInOrder) {
  // "a/c/0/1" holds "0123456789": three pieces, out of order in memory.
  std::string out(12, '.');
  EXPECT_EQ(GetInto(store(), "a/c/0/1", ByteRange::Of(1, 8), {BytesOf(out, 8, 3), BytesOf(out, 0, 4), BytesOf(out, 5, 1)}),
            std::pair(true, std::optional<ErrorKind>()));
  EXPECT_EQ(out, "4567.8..123.");
  EXPECT_EQ(GetInto(store(), "a/c/0/1", ByteRange::All(), {BytesOf(out, 0, 4), BytesOf(out, 5, 5)}).second,
            ErrorKind::kCorrupt);
}

TEST_P(StoreConformance, ScattersIntoMorePiecesThanOneSystemCallTakes) {
  // Over IOV_MAX (1024) one-byte pieces, every other byte of the destination.
  std::string value(3000, 'x');
  for (size_t i = 0; i < value.size(); ++i) value[i] = static_cast<char>('a' + i % 26);
  subject_.put("big", value);
  std::string out(2 * value.size(), '.');
  std::vector<std::span<std::byte>> pieces;
  for (size_t i = 0; i < value.size(); ++i) pieces.push_back(BytesOf(out, 2 * i, 1));
  EXPECT_EQ(GetInto(store(), "big", ByteRange::All(), pieces), std::pair(true, std::optional<ErrorKind>()));
  for (size_t i = 0; i < value.size(); ++i) ASSERT_EQ(out[2 * i], value[i]) << i;
  EXPECT_EQ(out[1], '.');
}

// The error kind a read result holds, or nullopt.
std::optional<ErrorKind> KindOf(const ReadResult& result) {
  if (!result.error) return std::nullopt;
  try {
    std::rethrow_exception(result.error);
  } catch (const Error& e) {
    return e.kind();
  }
}

TEST_P(StoreConformance, ReadsNowWhatNeedsNoWait) {
  // Just written, so in memory or the page cache: read now where the store can tell.
  ReadResult range;
  if (!store().TryGetNow("a/c/0/1", ByteRange::Of(2, 3), range)) {
    EXPECT_EQ(GetParam(), "file");
    EXPECT_FALSE(store().MayReadNow());
    GTEST_SKIP() << "this filesystem cannot tell whether a read would wait";
  }
  EXPECT_TRUE(store().MayReadNow());
  EXPECT_EQ(KindOf(range), std::nullopt);
  EXPECT_EQ(AsString(*range.value), "234");
  ReadResult absent, past_end, escaping;
  ASSERT_TRUE(store().TryGetNow("a/c/9/9", ByteRange::All(), absent));
  EXPECT_FALSE(absent.value.has_value());
  EXPECT_EQ(KindOf(absent), std::nullopt);
  ASSERT_TRUE(store().TryGetNow("a/c/0/1", ByteRange::Of(8, 5), past_end));
  EXPECT_EQ(KindOf(past_end), ErrorKind::kCorrupt);
  ASSERT_TRUE(store().TryGetNow("../x", ByteRange::All(), escaping));
  EXPECT_EQ(KindOf(escaping), ErrorKind::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreConformance, ::testing::Values("file", "memory"));

TEST(FileStore, DeclinesToReadNowWhatIsNotInThePageCache) {
  const auto root = std::filesystem::temp_directory_path() / ("geobatch_nowait_" + std::to_string(::getpid()));
  FileStore store(root.string());
  const std::string value(1 << 20, 'v');
  store.Set("cold", AsBytes(value));
  // Written back and dropped from the page cache: a read now would wait on the disk.
  const int fd = ::open((root / "cold").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::fsync(fd), 0);
  ASSERT_EQ(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
  ::close(fd);
  ReadResult result;
  const bool read_now = store.TryGetNow("cold", ByteRange::All(), result);
  if (store.MayReadNow()) {
    EXPECT_FALSE(read_now);
    EXPECT_FALSE(result.value.has_value());
  }
  EXPECT_EQ(AsString(*store.Get("cold", ByteRange::All())), value);  // the ordinary read still gets it
  std::filesystem::remove_all(root);
}

TEST(StoreRegistry, OpensByUrl) {
  EXPECT_EQ(OpenStore("memory://reg")->url(), "memory://reg");
  EXPECT_EQ(OpenStore("memory://reg"), OpenStore("memory://reg"));
  EXPECT_EQ(OpenStore("/tmp/x")->url(), "file:///tmp/x");
  EXPECT_EQ(OpenStore("file:///tmp/x")->url(), "file:///tmp/x");
  EXPECT_THROW(OpenStore("ftp://host/x"), Error);
}

}  // namespace
}  // namespace geobatch
