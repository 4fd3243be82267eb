#include "geobatch/store/cache/disk_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace geobatch {
namespace {

std::shared_ptr<const CachedValue> Value(std::string_view text, std::string etag, bool absent = false) {
  auto value = std::make_shared<CachedValue>();
  value->absent = absent;
  value->etag = std::move(etag);
  value->bytes = Buffer::CopyOf(std::as_bytes(std::span(text.data(), text.size())));
  return value;
}

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
    DiskCache cache(dir_.string());
    cache.Put("http://h/a", "all", Value("hello", "\"e1\""));
    cache.Put("http://h/a", "0+2", Value("he", "\"e1\""));
    cache.Put("http://h/missing", "all", Value("", "", true));
  }  // the destructor finishes the writes
  DiskCache cache(dir_.string());
  EXPECT_EQ(Text(*cache.Get("http://h/a", "all")), "hello");
  EXPECT_EQ(Text(*cache.Get("http://h/a", "0+2")), "he");
  EXPECT_TRUE(cache.Get("http://h/missing", "all")->absent);
  EXPECT_FALSE(cache.Get("http://h/a", "2+2"));
  EXPECT_FALSE(cache.Get("http://h/b", "all"));
}

TEST_F(DiskCacheTest, ANewEtagDropsTheOlderEntries) {
  DiskCache cache(dir_.string());
  cache.Put("http://h/a", "0+2", Value("he", "\"v1\""));
  cache.Put("http://h/a", "all", Value("HELLO", "\"v2\""));
  cache.Flush();
  EXPECT_FALSE(cache.Get("http://h/a", "0+2"));
  EXPECT_EQ(Text(*cache.Get("http://h/a", "all")), "HELLO");
}

TEST_F(DiskCacheTest, IgnoresDamagedEntries) {
  DiskCache cache(dir_.string());
  cache.Put("http://h/a", "all", Value("hello", ""));
  cache.Flush();
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_)) {
    if (entry.is_regular_file()) std::filesystem::resize_file(entry.path(), 3);
  }
  EXPECT_FALSE(cache.Get("http://h/a", "all"));
}

}  // namespace
}  // namespace geobatch
