// Reads whose bytes are decoded next: the result reaches the decoder on a
// CPU pool thread. A store that can read without waiting (local bytes in
// memory or the page cache) is read right on that thread, so the bytes are
// decoded while still in the CPU's cache and no IO-pool thread is woken and
// handed back from; the other reads go through GetAsync, as many in flight
// as the store allows, and their results are passed on to the CPU pool.
#pragma once

#include <string>

#include "geobatch/store/store.h"

namespace geobatch {

// Reads `range` of `key` and calls `decode` with the result on a CPU pool
// thread. `store` must outlive the call of `decode`.
void ReadForDecode(Store& store, std::string key, ByteRange range, ReadCallback decode);

}  // namespace geobatch
