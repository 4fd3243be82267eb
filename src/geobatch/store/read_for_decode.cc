#include "geobatch/store/read_for_decode.h"

#include <memory>

#include "geobatch/util/thread_pool.h"

namespace geobatch {
namespace {

void ReadThroughIo(Store& store, std::string key, ByteRange range, ReadCallback decode) {
  store.GetAsync(std::move(key), range, [decode = std::move(decode)](ReadResult result) {
    // std::function needs a copyable task: the result travels by pointer.
    auto held = std::make_shared<ReadResult>(std::move(result));
    CpuPool().Submit([decode, held] { decode(std::move(*held)); });
  });
}

}  // namespace

void ReadForDecode(Store& store, std::string key, ByteRange range, ReadCallback decode) {
  if (!store.MayReadNow()) {
    ReadThroughIo(store, std::move(key), range, std::move(decode));
    return;
  }
  CpuPool().Submit([&store, key = std::move(key), range, decode = std::move(decode)] {
    ReadResult result;
    if (store.TryGetNow(key, range, result)) {
      decode(std::move(result));
    } else {
      ReadThroughIo(store, key, range, decode);
    }
  });
}

}  // namespace geobatch
