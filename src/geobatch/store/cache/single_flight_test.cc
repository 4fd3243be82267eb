#include "geobatch/store/cache/single_flight.h"

#include <gtest/gtest.h>

#include "geobatch/util/error.h"

namespace geobatch {
namespace {

TEST(SingleFlight, OneFetchServesEveryWaiter) {
  SingleFlight flights;
  std::vector<std::string> got;
  auto waiter = [&](ReadResult result) {
    got.emplace_back(reinterpret_cast<const char*>(result.value->data()), result.value->size());
  };
  EXPECT_TRUE(flights.Join("k", waiter));
  EXPECT_FALSE(flights.Join("k", waiter));
  EXPECT_FALSE(flights.Join("k", waiter));
  EXPECT_TRUE(flights.Join("other", [](ReadResult) {}));
  const std::string text = "bytes";
  flights.Complete("k", {Buffer::CopyOf(std::as_bytes(std::span(text.data(), text.size()))), nullptr});
  EXPECT_EQ(got, (std::vector<std::string>{"bytes", "bytes", "bytes"}));
  EXPECT_TRUE(flights.Join("k", waiter));  // a new flight after the last one ended
}

TEST(SingleFlight, ErrorsAndAbsenceReachEveryWaiter) {
  SingleFlight flights;
  int errors = 0, absent = 0;
  auto waiter = [&](ReadResult result) {
    if (result.error) ++errors;
    if (!result.value && !result.error) ++absent;
  };
  flights.Join("e", waiter);
  flights.Join("e", waiter);
  flights.Complete("e", {std::nullopt, std::make_exception_ptr(TransientError("x"))});
  flights.Join("a", waiter);
  flights.Join("a", waiter);
  flights.Complete("a", {});
  EXPECT_EQ(errors, 2);
  EXPECT_EQ(absent, 2);
}

}  // namespace
}  // namespace geobatch
