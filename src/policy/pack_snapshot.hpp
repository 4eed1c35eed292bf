// Internal to src/policy: a parsed policy pack as the bytes of its snapshot
// and back (pack_snapshot.cpp; the snapshot file: src/core/snapshot.hpp).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "backcover/policy/pack.hpp"

namespace backcover::policy {

// The pack's fields as bytes (a pack that passed every loader check).
std::string pack_to_bytes(const Pack& p);
// The pack those bytes hold, indexed as after a parse; nullptr when they are
// malformed (short, a count past the end, a value out of range, bytes left over).
std::unique_ptr<Pack> pack_from_bytes(std::string_view bytes);

}  // namespace backcover::policy
