// A synthetic in-network-rates file (CMS schema 1.3.1) for benchmarks and the
// ajv schema check: realistic shape (provider_references first, thousands of
// codes, 1–20 negotiated rates per code, deep inline provider groups of up to
// 400 NPIs, several prices per rate, every negotiated type), test values only:
// the NPIs, TINs and rates are random, not real providers or prices. About
// one item in 97 carries one of `wanted` (the codes a scan looks for). The
// same size gives the same file (fixed seed).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace backcover::interop::mrf {

void generate_sample(const std::string& path, std::uint64_t target_bytes, const std::vector<std::string>& wanted);

}  // namespace backcover::interop::mrf
