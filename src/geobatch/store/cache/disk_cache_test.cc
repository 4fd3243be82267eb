#include "geobatch/store/cache/disk_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace geobatch {
namespace {

std::shared_ptr<const CachedValue> Value(std::string_view text, std::string etag, bool absent = false) {
  auto value = std::make_shared<CachedValue>();
  value->absent = absent;
  value->etag = std::move(etag);
  value->bytes = Buffer::CopyOf(std::as_bytes(std::span(text.data(), text.size())));
  return value;
}

// A budget none of these tests reaches, where eviction is not under test.
constexpr uint64_t kRoomy = uint64_t{1} << 30;

std::string Text(const CachedValue& value) {
  return {reinterpret_cast<const char*>(value.bytes.data()), value.bytes.size()};
}

class DiskCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("geobatch_disk_cache_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(DiskCacheTest, RoundTripsValuesAndAbsence) {
  {
    DiskCache cache(dir_.string(), kRoomy);
    cache.Put("http://h/a", "all", Value("hello", "\"e1\""));
    cache.Put("http://h/a", "0+2", Value("he", "\"e1\""));
    cache.Put("http://h/missing", "all", Value("", "", true));
  }  // the destructor finishes the writes
  DiskCache cache(dir_.string(), kRoomy);
  EXPECT_EQ(Text(*cache.Get("http://h/a", "all")), "hello");
  EXPECT_EQ(Text(*cache.Get("http://h/a", "0+2")), "he");
  EXPECT_TRUE(cache.Get("http://h/missing", "all")->absent);
  EXPECT_FALSE(cache.Get("http://h/a", "2+2"));
  EXPECT_FALSE(cache.Get("http://h/b", "all"));
}

TEST_F(DiskCacheTest, ANewEtagDropsTheOlderEntries) {
  DiskCache cache(dir_.string(), kRoomy);
  cache.Put("http://h/a", "0+2", Value("he", "\"v1\""));
  cache.Put("http://h/a", "all", Value("HELLO", "\"v2\""));
  cache.Flush();
  EXPECT_FALSE(cache.Get("http://h/a", "0+2"));
  EXPECT_EQ(Text(*cache.Get("http://h/a", "all")), "HELLO");
}

TEST_F(DiskCacheTest, IgnoresDamagedEntries) {
  DiskCache cache(dir_.string(), kRoomy);
  cache.Put("http://h/a", "all", Value("hello", ""));
  cache.Flush();
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_)) {
    if (entry.is_regular_file()) std::filesystem::resize_file(entry.path(), 3);
  }
  EXPECT_FALSE(cache.Get("http://h/a", "all"));
}

uint64_t BytesOnDisk(const std::filesystem::path& dir) {
  uint64_t total = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

TEST_F(DiskCacheTest, StaysWithinItsBudgetDroppingTheLeastRecentlyUsed) {
  const std::string kilobyte(1000, 'x');
  const uint64_t budget = 6000;  // room for five 1 KB entries with their headers and ETag records
  DiskCache cache(dir_.string(), budget);
  auto put = [&](const std::string& url) {
    cache.Put(url, "all", Value(kilobyte, "\"e\""));
    cache.Flush();
    // Eviction goes by modification time: keep the steps apart on coarse clocks.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  };
  for (int i = 0; i < 4; ++i) put("http://h/" + std::to_string(i));
  ASSERT_TRUE(cache.Get("http://h/0", "all"));  // the oldest write, now the most recently used
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  for (int i = 4; i < 12; ++i) put("http://h/" + std::to_string(i));
  EXPECT_LE(BytesOnDisk(dir_), budget);
  EXPECT_TRUE(cache.Get("http://h/11", "all")) << "the newest entry is kept";
  EXPECT_FALSE(cache.Get("http://h/1", "all")) << "the least recently used entries go first";
  int kept = 0;
  for (int i = 0; i < 12; ++i) kept += cache.Get("http://h/" + std::to_string(i), "all").has_value();
  EXPECT_GE(kept, 3);
}

TEST_F(DiskCacheTest, CountsWhatAnotherProcessLeftBeforeWriting) {
  {
    DiskCache unbounded(dir_.string(), kRoomy);
    for (int i = 0; i < 8; ++i) unbounded.Put("http://h/" + std::to_string(i), "all", Value(std::string(1000, 'y'), ""));
  }
  ASSERT_GT(BytesOnDisk(dir_), 8000u);
  DiskCache bounded(dir_.string(), 4000);
  bounded.Put("http://h/new", "all", Value("z", ""));
  bounded.Flush();
  EXPECT_LE(BytesOnDisk(dir_), 4000u);
}

}  // namespace
}  // namespace geobatch
