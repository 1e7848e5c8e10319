#include "review/sampling.h"

#include "core/sha256.h"

namespace bulwark::review {
namespace {

std::string HexToBytes(std::string_view hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<char>(nibble(hex[2 * i]) * 16 + nibble(hex[2 * i + 1]));
  }
  return out;
}

}  // namespace

std::string HmacSha256Hex(std::string_view key, std::string_view message) {
  constexpr size_t kBlock = 64;
  std::string k = key.size() > kBlock ? HexToBytes(Sha256Hex(key)) : std::string(key);
  k.resize(kBlock, '\0');
  std::string ipad(kBlock, '\0'), opad(kBlock, '\0');
  for (size_t i = 0; i < kBlock; ++i) {
    ipad[i] = static_cast<char>(k[i] ^ 0x36);
    opad[i] = static_cast<char>(k[i] ^ 0x5c);
  }
  Sha256 inner;
  inner.Update(ipad);
  inner.Update(message);
  const std::string inner_bytes = HexToBytes(inner.FinishHex());
  Sha256 outer;
  outer.Update(opad);
  outer.Update(inner_bytes);
  return outer.FinishHex();
}

double SecondReviewSampler::Fraction(std::int64_t case_id) const {
  const std::string mac = HmacSha256Hex(key_, "bulwark-second-review:" + std::to_string(case_id));
  // The first 53 bits of the MAC, as a double in [0, 1).
  std::uint64_t v = 0;
  for (int i = 0; i < 16; ++i) {
    const char c = mac[static_cast<size_t>(i)];
    v = v * 16 + static_cast<std::uint64_t>(c <= '9' ? c - '0' : c - 'a' + 10);
  }
  return static_cast<double>(v >> 11) / static_cast<double>(std::uint64_t{1} << 53);
}

}  // namespace bulwark::review
